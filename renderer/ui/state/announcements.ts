/**
 * What the live region says without the agent looking: each call that starts
 * ringing once, and each transfer outcome once, as main pushes them. Plain
 * bookkeeping over the pushes (nothing here is shown), so it is not state.
 */
import type { CallSnapshot, TransferSnapshot } from '../../../preload/contract';
import type { ConsoleApi } from '../../../preload/ui-api';
import { t } from '../i18n/index.svelte';
import { partyName, ringingCalls } from './call-view';
import { describeOutcome } from './outcome';

type Say = (text: string) => void;

export function announceIncoming(api: ConsoleApi, say: Say): () => void {
  const said = new Set<string>();
  return api.calls.onChanged((list: CallSnapshot[]) => {
    for (const c of ringingCalls(list)) {
      if (said.has(c.id)) continue;
      said.add(c.id);
      say(t(c.ring === 'soft' ? 'calls.announce.waiting' : 'calls.announce.incoming', { name: partyName(c) }));
    }
    for (const id of said) if (!list.some((c) => c.id === id)) said.delete(id);
  });
}

export function announceOutcomes(api: ConsoleApi, say: Say): () => void {
  const said = new Map<string, number>();
  return api.transfer.onChanged((s: TransferSnapshot) => {
    if (!s.outcome || said.get(s.callId) === s.outcome.at) return;
    said.set(s.callId, s.outcome.at);
    say(describeOutcome(s.outcome));
  });
}
