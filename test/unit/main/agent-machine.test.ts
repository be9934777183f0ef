/**
 * The agent status machine (main/agent/machine.ts): every status × event
 * pair has a defined outcome (moves, ignores, or a refusal naming `from →
 * event`), wrap-up starts only after the last answered call while available,
 * and a stale timer never ends a later wrap-up.
 */
import { describe, expect, it } from 'vitest';
import {
  agentActionsFor,
  IllegalAgentTransition,
  initialAgentState,
  MAX_WRAP_UP_MS,
  transition,
  type AgentEvent,
  type AgentMachineState,
} from '../../../main/agent/machine';
import { agentStates } from '../../../preload/contract';

const T0 = 1_000_000;
const available = initialAgentState(T0);
const away = transition(available, { type: 'agent.set', at: T0 + 1, status: 'away', wrapUpMs: 30_000 }).state;
const wrapUp = transition(available, { type: 'call.ended', at: T0 + 1, answered: true, othersUp: 0, wrapUpMs: 30_000 }).state;
const byStatus: Record<string, AgentMachineState> = { available, away, 'wrap-up': wrapUp };

describe('agent machine', () => {
  it('starts available, with no wrap-up and no timer', () => {
    expect(available).toEqual({ status: 'available', since: T0, wrapUp: null, timers: 0 });
  });

  it('the last answered call ending while available starts a wrap-up with its timer', () => {
    const r = transition(available, { type: 'call.ended', at: T0 + 5, answered: true, othersUp: 0, wrapUpMs: 30_000 });
    expect(r.state).toMatchObject({ status: 'wrap-up', since: T0 + 5, wrapUp: { startedAt: T0 + 5, endsAt: T0 + 30_005, cause: 'call-ended', extensions: 0, timer: 'wrap-up-1' } });
    expect(r.effects).toEqual([
      { type: 'timer.start', timer: 'wrap-up-1', ms: 30_000 },
      { type: 'status.changed', status: 'wrap-up', at: T0 + 5, cause: 'call-ended' },
      { type: 'publish' },
    ]);
  });

  it.each([
    ['an unanswered call (missed, declined)', { answered: false, othersUp: 0, wrapUpMs: 30_000 }],
    ['a call while another answered call is still up', { answered: true, othersUp: 1, wrapUpMs: 30_000 }],
    ['a call when no wrap-up time is configured', { answered: true, othersUp: 0, wrapUpMs: 0 }],
  ])('no wrap-up after %s', (_what, e) => {
    expect(transition(available, { type: 'call.ended', at: T0 + 5, ...e })).toEqual({ state: available, effects: [] });
  });

  it('a call ending while away leaves the agent away', () => {
    expect(transition(away, { type: 'call.ended', at: T0 + 9, answered: true, othersUp: 0, wrapUpMs: 30_000 }).state).toBe(away);
  });

  it('the wrap-up timer makes the agent available; a stale one (ended early, extended) is ignored', () => {
    const over = transition(wrapUp, { type: 'timer.fired', at: T0 + 30_001, timer: 'wrap-up-1' });
    expect(over.state).toMatchObject({ status: 'available', wrapUp: null, since: T0 + 30_001 });
    expect(over.effects).toEqual([
      { type: 'timer.cancel', timer: 'wrap-up-1' },
      { type: 'status.changed', status: 'available', at: T0 + 30_001, cause: 'wrap-up-over' },
      { type: 'publish' },
    ]);
    expect(transition(over.state, { type: 'timer.fired', at: T0 + 30_002, timer: 'wrap-up-1' })).toEqual({ state: over.state, effects: [] });
    const extended = transition(wrapUp, { type: 'agent.extend', at: T0 + 10_000, byMs: 30_000 }).state;
    expect(transition(extended, { type: 'timer.fired', at: T0 + 30_001, timer: 'wrap-up-1' }).state).toBe(extended);
  });

  it('extending moves the end later under a new timer, and never past an hour left', () => {
    const r = transition(wrapUp, { type: 'agent.extend', at: T0 + 10_000, byMs: 30_000 });
    expect(r.state.wrapUp).toMatchObject({ endsAt: T0 + 60_001, extensions: 1, timer: 'wrap-up-2' });
    expect(r.effects).toEqual([
      { type: 'timer.cancel', timer: 'wrap-up-1' },
      { type: 'timer.start', timer: 'wrap-up-2', ms: 50_001 },
      { type: 'wrapUp.extended', at: T0 + 10_000, endsAt: T0 + 60_001 },
      { type: 'publish' },
    ]);
    let s = r.state;
    for (let i = 0; i < 200 && s.wrapUp!.endsAt < T0 + 10_000 + MAX_WRAP_UP_MS; i++) s = transition(s, { type: 'agent.extend', at: T0 + 10_000, byMs: 600_000 }).state;
    expect(s.wrapUp!.endsAt).toBe(T0 + 10_000 + MAX_WRAP_UP_MS);
    expect(agentActionsFor(s, T0 + 10_000, 30_000)).not.toContain('extend-wrap-up');
    expect(() => transition(s, { type: 'agent.extend', at: T0 + 10_000, byMs: 1000 })).toThrow(/wrap-up → agent\.extend: the wrap-up already runs as long as it may/);
  });

  it('answering a call during wrap-up ends it; that call ending starts a new one', () => {
    const on = transition(wrapUp, { type: 'call.answered', at: T0 + 2000 });
    expect(on.state).toMatchObject({ status: 'available', wrapUp: null });
    expect(on.effects[1]).toEqual({ type: 'status.changed', status: 'available', at: T0 + 2000, cause: 'call-answered' });
    const again = transition(on.state, { type: 'call.ended', at: T0 + 9000, answered: true, othersUp: 0, wrapUpMs: 30_000 });
    expect(again.state.wrapUp).toMatchObject({ timer: 'wrap-up-2', endsAt: T0 + 39_000 });
  });

  it('the agent chooses wrap-up (the configured time), ends it early, or goes away from it', () => {
    const chosen = transition(available, { type: 'agent.set', at: T0 + 1, status: 'wrap-up', wrapUpMs: 45_000 });
    expect(chosen.state.wrapUp).toMatchObject({ cause: 'agent', endsAt: T0 + 45_001 });
    expect(transition(chosen.state, { type: 'agent.endWrapUp', at: T0 + 2 }).state).toMatchObject({ status: 'available', wrapUp: null });
    const gone = transition(chosen.state, { type: 'agent.set', at: T0 + 3, status: 'away', wrapUpMs: 45_000 });
    expect(gone.state).toMatchObject({ status: 'away', wrapUp: null });
    expect(gone.effects[0]).toEqual({ type: 'timer.cancel', timer: 'wrap-up-1' });
    expect(() => transition(available, { type: 'agent.set', at: T0, status: 'wrap-up', wrapUpMs: 0 })).toThrow(IllegalAgentTransition);
  });

  it('choosing the status one already has changes nothing', () => {
    for (const status of agentStates) {
      const s = byStatus[status]!;
      expect(transition(s, { type: 'agent.set', at: T0 + 50, status, wrapUpMs: 30_000 })).toEqual({ state: s, effects: [] });
    }
  });

  describe('every status × event pair', () => {
    const events: AgentEvent[] = [
      { type: 'agent.set', at: T0 + 100, status: 'available', wrapUpMs: 30_000 },
      { type: 'agent.set', at: T0 + 100, status: 'away', wrapUpMs: 30_000 },
      { type: 'agent.set', at: T0 + 100, status: 'wrap-up', wrapUpMs: 30_000 },
      { type: 'agent.extend', at: T0 + 100, byMs: 30_000 },
      { type: 'agent.endWrapUp', at: T0 + 100 },
      { type: 'call.answered', at: T0 + 100 },
      { type: 'call.ended', at: T0 + 100, answered: true, othersUp: 0, wrapUpMs: 30_000 },
      { type: 'timer.fired', at: T0 + 100, timer: 'wrap-up-1' },
      { type: 'timer.fired', at: T0 + 100, timer: 'wrap-up-99' },
    ];
    const refused = new Set(['available agent.extend', 'away agent.extend', 'available agent.endWrapUp', 'away agent.endWrapUp']);
    for (const status of agentStates) {
      for (const event of events) {
        const name = `${status} ${event.type}`;
        it(`${name}${'status' in event ? `(${event.status})` : ''}${'timer' in event ? `(${event.timer})` : ''}`, () => {
          const s = byStatus[status]!;
          if (refused.has(name)) {
            expect(() => transition(s, event)).toThrow(new RegExp(`^${status} → ${event.type}: `));
            return;
          }
          const r = transition(s, event);
          // Whatever happened, the state is consistent: a wrap-up exactly when the status says so,
          // a status change is published, and every started timer is the wrap-up's own.
          expect(r.state.wrapUp !== null).toBe(r.state.status === 'wrap-up');
          const changed = r.effects.some((e) => e.type === 'status.changed');
          expect(r.effects.some((e) => e.type === 'publish')).toBe(changed || r.effects.some((e) => e.type === 'wrapUp.extended'));
          if (changed) expect(r.state.since).toBe(T0 + 100);
          for (const e of r.effects) if (e.type === 'timer.start') expect(e.timer).toBe(r.state.wrapUp?.timer);
        });
      }
    }
  });

  it('offers exactly the moves it accepts', () => {
    expect(agentActionsFor(available, T0, 30_000)).toEqual(['away', 'wrap-up']);
    expect(agentActionsFor(available, T0, 0)).toEqual(['away']);
    expect(agentActionsFor(away, T0, 30_000)).toEqual(['available', 'wrap-up']);
    expect(agentActionsFor(wrapUp, T0 + 10, 30_000)).toEqual(['available', 'away', 'extend-wrap-up', 'end-wrap-up']);
  });
});
