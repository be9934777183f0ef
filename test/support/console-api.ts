/**
 * A fake `window.consoleApi` (preload/ui-api.ts) for renderer tests. It is the
 * real API object built over an in-memory bridge, so every domain and method
 * the UI may call exists — including ones added after a test was written —
 * and each method is a vi.fn a test can inspect or re-program.
 *
 * The shell's own channels answer like main would (app info and notices,
 * settings read and updated, line unconfigured); any other channel answers
 * `unavailable` unless the test gives an answer for it. Events are pushed
 * with emit(); every subscription is counted, and every unsubscribe too.
 */
import { tick } from 'svelte';
import { vi, type Mock } from 'vitest';
import type { Notice, PreferencesPatch, Result, SettingsView } from '../../preload/contract';
import { createUiApi, type ConsoleApi } from '../../preload/ui-api';

/** The defaults of a fresh settings file, as settings:get shows them. */
export const basePreferences: SettingsView['preferences'] = {
  audio: { inputDeviceId: 'default', outputDeviceId: 'default', ringerDeviceId: 'default', echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  calls: { dtmf: 'info', declineWith: 'busy' },
  transfer: { safeBlind: true, safeBlindTimeoutSec: 30, undoWindowSec: 3, completeTimeoutSec: 8, incomingRefer: 'ask' },
  holdMusic: { track: 'builtin:lounge', volume: 0.5 },
  history: { retentionDays: null },
  targets: { queues: [], colleagues: [] },
  appearance: { theme: 'system', language: 'system' },
  workspace: { dropAction: 'ask', favourites: [] },
  agent: { wrapUpSec: 30, wrapUpExtendSec: 30, doNotDisturb: false, quietCalls: 'ring' },
  desktop: {
    openAtLogin: false,
    hotkeys: {
      answer: 'CommandOrControl+Alt+Shift+A',
      hangup: 'CommandOrControl+Alt+Shift+E',
      answerOrHangup: 'MediaPlayPause',
      hold: 'CommandOrControl+Alt+Shift+H',
      mute: 'CommandOrControl+Alt+Shift+M',
      transferPicker: 'CommandOrControl+Alt+Shift+T',
      completeConsult: 'CommandOrControl+Alt+Shift+C',
      cancelConsult: 'CommandOrControl+Alt+Shift+X',
      undoTransfer: 'CommandOrControl+Alt+Shift+Z',
      showWindow: 'CommandOrControl+Alt+Shift+O',
    },
  },
};

/**
 * A test's answer to one channel, given the request's payload. Returning
 * undefined (synchronously) leaves the request to the default answer.
 */
// `never`: an answer may take the channel's own request type.
export type Answer = (payload: never) => Result<unknown> | Promise<Result<unknown>> | undefined;

export type MockedConsoleApi = {
  [D in keyof ConsoleApi]: {
    [M in keyof ConsoleApi[D]]: ConsoleApi[D][M] extends (...args: never[]) => unknown ? Mock<ConsoleApi[D][M]> : never;
  };
};

export interface FakeConsoleApiOptions {
  account?: SettingsView['account'];
  /** What settings:get answers (a copy; default basePreferences). */
  preferences?: SettingsView['preferences'];
  /** What app:notices answers (default none). */
  notices?: Notice[];
  /** Answers by channel name ('account:save', 'audio:devices', …), over the defaults. */
  answers?: Record<string, Answer>;
}

export interface FakeConsoleApi {
  /** Hand this to the component under test (`render(App, { api })`). */
  readonly api: ConsoleApi;
  /** The same object, typed as the vi.fn mocks it is made of. */
  readonly raw: MockedConsoleApi;
  /** What settings:get answers now; the default settings:update and account:remove change it. */
  readonly settings: SettingsView;
  /** Main pushes an event: every subscriber to `channel` gets `payload`, then the UI settles. */
  emit(channel: string, payload: unknown): Promise<void>;
  /** How many subscriptions to `channel` are live. */
  listeners(channel: string): number;
  /** How many subscriptions the UI ever made (any channel). */
  subscriptions(): number;
  /** Called once per unsubscribe, whichever channel. */
  readonly unsubscribes: Mock<() => void>;
}

const unavailable: Result<never> = { ok: false, code: 'unavailable', message: 'not part of this test' };

export function fakeConsoleApi(options: FakeConsoleApiOptions = {}): FakeConsoleApi {
  const settings: SettingsView = {
    account: options.account ?? null,
    preferences: structuredClone(options.preferences ?? basePreferences),
    provider: { kind: 'configured' },
  };
  const view = (): SettingsView => ({ account: settings.account, preferences: settings.preferences, provider: settings.provider });
  const defaults: Record<string, (payload: never) => Result<unknown>> = {
    'app:info': () => ({ ok: true, value: { name: 'Agent Console', version: '1', platform: 'linux', electron: null, dataDir: '/d' } }),
    'app:notices': () => ({ ok: true, value: options.notices ?? [] }),
    'app:dismiss-notice': () => ({ ok: true, value: null }),
    'settings:get': () => ({ ok: true, value: view() }),
    // Merged one section deep, like main's settings store.
    'settings:update': (patch: PreferencesPatch) => {
      const merged: Record<string, unknown> = { ...settings.preferences };
      for (const [section, values] of Object.entries(patch)) merged[section] = { ...(merged[section] as object), ...values };
      settings.preferences = merged as SettingsView['preferences'];
      return { ok: true, value: view() };
    },
    'account:remove': () => {
      settings.account = null;
      return { ok: true, value: view() };
    },
    'line:status': () => ({ ok: true, value: { state: 'unconfigured', aor: null, reason: null, since: 1 } }),
  };

  const subscribers = new Map<string, Set<(payload: unknown) => void>>();
  let subscribed = 0;
  const unsubscribes = vi.fn<() => void>();
  const real = createUiApi({
    // Not async: an answer's own promise is handed back as it is, so the UI waits no extra microtask.
    invoke(channel, payload) {
      const answered = options.answers?.[channel]?.(payload as never);
      if (answered !== undefined) return Promise.resolve(answered);
      const fallback = defaults[channel];
      return Promise.resolve(fallback ? fallback(payload as never) : unavailable);
    },
    subscribe(channel, listener) {
      subscribed++;
      const set = subscribers.get(channel) ?? new Set();
      subscribers.set(channel, set);
      set.add(listener);
      return () => {
        set.delete(listener);
        unsubscribes();
      };
    },
  });
  const mocked = Object.fromEntries(
    Object.entries(real).map(([domain, methods]) => [
      domain,
      Object.fromEntries(
        Object.entries(methods as Record<string, (...args: unknown[]) => unknown>).map(([name, method]) => [name, vi.fn((...args: unknown[]) => method(...args))]),
      ),
    ]),
  ) as unknown as MockedConsoleApi;

  return {
    api: mocked as unknown as ConsoleApi,
    raw: mocked,
    settings,
    async emit(channel, payload) {
      for (const l of [...(subscribers.get(channel) ?? [])]) l(payload);
      await settle();
    },
    listeners: (channel) => subscribers.get(channel)?.size ?? 0,
    subscriptions: () => subscribed,
    unsubscribes,
  };
}

/** Lets promises resolve and Svelte re-render, a few rounds (an answer, then what it triggers). */
export async function settle(rounds = 6): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await Promise.resolve();
    await tick();
  }
}
