/**
 * The parties page's phone bank: carries out the director's commands on the
 * parties (./party.ts) and sends their reports back. It decides nothing
 * itself — who calls, who answers and who transfers is the director's
 * (main/demo/director.ts); the phones only do it, over real SIP and WebRTC.
 */
import { Party, type PartyHost } from './party';
import type { DirectorCommand, PartyReport } from './protocol';

export class Phones {
  private readonly parties = new Map<string, Party>();
  private host: Omit<PartyHost, 'report'> | null = null;

  constructor(private readonly report: (r: PartyReport) => void) {}

  async handle(c: DirectorCommand): Promise<void> {
    try {
      await this.run(c);
    } catch (e) {
      this.report({ type: 'problem', ...('party' in c && typeof c.party === 'string' && { party: c.party }), message: `${c.type}: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  private party(id: string): Party {
    const p = this.parties.get(id);
    if (!p) throw new Error(`no party ${id}`);
    return p;
  }

  private async run(c: DirectorCommand): Promise<void> {
    switch (c.type) {
      case 'hello':
        this.host = { sipUrl: c.sipUrl, domain: c.domain, known: { voices: c.voices, tones: c.tones } };
        return;
      case 'party': {
        if (!this.host) throw new Error('no hello yet');
        if (this.parties.has(c.party.id)) return;
        const party = new Party(c.party, c.incoming, { ...this.host, report: this.report });
        this.parties.set(c.party.id, party);
        return party.start();
      }
      case 'dismiss': {
        const p = this.parties.get(c.party);
        this.parties.delete(c.party);
        return p?.stop();
      }
      case 'incoming':
        return this.party(c.party).setIncoming(c.mode);
      case 'call':
        await this.party(c.party).call(c.to);
        return;
      case 'hangup':
        return this.party(c.party).hangup(c.call);
      case 'transfer': {
        // A transfer takes a while (hold, consult, REFER): the other phones do not wait for it.
        const party = this.party(c.party);
        void party.transfer(c.to, c.attended, c.consultMs).catch((e: unknown) => this.report({ type: 'problem', party: c.party, message: `transfer: ${String(e)}` }));
        return;
      }
      case 'hears':
        this.report({ type: 'heard', request: c.request, report: this.parties.get(c.party)?.hears() ?? null });
        return;
    }
  }

  /** The director went away (the demo stopped): every phone hangs up and disconnects. */
  async stopAll(): Promise<void> {
    const all = [...this.parties.values()];
    this.parties.clear();
    await Promise.all(all.map((p) => p.stop()));
  }
}
