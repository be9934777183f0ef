/**
 * The SIP platform's target provider: colleagues' presence from the busy-lamp
 * field any SIP server with a presence agent offers — one SUBSCRIBE per
 * colleague to the dialog event package (RFC 4235), optionally a second to
 * `presence` (PIDF) for open/closed/away. Queues here are configured
 * addresses with no live figures. The TargetProvider port is described in
 * main/targets/provider.ts and docs/architecture.md.
 *
 * Subscriptions ride the line's JsSIP UA. JsSIP's Subscriber refreshes itself
 * before expiry; what it does not do, and this file does:
 *   - subscribe again after the line re-registers: a subscription's NOTIFYs
 *     are routed to the WebSocket connection it was made on, which died with
 *     a reconnect (and a restarted server has forgotten it anyway);
 *   - retry a subscription that the server ended or refused transiently;
 *   - end each one for good on stop(): after an un-SUBSCRIBE JsSIP 3.13.8
 *     waits for the final NOTIFY, and if that never comes (a dead connection)
 *     it reads the 200's `Expires: 0` as "no Expires" and schedules a fresh
 *     SUBSCRIBE 7+ minutes later. So an ended subscription is also closed
 *     locally (its private _terminateDialog), which clears that timer.
 * Bodies are parsed by ./dialog-info.ts; a malformed one is logged and leaves
 * the colleague's last known presence.
 */
import type { Subscriber } from 'jssip/lib/Subscriber';
import type { ColleagueInfo, Presence, QueueInfo, TargetsView } from '../../preload/contract/targets';
import type { Logger } from '../logging/logger';
import type { TargetProvider } from '../targets/provider';
import {
  applyDialogInfo,
  emptyBook,
  parseDialogInfo,
  parsePidf,
  presenceOfDialogs,
  presenceOfPidf,
  type DialogBook,
  type PidfInfo,
} from './dialog-info';
import type { Line } from './line';
import { Timers } from './timers';

export interface SipPresenceConfig {
  queues: ReadonlyArray<{ name: string; address: string }>;
  colleagues: ReadonlyArray<{ name: string; address: string }>;
}

export interface SipPresenceOptions {
  log: Logger;
  now?: () => number;
  /** Also subscribe to `presence` (PIDF) for open/closed/away; default false (many PBXs offer only dialog). */
  pidf?: boolean;
  /** Expires asked for in every SUBSCRIBE, in seconds (JsSIP refreshes before it runs out); default 600. */
  expiresSec?: number;
  /** Wait before subscribing again after the server ended or refused a subscription; default 30 s. */
  retryMs?: number;
  /** How long stop() waits for the server to confirm the un-SUBSCRIBEs; default 1 s. */
  stopWaitMs?: number;
}

/** What the provider needs of the line (main/sip/line.ts). */
export type PresenceLine = Pick<Line, 'status' | 'onStatus' | 'subscribe'>;

export interface SipPresenceProvider extends TargetProvider {
  /** For leak checks: live subscriptions (not yet terminated), pending timers, listeners held. Zeros after stop(). */
  resources(): { subscriptions: number; timers: number; lineListeners: number; changeListeners: number };
}

type Package = 'dialog' | 'presence';
const ACCEPT: Record<Package, string> = { dialog: 'application/dialog-info+xml', presence: 'application/pidf+xml' };

// JsSIP's Subscriber constants (Subscriber.C): terminated codes and the state numbers it exposes.
const STATE_INIT = 3;
const STATE_TERMINATED = 2;
const FINAL_NOTIFY_RECEIVED = 6;
const UNSUBSCRIBE_TIMEOUT = 5;
/** Private in JsSIP 3.13.8 (Subscriber.js): the only way to close a subscription locally, timers included. */
type ClosableSubscriber = Subscriber & { _terminateDialog?: (code: number) => void };

interface Watch {
  info: ColleagueInfo;
  subs: Partial<Record<Package, Subscriber>>;
  book: DialogBook;
  /** Whether a dialog-info body has been applied since this subscription began. */
  dialogKnown: boolean;
  pidf: PidfInfo | null;
  retry: Partial<Record<Package, () => void>>;
}

const uniqueIds = (prefix: string, addresses: readonly string[]) => {
  const seen = new Map<string, number>();
  return addresses.map((a) => {
    const n = (seen.get(a) ?? 0) + 1;
    seen.set(a, n);
    return n === 1 ? `${prefix}:${a}` : `${prefix}:${a}#${n}`;
  });
};

export function createSipPresenceProvider(line: PresenceLine, config: SipPresenceConfig, options: SipPresenceOptions): SipPresenceProvider {
  const log = options.log;
  const now = options.now ?? Date.now;
  const packages: Package[] = options.pidf ? ['dialog', 'presence'] : ['dialog'];
  const expires = options.expiresSec ?? 600;
  const retryMs = options.retryMs ?? 30_000;

  const queueIds = uniqueIds('queue', config.queues.map((q) => q.address));
  const queues: QueueInfo[] = config.queues.map((q, i) => ({
    id: queueIds[i]!,
    name: q.name,
    address: q.address,
    waiting: null,
    longestWaitSec: null,
    availableAgents: null,
  }));
  const colleagueIds = uniqueIds('colleague', config.colleagues.map((c) => c.address));
  const watches: Watch[] = config.colleagues.map((c, i) => ({
    info: { id: colleagueIds[i]!, name: c.name, address: c.address, presence: 'unknown' },
    subs: {},
    book: emptyBook,
    dialogKnown: false,
    pidf: null,
    retry: {},
  }));

  const listeners = new Set<(v: TargetsView) => void>();
  const timers = new Timers();
  let offLine: (() => void) | null = null;
  let started = false;
  let stopped = false;
  let lineUp = false;

  const buildView = (): TargetsView => {
    const s = line.status();
    const state: TargetsView['state'] = !started || stopped ? 'connecting' : s.state === 'registered' ? 'live' : s.state === 'failed' ? 'failed' : 'connecting';
    const reason =
      state === 'live'
        ? null
        : state === 'failed'
          ? (s.reason?.message ?? 'The SIP line failed.')
          : stopped
            ? 'Presence is stopped.'
            : `The SIP line is ${s.state}; colleagues' presence follows once it is registered.`;
    return {
      provider: 'sip',
      state,
      reason,
      queues: queues.map((q) => ({ ...q })),
      colleagues: watches.map((w) => ({ ...w.info })),
      agentStatus: null,
      updatedAt: now(),
    };
  };
  let view = buildView();
  const publish = () => {
    const next = buildView();
    const same = next.state === view.state && next.reason === view.reason && JSON.stringify(next.colleagues) === JSON.stringify(view.colleagues);
    if (same) return;
    view = next;
    for (const l of [...listeners]) l(view);
  };

  const after = (fn: () => void, ms: number) => timers.after(fn, ms);

  /** Dialog state wins (a call in progress is what a transfer cares about); PIDF adds offline/away. */
  const combine = (w: Watch): Presence => {
    const dialog = w.dialogKnown ? presenceOfDialogs(w.book) : null;
    if (dialog === 'busy' || dialog === 'ringing') return dialog;
    const pidf = w.pidf ? presenceOfPidf(w.pidf) : null;
    if (pidf && pidf !== 'unknown' && pidf !== 'available') return pidf;
    return dialog ?? pidf ?? 'unknown';
  };
  const recompute = (w: Watch) => {
    w.info.presence = lineUp ? combine(w) : 'unknown';
  };

  /** Close a subscription: un-SUBSCRIBE when it was sent, then (now or after `waitMs`) locally for good. */
  const end = (sub: Subscriber, waitMs: number): Promise<void> => {
    sub.removeAllListeners();
    const closable = sub as ClosableSubscriber;
    const closeLocally = () => {
      if ((sub.state as unknown as number) !== STATE_TERMINATED) closable._terminateDialog?.(UNSUBSCRIBE_TIMEOUT);
      sub.removeAllListeners();
    };
    const state = sub.state as unknown as number;
    if (state === STATE_TERMINATED) return Promise.resolve();
    if (state !== STATE_INIT) {
      try {
        sub.terminate();
      } catch (e) {
        log.debug('presence: un-SUBSCRIBE not sent', { error: String(e) });
      }
    }
    if (waitMs <= 0 || (sub.state as unknown as number) === STATE_TERMINATED) {
      closeLocally();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, waitMs);
      function done() {
        clearTimeout(t);
        closeLocally();
        resolve();
      }
      sub.once('terminated', done);
    });
  };

  const subscribe = (w: Watch, pkg: Package) => {
    w.retry[pkg]?.();
    delete w.retry[pkg];
    const old = w.subs[pkg];
    delete w.subs[pkg];
    if (old) void end(old, 0);
    if (pkg === 'dialog') {
      w.book = emptyBook;
      w.dialogKnown = false;
    } else {
      w.pidf = null;
    }
    if (stopped || !lineUp) return;
    const scope = `presence ${w.info.address} ${pkg}`;
    let sub: Subscriber;
    try {
      sub = line.subscribe(w.info.address, pkg, ACCEPT[pkg], { expires, contentType: ACCEPT[pkg] });
    } catch (e) {
      // A target JsSIP cannot make a SIP URI of: nothing to retry until the configuration changes.
      log.warn('presence: cannot subscribe', { colleague: w.info.address, pkg, error: String(e) });
      return;
    }
    w.subs[pkg] = sub;
    const retry = (ms: number) => {
      if (stopped || !lineUp) return;
      w.retry[pkg]?.();
      w.retry[pkg] = after(() => {
        delete w.retry[pkg];
        subscribe(w, pkg);
      }, ms);
    };
    sub.on('notify', (isFinal: boolean, _request: unknown, body: string | undefined, contentType: string | undefined) => {
      if (w.subs[pkg] !== sub) return;
      const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
      if (body === undefined || body.trim() === '') return;
      if (type && type !== ACCEPT[pkg]) {
        log.warn('presence: NOTIFY of an unexpected type ignored', { colleague: w.info.address, pkg, contentType: type });
        return;
      }
      if (pkg === 'dialog') {
        const parsed = parseDialogInfo(body);
        if (!parsed.ok) {
          log.warn('presence: malformed dialog-info ignored; last known presence kept', { colleague: w.info.address, error: parsed.error });
          return;
        }
        if (parsed.value.skipped) log.debug(`${scope}: ${parsed.value.skipped} dialog element(s) without id or known state skipped`);
        const applied = applyDialogInfo(w.book, parsed.value);
        if (applied.stale) {
          log.debug(`${scope}: stale version ${parsed.value.version} ignored`);
          return;
        }
        w.book = applied.book;
        w.dialogKnown = true;
      } else {
        const parsed = parsePidf(body);
        if (!parsed.ok) {
          log.warn('presence: malformed PIDF ignored; last known presence kept', { colleague: w.info.address, error: parsed.error });
          return;
        }
        w.pidf = parsed.value;
      }
      if (isFinal) log.debug(`${scope}: final NOTIFY`);
      recompute(w);
      publish();
    });
    if (pkg === 'dialog') {
      // A server with nothing published for the colleague (Kamailio's default) activates the
      // subscription with a body-less NOTIFY: no dialog known = idle. JsSIP emits `active` just
      // before `notify` for the same request, so look only once that request is handled.
      sub.on('active', () => {
        queueMicrotask(() => {
          if (w.subs[pkg] !== sub || w.dialogKnown) return;
          w.dialogKnown = true;
          recompute(w);
          publish();
        });
      });
    }
    sub.on('terminated', (code: number, reason: string | undefined, retryAfter: number | undefined) => {
      if (w.subs[pkg] !== sub) return;
      delete w.subs[pkg];
      sub.removeAllListeners();
      log.info('presence: subscription ended', { colleague: w.info.address, pkg, code, reason });
      // RFC 6665 4.1.3: deactivated/timeout invite an immediate new SUBSCRIBE; rejected/noresource mean never.
      if (code === FINAL_NOTIFY_RECEIVED && (reason === 'rejected' || reason === 'noresource')) {
        if (pkg === 'dialog') {
          w.book = emptyBook;
          w.dialogKnown = false;
        } else w.pidf = null;
        recompute(w);
        publish();
        return;
      }
      const immediate = code === FINAL_NOTIFY_RECEIVED && (reason === 'deactivated' || reason === 'timeout' || reason === undefined);
      retry(retryAfter !== undefined && retryAfter > 0 ? retryAfter * 1000 : immediate ? 0 : retryMs);
    });
    try {
      sub.subscribe();
    } catch (e) {
      log.warn('presence: SUBSCRIBE not sent', { colleague: w.info.address, pkg, error: String(e) });
      delete w.subs[pkg];
      sub.removeAllListeners();
      retry(retryMs);
    }
  };

  const subscribeAll = () => {
    for (const w of watches) for (const pkg of packages) subscribe(w, pkg);
  };

  const onLineStatus = () => {
    const up = line.status().state === 'registered';
    if (up && !lineUp) {
      lineUp = true;
      log.info('presence: line registered; subscribing', { colleagues: watches.length });
      subscribeAll();
    } else if (!up && lineUp) {
      lineUp = false;
      // Presence seen before the drop is stale; retries wait for the next registration.
      for (const w of watches) {
        for (const pkg of packages) {
          w.retry[pkg]?.();
          delete w.retry[pkg];
        }
        recompute(w);
      }
    }
    publish();
  };

  return {
    kind: 'sip',
    view: () => view,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      if (started || stopped) return;
      started = true;
      offLine = line.onStatus(onLineStatus);
      onLineStatus();
      publish();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      offLine?.();
      offLine = null;
      timers.clear();
      const ending: Promise<void>[] = [];
      for (const w of watches) {
        w.retry = {};
        for (const pkg of packages) {
          const sub = w.subs[pkg];
          delete w.subs[pkg];
          if (sub) ending.push(end(sub, options.stopWaitMs ?? 1000));
        }
      }
      await Promise.all(ending);
      lineUp = false;
      for (const w of watches) recompute(w);
      publish();
      listeners.clear();
    },
    resources: () => ({
      subscriptions: watches.reduce((n, w) => n + Object.values(w.subs).filter((s) => (s.state as unknown as number) !== STATE_TERMINATED).length, 0),
      timers: timers.size,
      lineListeners: offLine ? 1 : 0,
      changeListeners: listeners.size,
    }),
  };
}
