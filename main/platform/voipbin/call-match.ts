/**
 * Which VoIPBIN call is the agent's SIP call? `POST /transfers` wants the
 * platform's id of the agent's leg (`transferer_call_id`), and the INVITE the
 * platform sends to the agent's extension carries no header naming it: the
 * platform's own call-id header is only put on its internal conference legs
 * (docs/voipbin.md, "How the call is matched"). So the console matches
 * `GET /calls` against what the SIP side knows:
 *
 *  - a call the agent RECEIVED (from a queue, a connect action, a colleague)
 *    is, for the platform, an OUTGOING call to a registered contact of the
 *    agent's extension: `destination.type` `sip` with `target_name` the
 *    extension (or `destination.type` `extension` with that target);
 *  - a call the agent PLACED is an INCOMING call from the extension:
 *    `source.type` `extension`, `source.target` the extension;
 *  - it must be answered and still up (`status` `progressing`); a transfer
 *    needs exactly that;
 *  - the far end's number, when the SIP side has it, must match the other
 *    address (`source.target` for a received call, `destination.target` for a
 *    placed one), compared on digits so `+49…` and `49…` agree;
 *  - of what is left, the one answered closest to when our leg was answered
 *    (`tm_progressing`), within `toleranceMs`. Two candidates as close as
 *    each other (within `ambiguityMs`) are refused rather than guessed: a
 *    wrong id would transfer somebody else's caller.
 */
import type { VoipbinClient } from './client';
import { epochOf, type Call } from './schemas';

export interface SipCallFacts {
  /** As the agent sees it. */
  direction: 'incoming' | 'outgoing';
  /** The agent's extension username. */
  extension: string;
  /** The far end's user part or number as SIP showed it; null when unknown. */
  remote: string | null;
  /** When our leg was answered (epoch ms). */
  answeredAt: number;
}

export interface MatchOptions {
  toleranceMs?: number;
  ambiguityMs?: number;
}

const digits = (s: string) => s.replace(/\D/g, '');
const userOf = (s: string) => s.replace(/^sips?:/i, '').split(/[@;]/)[0] ?? s;
const sameParty = (a: string, b: string) => {
  const da = digits(userOf(a));
  const db = digits(userOf(b));
  if (da.length >= 4 && db.length >= 4) return da.endsWith(db) || db.endsWith(da);
  return userOf(a).toLowerCase() === userOf(b).toLowerCase();
};

/** The platform call of the agent's leg among `calls`, or null when none (or more than one) fits. */
export function matchPlatformCall(calls: Call[], facts: SipCallFacts, options: MatchOptions = {}): Call | null {
  const tolerance = options.toleranceMs ?? 15_000;
  const ambiguity = options.ambiguityMs ?? 1_000;
  const ext = facts.extension.toLowerCase();
  const scored: { call: Call; distance: number }[] = [];
  for (const c of calls) {
    if (c.status !== 'progressing') continue;
    let ours: boolean;
    let other: string | undefined;
    if (facts.direction === 'incoming') {
      const d = c.destination;
      ours =
        c.direction === 'outgoing' &&
        !!d &&
        ((d.type === 'sip' && (d.target_name ?? '').toLowerCase() === ext) || (d.type === 'extension' && d.target.toLowerCase() === ext));
      other = c.source?.target;
    } else {
      ours = c.direction === 'incoming' && c.source?.type === 'extension' && c.source.target.toLowerCase() === ext;
      other = c.destination?.target;
    }
    if (!ours) continue;
    if (facts.remote && other && !sameParty(facts.remote, other)) continue;
    const at = epochOf(c.tm_progressing) ?? epochOf(c.tm_update) ?? epochOf(c.tm_create);
    const distance = at === null ? tolerance : Math.abs(at - facts.answeredAt);
    if (distance <= tolerance) scored.push({ call: c, distance });
  }
  scored.sort((a, b) => a.distance - b.distance);
  if (scored.length === 0) return null;
  if (scored.length > 1 && scored[1]!.distance - scored[0]!.distance < ambiguity) return null;
  return scored[0]!.call;
}

/** `matchPlatformCall` over the platform's current call list; the id, or null. */
export async function findPlatformCall(client: Pick<VoipbinClient, 'calls'>, facts: SipCallFacts, options?: MatchOptions): Promise<string | null> {
  return matchPlatformCall(await client.calls(), facts, options)?.id ?? null;
}
