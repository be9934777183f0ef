/**
 * The agent's status assembled: the status service (main/agent/service.ts)
 * fed by the call service's own events (an answered call, the last call
 * ending), recording into the history, handing each status to the targets
 * provider (VoIPBIN keeps one; the configured list and SIP presence keep
 * none), and published as agent:changed. It also guards incoming calls while
 * the agent is quiet (away or do-not-disturb): refused when the agent chose so
 * (main/agent/quiet.ts), otherwise left to ring in the console.
 */
import { contract, ConsoleError, type AgentState, type AgentView } from '../../preload/contract';
import { isQuiet, incomingCallPolicy } from '../agent/quiet';
import { createAgentService, type AgentService, type AgentStatusRecorder } from '../agent/service';
import type { CallService } from '../calls/call/service';
import type { Router } from '../ipc/router';
import type { Logger } from '../logging/logger';
import type { SettingsStore } from '../settings/store';
import type { Targets } from './targets';

export interface AgentCore {
  view(): AgentView;
  set(status: AgentState): AgentView;
  extendWrapUp(): AgentView;
  endWrapUp(): AgentView;
  /** The do-not-disturb switch, kept in the preferences (settings:changed is pushed). */
  setDoNotDisturb(on: boolean): AgentView;
  /** Every new view, in order (the tray and the notifications follow it); returns the unsubscribe. */
  onChange(listener: (view: AgentView) => void): () => void;
  /** The preferences changed: do-not-disturb or quiet calls may have. */
  preferencesChanged(): void;
  readonly service: AgentService;
  stop(): void;
}

export function startAgent(o: {
  router: Router;
  settings: SettingsStore;
  calls: CallService;
  targets: Pick<Targets, 'setAgentStatus'>;
  recorder: AgentStatusRecorder | null;
  now: () => number;
  log: Logger;
}): AgentCore {
  const prefs = () => o.settings.file().preferences.agent;
  const listeners = new Set<(view: AgentView) => void>();
  let last = '';

  const view = (): AgentView => {
    const s = service.state();
    const p = prefs();
    return {
      status: s.status,
      since: s.since,
      wrapUp: s.wrapUp && { startedAt: s.wrapUp.startedAt, endsAt: s.wrapUp.endsAt, cause: s.wrapUp.cause, extensions: s.wrapUp.extensions },
      doNotDisturb: p.doNotDisturb,
      quiet: isQuiet({ status: s.status, doNotDisturb: p.doNotDisturb }),
      quietCalls: p.quietCalls,
      platform: service.platform(),
      allowedActions: service.allowedActions(),
    };
  };
  /** Pushed only when something in the view changed (a preferences save of other sections says nothing). */
  const publish = () => {
    const v = view();
    const key = JSON.stringify(v);
    if (key === last) return;
    last = key;
    o.router.push(contract.agent.changed, v);
    for (const l of [...listeners]) l(v);
  };

  const service: AgentService = createAgentService({
    clock: {
      now: o.now,
      setTimeout(fn, ms) {
        // Cancelled on every end path (a new status, stop); never keeps the process alive alone.
        const t = setTimeout(fn, ms);
        t.unref?.();
        return () => clearTimeout(t);
      },
    },
    times: () => prefs(),
    recorder: o.recorder,
    platform: async (status) => {
      try {
        await o.targets.setAgentStatus(status);
        return 'synced';
      } catch (e) {
        // The configured list and SIP presence keep no status: nothing to hand over, not a failure.
        if (e instanceof ConsoleError && e.code === 'not-allowed') return 'none';
        throw e;
      }
    },
    publish: () => publish(),
    log: o.log,
  });
  last = JSON.stringify(view());

  const offFacts = o.calls.onFact((fact) => {
    if (fact.type === 'answered') return service.callAnswered();
    if (fact.type === 'ended') {
      const othersUp = o.calls.states().filter((c) => c.id !== fact.callId && c.phase !== 'ended' && c.answeredAt !== null).length;
      return service.callEnded(fact.answered, othersUp);
    }
    if (fact.type !== 'arrived') return;
    const p = prefs();
    const policy = incomingCallPolicy({ status: service.state().status, doNotDisturb: p.doNotDisturb, quietCalls: p.quietCalls, replaces: fact.replaces });
    if (policy === 'ring') return;
    o.log.info('agent: incoming call refused while quiet', { callId: fact.callId });
    try {
      // The code is the agent's `calls.declineWith` (busy by default: a queue tries the next agent).
      o.calls.decline(fact.callId);
    } catch (e) {
      o.log.warn('agent: quiet refusal failed', { callId: fact.callId, error: String(e) });
    }
  });

  const act = (fn: () => void): AgentView => {
    fn();
    return view();
  };

  return {
    view,
    set: (status) => act(() => service.set(status)),
    extendWrapUp: () => act(() => service.extendWrapUp()),
    endWrapUp: () => act(() => service.endWrapUp()),
    setDoNotDisturb(on) {
      if (prefs().doNotDisturb !== on) {
        const settings = o.settings.updatePreferences({ agent: { doNotDisturb: on } });
        o.router.push(contract.settings.changed, settings);
        publish();
      }
      return view();
    },
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    preferencesChanged: () => publish(),
    service,
    stop() {
      offFacts();
      listeners.clear();
      service.dispose();
    },
  };
}
