/**
 * Demo calls never mix with the agent's real ones: while the demo runs, the
 * call history is a second database of its own, `<data folder>/demo/history.sqlite3`,
 * opened by the same history code (main/history/, startHistory) and kept
 * between demo sessions. This file puts one switch in front of both, shaped
 * like the history service itself, so that everything the core wired to the
 * history once — the call and transfer recorders, the agent's status
 * periods, the history channels, the recording banner, the tray's
 * missed-call count — writes to and reads from whichever database is in
 * force, and every listener hears about the switch.
 */
import { join } from 'node:path';
import type { HistoryService } from '../history';

export interface HistorySwitch extends HistoryService {
  /** The history in force: the demo's, or the agent's own. */
  use(which: 'demo' | 'own'): void;
  readonly current: 'demo' | 'own';
}

/** Where the demo keeps its history. */
export const demoDataDir = (dataDir: string): string => join(dataDir, 'demo');

type Listener = (payload: never) => void;
type Subscribe = (listener: Listener) => () => void;

/** A listener subscribed on both histories, hearing only the one in force. */
interface Subscription {
  pick: (s: HistoryService) => Subscribe;
  listener: Listener;
  /** Tells the listener that everything changed (called after a switch, with the history now in force). */
  nudge: (s: HistoryService, listener: Listener) => void;
  offs: Map<HistoryService, () => void>;
}

export function switchableHistory(own: HistoryService, openDemo: () => HistoryService): HistorySwitch {
  let demo: HistoryService | null = null;
  let current: 'demo' | 'own' = 'own';
  const active = (): HistoryService => (current === 'demo' && demo ? demo : own);
  const subscriptions = new Set<Subscription>();

  const attach = (sub: Subscription, s: HistoryService) => {
    sub.offs.set(
      s,
      sub.pick(s)(((payload: never) => {
        if (active() === s) sub.listener(payload);
      }) as Listener),
    );
  };
  const subscribe = (pick: Subscription['pick'], nudge: Subscription['nudge']) => (listener: Listener) => {
    const sub: Subscription = { pick, listener, nudge, offs: new Map() };
    subscriptions.add(sub);
    attach(sub, own);
    if (demo) attach(sub, demo);
    return () => {
      subscriptions.delete(sub);
      for (const off of sub.offs.values()) off();
      sub.offs.clear();
    };
  };

  /** A history change as the reader reports one, meaning "read it all again". */
  const everything = (s: HistoryService) => {
    let latest = 0;
    try {
      latest = s.reader.latestId();
    } catch {
      // A history that cannot be read still switches; its channels say why.
    }
    return { kind: 'seen', id: latest } as never;
  };

  /** One of the service's parts (reader, recorder, …), always the one of the history in force. */
  const part = <K extends 'reader' | 'recorder' | 'history' | 'agent'>(key: K): HistoryService[K] =>
    new Proxy({} as HistoryService[K], {
      get(_target, prop) {
        if (prop === 'onChange') {
          return subscribe(
            (s) => (s[key] as unknown as { onChange: Subscribe }).onChange.bind(s[key]),
            (s, listener) => listener(everything(s)),
          );
        }
        const value = Reflect.get(active()[key] as object, prop) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const target = active()[key] as unknown as Record<PropertyKey, (...a: unknown[]) => unknown>;
          return target[prop]!(...args);
        };
      },
    });
  const switched = () => {
    for (const sub of subscriptions) sub.nudge(active(), sub.listener);
  };

  const service: HistorySwitch = {
    get repo() {
      return active().repo;
    },
    reader: part('reader'),
    recorder: part('recorder'),
    history: part('history'),
    agent: part('agent'),
    get unavailable() {
      return active().unavailable;
    },
    recording: () => active().recording(),
    onRecording: subscribe(
      (s) => s.onRecording.bind(s) as unknown as Subscribe,
      (s, listener) => listener(s.recording() as never),
    ) as unknown as HistoryService['onRecording'],
    get current() {
      return current;
    },
    use(which) {
      if (which === current) return;
      if (which === 'demo' && !demo) {
        demo = openDemo();
        for (const sub of subscriptions) attach(sub, demo);
      }
      current = which;
      switched();
    },
    stop() {
      for (const sub of subscriptions) for (const off of sub.offs.values()) off();
      subscriptions.clear();
      demo?.stop();
      demo = null;
      own.stop();
    },
  };
  return service;
}
