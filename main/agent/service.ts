/**
 * The agent status service: the one place that changes the agent's status.
 * It feeds the pure machine (machine.ts) the agent's intents and the call
 * facts the composition root passes on, executes the effects in order —
 * timers through the injected Clock, a status period into the history, the
 * status to the targets provider's platform — and publishes the view after
 * every change. No Electron, no Node timers, no I/O of its own.
 */
import { ConsoleError, type AgentState } from '../../preload/contract';
import type { Clock } from '../calls/call/ports';
import type { Logger } from '../logging/logger';
import {
  agentActionsFor,
  IllegalAgentTransition,
  initialAgentState,
  transition,
  type AgentCause,
  type AgentEvent,
  type AgentMachineState,
} from './machine';

/** Where status periods are stored (main/history's repository implements it). */
export interface AgentStatusRecorder {
  agentStatusStarted(e: { status: AgentState; cause: AgentCause; at: number }): void;
  agentWrapUpExtended(e: { at: number; endsAt: number }): void;
  /** The console stops: the open period ends now. */
  agentStatusEnded(at: number): void;
}

/**
 * The status on the targets provider's platform. Resolves `synced`, or `none`
 * where the provider keeps no status; rejects with the platform's reason.
 */
export type AgentPlatform = (status: AgentState) => Promise<'synced' | 'none'>;

export interface AgentTimes {
  /** After-call work when the last call ends; 0: none. */
  wrapUpSec: number;
  wrapUpExtendSec: number;
}

export interface AgentServiceOptions {
  clock: Clock;
  times: () => AgentTimes;
  recorder: AgentStatusRecorder | null;
  platform: AgentPlatform;
  /** Called after every change (status, wrap-up end, platform state). */
  publish: () => void;
  log: Logger;
}

export interface PlatformState {
  state: 'none' | 'pending' | 'synced' | 'failed';
  message: string | null;
}

export interface AgentService {
  state(): AgentMachineState;
  platform(): PlatformState;
  allowedActions(): ReturnType<typeof agentActionsFor>;
  set(status: AgentState): void;
  extendWrapUp(): void;
  endWrapUp(): void;
  callAnswered(): void;
  callEnded(answered: boolean, othersUp: number): void;
  /** Live timers, for leak checks: 0 outside a wrap-up. */
  counters(): { timers: number };
  /** Cancels the timer and closes the history's open period. Safe to call twice. */
  dispose(): void;
}

export function createAgentService(o: AgentServiceOptions): AgentService {
  let state = initialAgentState(o.clock.now());
  let platform: PlatformState = { state: 'none', message: null };
  /** Only the newest platform request may report back: an older one finishing late says nothing. */
  let platformSeq = 0;
  const timers = new Map<string, () => void>();
  let disposed = false;

  const afterCallMs = () => o.times().wrapUpSec * 1000;
  /** A wrap-up the agent starts lasts the configured time, or one extension when none is configured. */
  const chosenWrapUpMs = () => (o.times().wrapUpSec || o.times().wrapUpExtendSec) * 1000;

  const toPlatform = (status: AgentState) => {
    const seq = ++platformSeq;
    platform = { state: 'pending', message: null };
    o.platform(status).then(
      (result) => {
        if (seq !== platformSeq || disposed) return;
        platform = { state: result, message: null };
        o.publish();
      },
      (e: unknown) => {
        if (seq !== platformSeq || disposed) return;
        platform = { state: 'failed', message: e instanceof Error ? e.message : String(e) };
        o.log.warn('agent: status not set on the platform', { status, error: String(e) });
        o.publish();
      },
    );
  };

  const record = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      // A full disk must not stop the agent from going available.
      o.log.error(`agent: ${what} not recorded`, { error: String(e) });
    }
  };

  const apply = (event: AgentEvent) => {
    if (disposed) return;
    const result = transition(state, event);
    state = result.state;
    for (const effect of result.effects) {
      switch (effect.type) {
        case 'timer.start': {
          const id = effect.timer;
          const cancel = o.clock.setTimeout(() => {
            timers.delete(id);
            apply({ type: 'timer.fired', at: o.clock.now(), timer: id });
          }, effect.ms);
          timers.set(id, cancel);
          break;
        }
        case 'timer.cancel':
          timers.get(effect.timer)?.();
          timers.delete(effect.timer);
          break;
        case 'status.changed':
          o.log.info('agent: status', { status: effect.status, cause: effect.cause });
          if (o.recorder) {
            const recorder = o.recorder;
            record('status', () => recorder.agentStatusStarted({ status: effect.status, cause: effect.cause, at: effect.at }));
          }
          toPlatform(effect.status);
          break;
        case 'wrapUp.extended':
          if (o.recorder) {
            const recorder = o.recorder;
            record('wrap-up extension', () => recorder.agentWrapUpExtended({ at: effect.at, endsAt: effect.endsAt }));
          }
          break;
        case 'publish':
          o.publish();
          break;
      }
    }
  };

  /** An agent intent the machine refuses is the agent's `not-allowed`, with the machine's reason. */
  const intent = (event: AgentEvent) => {
    try {
      apply(event);
    } catch (e) {
      if (e instanceof IllegalAgentTransition) {
        throw new ConsoleError('not-allowed', e.detail.charAt(0).toUpperCase() + e.detail.slice(1) + '.');
      }
      throw e;
    }
  };

  // The first period of this run: the history knows when the console started taking calls.
  if (o.recorder) {
    const recorder = o.recorder;
    record('status', () => recorder.agentStatusStarted({ status: state.status, cause: 'start', at: state.since }));
  }

  return {
    state: () => state,
    platform: () => platform,
    allowedActions: () => agentActionsFor(state, o.clock.now(), chosenWrapUpMs()),
    set: (status) => intent({ type: 'agent.set', at: o.clock.now(), status, wrapUpMs: chosenWrapUpMs() }),
    extendWrapUp: () => intent({ type: 'agent.extend', at: o.clock.now(), byMs: o.times().wrapUpExtendSec * 1000 }),
    endWrapUp: () => intent({ type: 'agent.endWrapUp', at: o.clock.now() }),
    callAnswered: () => apply({ type: 'call.answered', at: o.clock.now() }),
    callEnded: (answered, othersUp) => apply({ type: 'call.ended', at: o.clock.now(), answered, othersUp, wrapUpMs: afterCallMs() }),
    counters: () => ({ timers: timers.size }),
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const cancel of timers.values()) cancel();
      timers.clear();
      if (o.recorder) {
        const recorder = o.recorder;
        record('end of status', () => recorder.agentStatusEnded(o.clock.now()));
      }
    },
  };
}
