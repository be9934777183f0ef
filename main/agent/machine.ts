/**
 * The agent's status as a state machine: `transition(state, event) →
 * { state, effects }`, pure like main/calls/ (docs/code-style.md, "State
 * machines are data"). Time is an input (`at`), the wrap-up's end is a timer
 * effect that comes back as `timer.fired`, and nothing is read from the
 * outside: the service passes the durations from the preferences in events.
 *
 *                 agent.set(away)
 *     ┌───────────┐ ─────────────▶ ┌──────┐
 *     │ available │                │ away │
 *     └───────────┘ ◀───────────── └──────┘
 *       │  ▲   ▲     agent.set(available)│
 *       │  │   │                         │ agent.set(wrap-up)
 *       │  │   │ agent.set(available) /  ▼
 *       │  │   │ agent.endWrapUp /  ┌─────────┐ ◀─┐ agent.extend
 *       │  │   └─ timer.fired ───── │ wrap-up │ ──┘ (the end moves later)
 *       │  └──── call.answered ──── └─────────┘
 *       │   call.ended (answered, the last call,   ▲   agent.set(away) → away
 *       └── wrap-up time > 0) / agent.set(wrap-up) ┘
 *
 * A call ending while away leaves the agent away: away is the agent's word,
 * and after-call work only follows calls taken while available. Answering a
 * call during wrap-up ends the wrap-up (the agent is on a call); its end
 * starts a new one. A move the machine does not allow (extend while not in
 * wrap-up) throws IllegalAgentTransition with `from → event`; a stale timer is
 * ignored explicitly.
 */
import type { AgentActionName, AgentState } from '../../preload/contract/agent';

/** A wrap-up is never extended past this much time left: after-call work is not a break. */
export const MAX_WRAP_UP_MS = 60 * 60 * 1000;

/** Why a status period started, in the words the history stores. */
export type AgentCause = 'start' | 'agent' | 'call-ended' | 'call-answered' | 'wrap-up-over';

export interface WrapUp {
  readonly startedAt: number;
  readonly endsAt: number;
  readonly cause: 'call-ended' | 'agent';
  readonly extensions: number;
  /** Id of the timer that ends it; a fired timer with another id is stale. */
  readonly timer: string;
}

export interface AgentMachineState {
  readonly status: AgentState;
  readonly since: number;
  readonly wrapUp: WrapUp | null;
  /** Counter for timer ids, so a timer of an earlier wrap-up can never end a later one. */
  readonly timers: number;
}

export type AgentEvent =
  | { type: 'agent.set'; at: number; status: AgentState; wrapUpMs: number }
  | { type: 'agent.extend'; at: number; byMs: number }
  | { type: 'agent.endWrapUp'; at: number }
  | { type: 'call.answered'; at: number }
  /** `othersUp`: answered calls of the agent still up after this one. */
  | { type: 'call.ended'; at: number; answered: boolean; othersUp: number; wrapUpMs: number }
  | { type: 'timer.fired'; at: number; timer: string };

export type AgentEffect =
  | { type: 'timer.start'; timer: string; ms: number }
  | { type: 'timer.cancel'; timer: string }
  /** A new status period starts (history, platform, publish follow from it). */
  | { type: 'status.changed'; status: AgentState; at: number; cause: AgentCause }
  /** The running wrap-up got longer (history counts it; the view shows the new end). */
  | { type: 'wrapUp.extended'; at: number; endsAt: number }
  | { type: 'publish' };

export class IllegalAgentTransition extends Error {
  constructor(
    readonly from: AgentState,
    readonly event: AgentEvent['type'],
    readonly detail: string,
  ) {
    super(`${from} → ${event}: ${detail}`);
    this.name = 'IllegalAgentTransition';
  }
}

export const initialAgentState = (at: number): AgentMachineState => ({ status: 'available', since: at, wrapUp: null, timers: 0 });

export interface Transition {
  state: AgentMachineState;
  effects: AgentEffect[];
}

const unchanged = (state: AgentMachineState): Transition => ({ state, effects: [] });

/** Leaves wrap-up (if in it) for `status`. */
function moveTo(state: AgentMachineState, status: Exclude<AgentState, 'wrap-up'>, at: number, cause: AgentCause): Transition {
  const effects: AgentEffect[] = [];
  if (state.wrapUp) effects.push({ type: 'timer.cancel', timer: state.wrapUp.timer });
  effects.push({ type: 'status.changed', status, at, cause }, { type: 'publish' });
  return { state: { ...state, status, since: at, wrapUp: null }, effects };
}

function startWrapUp(state: AgentMachineState, at: number, ms: number, cause: WrapUp['cause']): Transition {
  const timer = `wrap-up-${state.timers + 1}`;
  const effects: AgentEffect[] = [];
  if (state.wrapUp) effects.push({ type: 'timer.cancel', timer: state.wrapUp.timer });
  effects.push(
    { type: 'timer.start', timer, ms },
    { type: 'status.changed', status: 'wrap-up', at, cause },
    { type: 'publish' },
  );
  return {
    state: { status: 'wrap-up', since: at, wrapUp: { startedAt: at, endsAt: at + ms, cause, extensions: 0, timer }, timers: state.timers + 1 },
    effects,
  };
}

export function transition(state: AgentMachineState, event: AgentEvent): Transition {
  switch (event.type) {
    case 'agent.set': {
      if (event.status === state.status) return unchanged(state);
      if (event.status === 'wrap-up') {
        if (event.wrapUpMs <= 0) throw new IllegalAgentTransition(state.status, event.type, 'no wrap-up time is set');
        return startWrapUp(state, event.at, Math.min(event.wrapUpMs, MAX_WRAP_UP_MS), 'agent');
      }
      return moveTo(state, event.status, event.at, 'agent');
    }
    case 'agent.extend': {
      const w = state.wrapUp;
      if (!w) throw new IllegalAgentTransition(state.status, event.type, 'only a wrap-up can be extended');
      const endsAt = Math.min(Math.max(w.endsAt, event.at) + event.byMs, event.at + MAX_WRAP_UP_MS);
      if (endsAt <= w.endsAt) throw new IllegalAgentTransition(state.status, event.type, 'the wrap-up already runs as long as it may');
      // A new timer id: the old timer may already be on its way (a late fire is then stale).
      const timer = `wrap-up-${state.timers + 1}`;
      return {
        state: { ...state, wrapUp: { ...w, endsAt, extensions: w.extensions + 1, timer }, timers: state.timers + 1 },
        effects: [
          { type: 'timer.cancel', timer: w.timer },
          { type: 'timer.start', timer, ms: endsAt - event.at },
          { type: 'wrapUp.extended', at: event.at, endsAt },
          { type: 'publish' },
        ],
      };
    }
    case 'agent.endWrapUp':
      if (!state.wrapUp) throw new IllegalAgentTransition(state.status, event.type, 'there is no wrap-up to end');
      return moveTo(state, 'available', event.at, 'agent');
    case 'call.answered':
      // On a call, after-call work is over (the next call's end starts a new one).
      return state.wrapUp ? moveTo(state, 'available', event.at, 'call-answered') : unchanged(state);
    case 'call.ended':
      if (!event.answered || event.othersUp > 0 || state.status !== 'available' || event.wrapUpMs <= 0) return unchanged(state);
      return startWrapUp(state, event.at, Math.min(event.wrapUpMs, MAX_WRAP_UP_MS), 'call-ended');
    case 'timer.fired':
      // Stale: a wrap-up ended early, extended (new timer) or replaced; the fire is ignored.
      if (!state.wrapUp || state.wrapUp.timer !== event.timer) return unchanged(state);
      return moveTo(state, 'available', event.at, 'wrap-up-over');
  }
}

/** What the agent may do now (the UI renders exactly this). */
export function agentActionsFor(state: AgentMachineState, at: number, wrapUpMs: number): AgentActionName[] {
  const actions: AgentActionName[] = [];
  if (state.status !== 'available') actions.push('available');
  if (state.status !== 'away') actions.push('away');
  if (state.status !== 'wrap-up' && wrapUpMs > 0) actions.push('wrap-up');
  if (state.wrapUp) {
    if (state.wrapUp.endsAt < at + MAX_WRAP_UP_MS) actions.push('extend-wrap-up');
    actions.push('end-wrap-up');
  }
  return actions;
}
