/**
 * The built-in demo as the core runs it (docs/demo.md). Starting it:
 *
 *   switchboard (127.0.0.1, free port) → parties page (hidden) → colleagues registered
 *   → demo history in force → the line gets the demo account and registers
 *   → the demo's queue and colleagues in the targets panel → on
 *
 * Leaving undoes it in reverse: the demo's calls are ended, the targets and
 * the line go back to the agent's own settings (the line restarts with the
 * real account, which was never touched), the history back to the real one,
 * then the page and the switchboard stop. A start that fails on the way is
 * undone the same way and says why.
 *
 * Nothing here shortcuts SIP or WebRTC: the console's line, calls, transfers
 * and history run exactly as against a PBX; the demo only supplies the PBX
 * and the people.
 */
import { ConsoleError, contract, type DemoPace, type DemoView, type AgentView } from '../../preload/contract';
import type { CallService } from '../calls/call/service';
import type { TelephonyCore } from '../core/telephony';
import type { Targets } from '../core/targets';
import type { Router } from '../ipc/router';
import type { Logger } from '../logging/logger';
import { demoAccount, type DemoAccountSwitch } from './account';
import { createDirector, type Director } from './director';
import type { HistorySwitch } from './history';
import { createDemoProvider } from './provider';
import { AGENT_USER, COLLEAGUES, DEMO_DOMAIN, knownUser, SUPPORT_QUEUE } from './roster';
import type { Pace } from './scripts';
import type { Switchboard } from './switchboard';

/** Opens the hidden parties page at `url`'s query (`?director=…`); resolves with its close. */
export type OpenParties = (query: string) => Promise<() => Promise<void>>;

export interface DemoDeps {
  router: Router;
  phone: Pick<TelephonyCore, 'accountChanged' | 'lineStatus' | 'onLineStatus' | 'calls' | 'media'>;
  targets: Pick<Targets, 'override'>;
  history: HistorySwitch;
  account: DemoAccountSwitch;
  /** The agent's status: the queue offers calls only while the agent is available. */
  agent: { view(): AgentView; onChange(listener: (view: AgentView) => void): () => void };
  /** The hidden parties page; absent where the demo cannot run. */
  openParties: OpenParties | null;
  log: Logger;
  now: () => number;
  /** Tests: pure tones the parties' ears should know, a seeded random, colleagues' spontaneity off, queue timings. */
  tuning?: {
    tones?: number[];
    random?: () => number;
    auto?: boolean;
    queue?: { ringMs?: number; restMs?: number; overflowSec?: number };
    readyTimeoutMs?: number;
  };
}

export interface DemoSession {
  readonly switchboard: Switchboard;
  readonly director: Director;
}

export interface DemoMode {
  view(): DemoView;
  start(pace: DemoPace): Promise<DemoView>;
  leave(): Promise<DemoView>;
  setPace(pace: DemoPace): DemoView;
  sendCaller(): DemoView;
  /** The running demo (tests drive its people through it); null when off. */
  readonly session: DemoSession | null;
  stop(): Promise<void>;
}

const READY_MS = 20_000;
const REGISTER_MS = 15_000;
const CALLS_END_MS = 5_000;

export function createDemoMode(d: DemoDeps): DemoMode {
  const log = d.log.scope('demo');
  let state: DemoView['state'] = 'off';
  let reason: string | null = null;
  let pace: DemoPace = 'steady';
  let session: (DemoSession & { closeParties: (() => Promise<void>) | null; offs: Array<() => void> }) | null = null;
  let busy: Promise<unknown> = Promise.resolve();

  const available = () => d.openParties !== null && d.phone.media !== null;
  const view = (): DemoView => ({
    state,
    reason: available() ? reason : 'The demo needs the app\u2019s hidden audio and demo pages, which are not running here.',
    available: available(),
    pace,
    address: state === 'on' ? `sip:${AGENT_USER}@${DEMO_DOMAIN}` : null,
  });
  const set = (next: DemoView['state'], why: string | null = null) => {
    state = next;
    reason = why;
    d.router.push(contract.demo.changed, view());
  };

  /** One start or leave at a time: a second click waits for the first to finish. */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = busy.then(fn, fn);
    busy = run.catch(() => undefined);
    return run;
  };

  const liveCalls = (calls: CallService) => calls.states().filter((c) => c.phase !== 'ended');

  const waitFor = (what: string, ms: number, ready: () => boolean, subscribe: (check: () => void) => () => void) =>
    new Promise<void>((resolve, reject) => {
      if (ready()) return resolve();
      const timer = setTimeout(() => {
        off();
        reject(new Error(`${what} did not happen within ${ms / 1000} s.`));
      }, ms);
      const off = subscribe(() => {
        if (!ready()) return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });

  /** Ends every call the demo has, and waits until the call service saw them end. */
  const endCalls = async () => {
    const calls = d.phone.calls;
    for (const c of liveCalls(calls)) {
      try {
        if (c.direction === 'incoming' && c.phase === 'ringing') calls.decline(c.id);
        else calls.release(c.id);
      } catch (e) {
        log.debug('demo: a call could not be ended on leaving', { error: String(e) });
      }
    }
    await waitFor('The demo calls ending', CALLS_END_MS, () => liveCalls(calls).length === 0, (check) => calls.onFact(check)).catch((e: unknown) =>
      log.warn('demo: calls still up on leaving', { error: String(e) }),
    );
  };

  /**
   * Undoes whatever a start got done, in reverse. `restore`: false when the whole console stops —
   * the demo's calls are ended (and recorded in the demo's history), but the agent's line is not
   * started again only to be stopped.
   */
  const teardown = async (restore = true) => {
    const s = session;
    session = null;
    await d.targets.override(null);
    if (d.account.active) {
      await endCalls();
      d.account.use(null);
      if (restore) await d.phone.accountChanged();
    }
    d.history.use('own');
    if (s) {
      for (const off of s.offs.splice(0)) off();
      s.director.stop();
      await s.closeParties?.().catch((e: unknown) => log.warn('demo: the parties page did not close', { error: String(e) }));
      await s.switchboard.stop();
    }
  };

  const start = async (wanted: DemoPace): Promise<DemoView> => {
    if (state === 'on') return view();
    if (!available() || !d.openParties) throw new ConsoleError('unavailable', view().reason ?? 'The demo cannot run here.');
    if (liveCalls(d.phone.calls).length > 0) throw new ConsoleError('busy', 'End your calls before you start the demo: it takes over the line.');
    pace = wanted;
    set('starting');
    try {
      const agentFree = () => d.agent.view().status === 'available';
      // Loaded on first start: the switchboard (a SIP parser and proxy) is memory an agent who never
      // tries the demo should not carry all day (docs/performance.md, "Footprint").
      const { startSwitchboard } = await import('./switchboard');
      const switchboard = await startSwitchboard({
        domain: DEMO_DOMAIN,
        queue: {
          name: SUPPORT_QUEUE.name,
          user: SUPPORT_QUEUE.user,
          members: [{ user: AGENT_USER, tier: 'agent' }, ...COLLEAGUES.filter((c) => c.habits.overflow).map((c) => ({ user: c.user, tier: 'overflow' as const }))],
          ...(d.tuning?.queue && { options: d.tuning.queue }),
        },
        knownUsers: knownUser,
        // The queue offers the agent calls only while available (not away, not in wrap-up).
        takesQueueCalls: (user) => user !== AGENT_USER || agentFree(),
        log: log.scope('switchboard'),
        now: d.now,
      });
      const director = createDirector({
        sipUrl: switchboard.sipUrl,
        domain: DEMO_DOMAIN,
        pace: wanted as Pace,
        random: d.tuning?.random ?? Math.random,
        clock: {
          now: d.now,
          after(fn, ms) {
            const t = setTimeout(fn, ms);
            t.unref?.();
            return () => clearTimeout(t);
          },
        },
        log: log.scope('director'),
        auto: d.tuning?.auto ?? true,
        ...(d.tuning?.tones && { tones: d.tuning.tones }),
      });
      session = { switchboard, director, closeParties: null, offs: [] };
      session.offs.push(
        switchboard.onDirector((link) => director.attach(link)),
        // The agent back to available, or out of wrap-up: a waiting caller is offered at once.
        d.agent.onChange(() => switchboard.proxy.pump()),
      );
      session.closeParties = await d.openParties(`?director=${encodeURIComponent(switchboard.directorUrl)}`);
      await director.whenReady(d.tuning?.readyTimeoutMs ?? READY_MS);

      d.history.use('demo');
      d.account.use(demoAccount(switchboard.sipUrl));
      await d.phone.accountChanged();
      await waitFor('The line registering with the demo switchboard', REGISTER_MS, () => d.phone.lineStatus().state === 'registered', (check) =>
        d.phone.onLineStatus(check),
      );
      await d.targets.override(createDemoProvider({ switchboard, director, now: d.now }));
      set('on');
      log.info('demo: on', { port: switchboard.port, pace: wanted });
      return view();
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      log.warn('demo: could not start', { error: why });
      await teardown().catch((t: unknown) => log.error('demo: undoing a failed start failed', { error: String(t) }));
      set('failed', `The demo could not start: ${why}`);
      throw new ConsoleError('unavailable', `The demo could not start: ${why}`);
    }
  };

  const leave = async (): Promise<DemoView> => {
    if (state !== 'on' && state !== 'failed') return view();
    set('leaving');
    try {
      await teardown();
    } finally {
      set('off');
      log.info('demo: left; the agent\u2019s own line is back');
    }
    return view();
  };

  return {
    view,
    start: (wanted) => serial(() => start(wanted)),
    leave: () => serial(leave),
    setPace(next) {
      pace = next;
      session?.director.setPace(next as Pace);
      d.router.push(contract.demo.changed, view());
      return view();
    },
    sendCaller() {
      if (state !== 'on' || !session) throw new ConsoleError('not-allowed', 'The demo is not running.');
      if (session.director.sendCaller() === null) throw new ConsoleError('busy', 'Every demo caller is already on the line; wait for one to finish.');
      return view();
    },
    get session() {
      return session;
    },
    async stop() {
      await serial(async () => {
        if (session || d.account.active) await teardown(false);
        state = 'off';
      });
    },
  };
}
