/**
 * The calls the switchboard has seen set up through it: one record per
 * INVITE dialog (keyed by Call-ID), with who is in it and enough of each
 * side to end it on the other's behalf. That is how the demo knows who is
 * ringing or on a call (colleagues' presence, free agents in the queue), and
 * how a party that disappears mid-call (its connection closed) does not leave
 * the other side talking to nobody: the switchboard sends that side a BYE.
 * Pure: the switchboard feeds it what passes through and acts on the answers.
 */

export interface DialogSide {
  /** The AOR user of this side (a number such as 201, or `agent`). */
  user: string;
  connection: string;
  /** Where in-dialog requests for this side go (its Contact). */
  contact: string | null;
  /** Its From (caller) or To (callee) header value, tag included. */
  identity: string;
  /** The highest CSeq this side has sent in the dialog. */
  cseq: number;
}

export interface DialogRecord {
  callId: string;
  state: 'early' | 'confirmed';
  caller: DialogSide;
  /** Null while the INVITE waits (in the queue, or forwarded with no answer yet). */
  callee: DialogSide | null;
  /** The user the INVITE was for (the queue's number for a queued call). */
  calledUser: string;
  startedAt: number;
}

export type PartyActivity = 'ringing' | 'busy';

export class Dialogs {
  readonly #byCallId = new Map<string, DialogRecord>();

  /** An initial INVITE arrived from `caller`. */
  invited(callId: string, caller: Omit<DialogSide, 'contact'> & { contact: string | null }, calledUser: string, now: number): void {
    if (this.#byCallId.has(callId)) return;
    this.#byCallId.set(callId, { callId, state: 'early', caller, callee: null, calledUser, startedAt: now });
  }

  /** The INVITE was handed to `user` on `connection` (the queue may hand it to another one later). */
  offered(callId: string, user: string, connection: string): void {
    const d = this.#byCallId.get(callId);
    if (!d || d.state === 'confirmed') return;
    d.callee = { user, connection, contact: null, identity: '', cseq: 0 };
  }

  /** A response with a To tag from the callee: its Contact and identity; a 2xx confirms the dialog. */
  answered(callId: string, side: { contact: string | null; identity: string }, final: boolean): void {
    const d = this.#byCallId.get(callId);
    if (!d?.callee) return;
    if (side.contact) d.callee.contact = side.contact;
    if (side.identity) d.callee.identity = side.identity;
    if (final) d.state = 'confirmed';
  }

  /** An in-dialog request passed through: remember its CSeq on the side that sent it. */
  sent(callId: string, fromTag: string | undefined, cseq: number): void {
    const d = this.#byCallId.get(callId);
    if (!d) return;
    const side = fromTag !== undefined && d.caller.identity.includes(`tag=${fromTag}`) ? d.caller : d.callee;
    if (side && cseq > side.cseq) side.cseq = cseq;
  }

  /** The offer to the callee failed (busy, no answer): the call waits again, nobody on the other side. */
  unoffered(callId: string): void {
    const d = this.#byCallId.get(callId);
    if (d && d.state === 'early') d.callee = null;
  }

  ended(callId: string): DialogRecord | undefined {
    const d = this.#byCallId.get(callId);
    this.#byCallId.delete(callId);
    return d;
  }

  get(callId: string): DialogRecord | undefined {
    return this.#byCallId.get(callId);
  }

  /** Dialogs one of whose sides lives on `connection`. */
  onConnection(connection: string): DialogRecord[] {
    return [...this.#byCallId.values()].filter((d) => d.caller.connection === connection || d.callee?.connection === connection);
  }

  /** What each user is doing: `busy` in an answered call (either side), `ringing` while a call is offered to them. */
  activity(): Map<string, PartyActivity> {
    const out = new Map<string, PartyActivity>();
    for (const d of this.#byCallId.values()) {
      if (d.state === 'confirmed') {
        out.set(d.caller.user, 'busy');
        if (d.callee) out.set(d.callee.user, 'busy');
      } else {
        // A caller whose call is not answered yet is busy placing it; the one it rings is ringing.
        out.set(d.caller.user, 'busy');
        if (d.callee && out.get(d.callee.user) !== 'busy') out.set(d.callee.user, 'ringing');
      }
    }
    return out;
  }

  all(): DialogRecord[] {
    return [...this.#byCallId.values()];
  }

  clear(): void {
    this.#byCallId.clear();
  }
}
