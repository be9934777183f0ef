/**
 * Which way an attended (or supervised) transfer completes, from what the two
 * phones announced they support (RFC 5589 §7: either party may be referred).
 * Pure; the machine asks it when the hand-over goes out, the snapshot to tell
 * the agent beforehand. See docs/transfers.md, "Which phone swaps the calls".
 *
 * A REFER with Replaces asks the phone that gets it to call the other party
 * with `Replaces:` naming our dialog with that party, which then swaps our
 * leg for the new call (RFC 3891). A phone that does not list `replaces` in
 * Supported cannot be trusted with either half: such a caller turns the
 * Refer-To's `?Replaces=` into a plain new call, and the transferee's phone
 * rings a second time while the agent believes the transfer is done.
 *
 *   caller supports Replaces (or says nothing)      → REFER the caller (today's way)
 *   else the transferee supports it                  → REFER the transferee, naming the caller's dialog
 *   else (neither)                                   → REFER the caller anyway: the transferee's phone
 *                                                      rings again (a colleague, never the customer), and
 *                                                      the consult stays up until the outcome is known
 *
 * Whichever phone is referred, the one that receives the new call must itself
 * support Replaces to swap it for ours; one that said it does not will take it
 * as a new call, and the plan says so (`expect: 'new-call'`) — a phone that
 * cannot swap calls usually cannot in either role.
 */
import type { CompletionPlan } from '../../../preload/contract/transfer';
import type { PeerSupport } from './types';

export type { CompletionPlan };

/**
 * `callerDialogKnown`: the backend could name the caller's dialog (needed to
 * refer the transferee to it); without it only the caller can be referred.
 */
export function completionPlan(caller: PeerSupport, transferee: PeerSupport, callerDialogKnown = true): CompletionPlan {
  const callerTakesRefer = caller.refer !== false;
  const transfereeTakesRefer = transferee.refer !== false;
  const unable = caller.replaces === false ? (transferee.replaces === false ? 'both' : 'caller') : transferee.replaces === false ? 'transferee' : null;
  // The phone that gets the new call swaps it for ours only if it said it can (or said nothing).
  const swapsAt = (side: PeerSupport) => (side.replaces === false ? 'new-call' : 'swap');
  // Unknown counts as able for the caller: that is how every transfer completed before phones were asked.
  if (caller.replaces !== false && callerTakesRefer) return { via: 'caller', expect: swapsAt(transferee), unable };
  // The other way round only on the transferee's own word: a guess would ring the customer's phone.
  if (transferee.replaces === true && transfereeTakesRefer && callerDialogKnown) return { via: 'transferee', expect: swapsAt(caller), unable };
  // Neither swaps. A caller that takes no REFER at all leaves only the transferee to ask.
  if (!callerTakesRefer && transfereeTakesRefer && callerDialogKnown) return { via: 'transferee', expect: swapsAt(caller), unable };
  return { via: 'caller', expect: 'new-call', unable };
}
