/**
 * An in-memory UiTransport (the port main/ipc/router.ts is fed by): a test
 * invokes channels as the UI page would — through the router's sender check and
 * schema parsing — and reads every event main pushed.
 */
import type { IpcSender, UiTransport } from '../../main/ipc/router';
import type { Result } from '../../preload/contract';
import { until, type UntilOptions } from './until';

/** The UI page's URL in unit and integration tests (any http origin will do; the router trusts only it). */
export const UI_URL = 'http://127.0.0.1:4000/ui/index.html';

/** The UI window's main frame at `url`: the one sender the router trusts. */
export const uiSender = (url = UI_URL): IpcSender => ({ window: 'ui', isMainFrame: true, frameUrl: url });

export type UiListener = (sender: IpcSender, payload: unknown) => Promise<Result<unknown>>;

export interface Pushed {
  channel: string;
  payload: unknown;
}

export interface FakeUiTransport {
  /** Hand this to startCore / createRouter. */
  readonly transport: UiTransport;
  /** The listener main registered per channel (removed again by core.stop()). */
  readonly listeners: ReadonlyMap<string, UiListener>;
  /** Every event main pushed, in order. */
  readonly pushes: Pushed[];
  /** Invokes a channel as `sender` (the UI page by default); throws when main handles no such channel. */
  invoke(channel: string, payload?: unknown, sender?: IpcSender): Promise<Result<unknown>>;
  /** The payloads pushed on one channel, in order. */
  pushed<T = unknown>(channel: string): T[];
  /** Calls `listener` after each push; returns its removal. */
  onPush(listener: (pushed: Pushed) => void): () => void;
  /** `until`, re-checked at every push as well. */
  until<T>(condition: () => T | undefined | null | false, options?: UntilOptions): Promise<T>;
}

export function fakeUiTransport(options: { sender?: IpcSender } = {}): FakeUiTransport {
  const listeners = new Map<string, UiListener>();
  const pushes: Pushed[] = [];
  const watchers = new Set<(pushed: Pushed) => void>();
  const transport: UiTransport = {
    handle(channel, listener) {
      listeners.set(channel, listener);
      return () => listeners.delete(channel);
    },
    push(channel, payload) {
      const p = { channel, payload };
      pushes.push(p);
      for (const w of [...watchers]) w(p);
    },
  };
  const onPush = (listener: (pushed: Pushed) => void) => {
    watchers.add(listener);
    return () => watchers.delete(listener);
  };
  return {
    transport,
    listeners,
    pushes,
    invoke(channel, payload, sender = options.sender ?? uiSender()) {
      const listener = listeners.get(channel);
      if (!listener) throw new Error(`${channel} not handled`);
      return listener(sender, payload);
    },
    pushed: <T,>(channel: string) => pushes.filter((p) => p.channel === channel).map((p) => p.payload as T),
    onPush,
    until: (condition, o = {}) => until(condition, { wake: (check) => onPush(() => check()), ...o }),
  };
}
