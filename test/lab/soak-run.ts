/**
 * The transfer soak: N transfers, mixed blind / safe blind /
 * attended, against a transferee that randomly answers, is busy, does not
 * answer, rejects or hangs up mid-consult, and a caller that now and then
 * refuses the REFER — with the REAL console core (see console-fixture.ts).
 * After each transfer it checks:
 *  - safe modes (safe blind, attended): the caller was never dropped — either
 *    the caller reached the transferee (their call got established) or the
 *    caller is back with the agent, talking (unheld, music off, hears the agent);
 *  - the timeline is consistent: starts with `requested`, ends on exactly one
 *    terminal step, nothing after it, times never go back; the history
 *    database holds the same steps (plus `refer-sent` / `accepted`);
 *  - nothing lingers: no live call at the agent after cleanup, no transfer timer.
 * Used by `npm run soak` (soak.ts, 200) and the 20-transfer soak.test.ts.
 */
import type { CallSnapshot, TransferSnapshot } from '../../preload/contract';
import type { ConsoleUnderTest } from './console-fixture';
import { TONES, type Lab, type Peer } from './lab';
import type { IncomingBehaviour } from './peer';
import { seededRandom } from '../support/random';

export type SoakMode = 'blind' | 'safe-blind' | 'attended';
export type SoakBehaviour = 'answer' | 'busy' | 'no-answer' | 'reject' | 'hangup-mid-consult' | 'refer-refused';

export interface SoakResult {
  index: number;
  mode: SoakMode;
  behaviour: SoakBehaviour;
  /** How the transfer ended for the caller. */
  outcome: 'transferred' | 'taken-back' | 'released' | 'cancelled';
  droppedCaller: boolean;
  problems: string[];
  steps: string[];
  ms: number;
}

export interface SoakSummary {
  count: number;
  seed: number;
  byMode: Record<SoakMode, number>;
  byOutcome: Record<string, number>;
  droppedInSafeModes: number;
  inconsistent: number;
  failures: SoakResult[];
  totalMs: number;
}

/** Steps that end a transfer; `failed` ends one only when it is last (a failed REFER with Replaces goes back to the consult). */
// `released`: a plain blind let go with its outcome not yet known — a later NOTIFY may still add
// `completed` or `failed` after it; `new-call`: the hand-over arrived as a new call, not a replacement.
const TERMINAL = new Set(['completed', 'taken-back', 'cancelled', 'undone', 'new-call']);
const ENDS = new Set([...TERMINAL, 'failed', 'released']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Timeline rules: requested first, one terminal step last, monotonic times. */
export function timelineProblems(t: TransferSnapshot): string[] {
  const p: string[] = [];
  const steps = t.timeline.map((e) => e.step);
  if (steps[0] !== 'requested') p.push(`timeline starts with ${steps[0]}`);
  if (!ENDS.has(steps.at(-1) ?? '')) p.push(`no terminal step at the end of [${steps.join(',')}]`);
  const terminalAt = steps.findIndex((s) => TERMINAL.has(s));
  if (terminalAt !== -1 && terminalAt !== steps.length - 1) p.push(`steps after ${steps[terminalAt]}: [${steps.join(',')}]`);
  for (let i = 1; i < t.timeline.length; i++) if (t.timeline[i]!.at < t.timeline[i - 1]!.at) p.push('timeline goes back in time');
  return p;
}

export interface SoakContext {
  lab: Lab;
  agent: ConsoleUnderTest;
  caller: Peer;
  transferee: Peer;
  log?: (line: string) => void;
}

export async function runSoak(ctx: SoakContext, count: number, seed: number): Promise<SoakSummary> {
  const { lab, agent, caller, transferee } = ctx;
  // Seeded, so a failing soak can be replayed with its seed.
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const results: SoakResult[] = [];
  const t0 = Date.now();
  agent.setPreferences({
    transfer: { undoWindowSec: 0, safeBlindTimeoutSec: 5, completeTimeoutSec: 4, incomingRefer: 'follow' },
  });
  const callOf = (id: string) => agent.calls().find((c) => c.id === id);

  for (let i = 0; i < count; i++) {
    const mode = pick(['blind', 'safe-blind', 'attended'] as const);
    const behaviour = pick(['answer', 'answer', 'busy', 'no-answer', 'reject', 'hangup-mid-consult', 'refer-refused'] as const);
    const started = Date.now();
    const problems: string[] = [];
    const incoming: IncomingBehaviour =
      behaviour === 'busy'
        ? { mode: 'busy' }
        : behaviour === 'reject'
          ? { mode: 'reject', code: pick([603, 404, 480]) }
          : behaviour === 'no-answer'
            ? { mode: 'noAnswer' }
            : behaviour === 'hangup-mid-consult'
              ? { mode: 'answer', afterMs: 200, hangupAfterMs: 1200 + Math.floor(random() * 800) }
              : { mode: 'answer', afterMs: 100 + Math.floor(random() * 400) };
    await transferee.setIncoming(incoming);
    if (behaviour === 'refer-refused') await caller.setRefer({ mode: 'reject', code: pick([403, 405, 501]) });

    const referredBefore = (await caller.calls()).filter((c) => c.referredBy !== undefined).length;
    const callerCall = await caller.call(agent.uri);
    const call: CallSnapshot = await agent.answerIncoming(15_000);
    await caller.waitForCallState(callerCall, 'established', 10_000);

    let final: TransferSnapshot;
    const settled = (what: string, ms = 25_000) =>
      agent.until(() => {
        const t = agent.transfer(call.id);
        return t && (t.phase === 'done' || (t.phase === 'idle' && ENDS.has(t.timeline.at(-1)?.step ?? ''))) ? t : null;
      }, ms, what);
    try {
      if (mode === 'attended') {
        await agent.request('transfer:attended', { callId: call.id, target: { kind: 'uri', uri: transferee.uri } });
        const t = await agent.until(() => {
          const s = agent.transfer(call.id);
          return s && (s.phase === 'consulting' || s.phase === 'idle' || s.phase === 'done') ? s : null;
        }, behaviour === 'no-answer' ? 1500 : 15_000, 'consult outcome').catch(() => agent.transfer(call.id)!);
        if (t.phase === 'consult-dialing') {
          // Nobody answers: the agent gives up (or goes semi-attended now and then).
          await agent.request(random() < 0.5 ? 'transfer:cancel' : 'transfer:complete', { callId: call.id });
        } else if (t.phase === 'consulting') {
          // A refused REFER with Replaces brings the consult back: then the agent cancels.
          for (let round = 0; round < 3; round++) {
            // Think time, drawn from the seed: the soak explores interleavings (not a wait for anything).
            await sleep(200 + Math.floor(random() * 600));
            const now = agent.transfer(call.id)!;
            if (now.phase !== 'consulting') break;
            const action = round > 0 ? 'cancel' : pick(['hangup', 'hangup', 'complete', 'cancel', 'swap'] as const);
            const r =
              action === 'hangup'
                ? await agent.ipc('calls:hangup', { callId: now.legs.consult!.callId })
                : action === 'swap'
                  ? await agent.ipc('transfer:swap', { callId: call.id }).then(async () => {
                      // Complete once the swap has settled (no hold under way on any leg), not after a fixed pause.
                      await agent
                        .until(() => agent.live().every((c) => !c.holdPending) || null, 10_000, 'the swap settled')
                        .catch(() => undefined);
                      return agent.ipc('transfer:complete', { callId: call.id });
                    })
                  : await agent.ipc(`transfer:${action}`, { callId: call.id });
            // A race with the transferee hanging up is fine; anything else is a bug.
            if (!r.ok && r.code !== 'not-allowed') problems.push(`${action} refused: ${r.code} ${r.message}`);
            await agent
              .until(() => {
                const x = agent.transfer(call.id);
                return x && x.phase !== 'completing' && x.phase !== 'consulting' ? x : x?.phase === 'consulting' && x.timeline.at(-1)?.step === 'failed' ? x : null;
              }, 10_000, 'after the agent acted')
              .catch(() => undefined);
          }
        }
      } else {
        await agent.request('transfer:blind', { callId: call.id, target: { kind: 'uri', uri: transferee.uri }, safe: mode === 'safe-blind' });
      }
      final = await settled('transfer settled');
    } catch (e) {
      problems.push(String(e));
      final = agent.transfer(call.id)!;
    }

    const steps = final?.timeline.map((e) => e.step) ?? [];
    if (final) problems.push(...timelineProblems(final));
    let outcome: SoakResult['outcome'] = 'cancelled';
    let dropped = false;
    if (final?.phase === 'done' && (['completed', 'released', 'new-call'] as const).some((s) => steps.includes(s))) {
      const referred = (await caller.calls()).filter((c) => c.referredBy !== undefined)[referredBefore];
      const reached = referred !== undefined && caller.events.some((e) => e.type === 'established' && e.call === referred.id);
      outcome = reached ? 'transferred' : 'released';
      // Safe modes release the caller only once the transferee answered.
      if (mode !== 'blind' && !reached) {
        if (referred) await caller.waitForEvent((e) => e.type === 'established' && e.call === referred.id, 5000, 'the referred call established').catch(() => undefined);
        dropped = !caller.events.some((e) => e.type === 'established' && e.call === referred?.id);
        if (!dropped) outcome = 'transferred';
      }
    } else if (final?.phase === 'idle') {
      outcome = steps.includes('taken-back') || steps.at(-1) === 'failed' ? 'taken-back' : 'cancelled';
      const c = await agent
        .until(() => {
          const x = callOf(call.id);
          return x && x.state === 'established' && !x.hold.local && !x.holdPending && x.holdAudio === 'you' ? x : null;
        }, 10_000, 'caller back')
        .catch(() => null);
      if (!c) dropped = true;
      else {
        try {
          await caller.expectHears({ tones: [TONES.agent], music: false }, 6000, callerCall);
        } catch (e) {
          problems.push(`caller back but does not hear the agent: ${String(e)}`);
        }
      }
    } else {
      problems.push(`unsettled: phase ${final?.phase}`);
      dropped = mode !== 'blind';
    }

    // The stored timeline is the same story under the same step names (history adds refer-sent / accepted).
    const repo = agent.core.history;
    if (repo) {
      const summary = repo.page({ limit: 20 }).items.find((s) => s.callId === call.id);
      const stored = summary ? repo.get(summary.id).transfers.map((s) => s.step).filter((s) => s !== 'refer-sent' && s !== 'accepted') : [];
      if (stored.join(',') !== steps.join(',')) problems.push(`history [${stored.join(',')}] ≠ timeline [${steps.join(',')}]`);
    }

    // Clean up for the next one.
    for (const p of [caller, transferee]) for (const c of await p.calls()) if (c.state !== 'terminated') await p.hangup(c.id).catch(() => undefined);
    await agent.clear().catch((e: unknown) => problems.push(`cleanup: ${String(e)}`));
    await lab.reset().catch((e: unknown) => problems.push(`lab reset: ${String(e)}`));
    if (agent.live().length > 0) problems.push('agent still has legs');
    const left = agent.core.transfers.service.counters();
    if (left.timers > 0 || left.wants > 0) problems.push(`transfer left ${left.timers} timer(s) and ${left.wants} hold request(s)`);

    const result: SoakResult = { index: i, mode, behaviour, outcome, droppedCaller: dropped, problems, steps, ms: Date.now() - started };
    results.push(result);
    ctx.log?.(`#${i + 1} ${mode} ${behaviour} → ${outcome}${dropped ? ' DROPPED' : ''} [${steps.join(',')}] ${result.ms} ms${problems.length ? ` PROBLEMS: ${problems.join(' | ')}` : ''}`);
  }

  const count_ = <K extends string>(key: (r: SoakResult) => K) =>
    results.reduce<Record<string, number>>((m, r) => ((m[key(r)] = (m[key(r)] ?? 0) + 1), m), {});
  return {
    count,
    seed,
    byMode: { blind: 0, 'safe-blind': 0, attended: 0, ...count_((r) => r.mode) } as Record<SoakMode, number>,
    byOutcome: count_((r) => r.outcome),
    droppedInSafeModes: results.filter((r) => r.mode !== 'blind' && r.droppedCaller).length,
    inconsistent: results.filter((r) => r.problems.length > 0).length,
    failures: results.filter((r) => r.problems.length > 0 || (r.mode !== 'blind' && r.droppedCaller)),
    totalMs: Date.now() - t0,
  };
}
