/**
 * The handle wrapper: sender checked first, payload parsed second, handler
 * last; typed failures pass through, unexpected ones are hidden as `internal`.
 */
import { describe, expect, it, vi } from 'vitest';
import { ConsoleError, contract } from '../../../preload/contract';
import { createRouter, isTrustedSender, type IpcSender } from '../../../main/ipc/router';
import type { Logger } from '../../../main/logging/logger';
import { fakeUiTransport } from '../../support/ui-transport';

function recordingLog() {
  const lines: Array<{ level: string; message: string; data: unknown }> = [];
  const log: Logger = {
    error: (message, data) => lines.push({ level: 'error', message, data }),
    warn: (message, data) => lines.push({ level: 'warn', message, data }),
    info: (message, data) => lines.push({ level: 'info', message, data }),
    debug: (message, data) => lines.push({ level: 'debug', message, data }),
    scope: () => log,
  };
  return { log, lines };
}

const HTTP_UI = 'http://127.0.0.1:5173/ui/index.html';
const FILE_UI = 'file:///opt/agent-console/resources/app.asar/out/renderer/ui/index.html';
const ui: IpcSender = { window: 'ui', isMainFrame: true, frameUrl: 'http://127.0.0.1:5173/ui/index.html#settings' };

function setup(uiUrl = HTTP_UI) {
  const t = fakeUiTransport({ sender: ui });
  const { log, lines } = recordingLog();
  const router = createRouter(t.transport, { uiUrl: () => uiUrl, log });
  return { router, lines, listeners: t.listeners, pushed: t.pushes, send: t.invoke };
}

describe('router: trusted senders only', () => {
  const untrusted: Array<[string, IpcSender, string]> = [
    ['an unknown window', { window: 'unknown', isMainFrame: true, frameUrl: ui.frameUrl }, HTTP_UI],
    ['the media host window', { window: 'media', isMainFrame: true, frameUrl: ui.frameUrl }, HTTP_UI],
    ['a subframe of the UI', { window: 'ui', isMainFrame: false, frameUrl: ui.frameUrl }, HTTP_UI],
    ['another origin (port)', { window: 'ui', isMainFrame: true, frameUrl: 'http://127.0.0.1:5174/ui/index.html' }, HTTP_UI],
    ['another origin (host)', { window: 'ui', isMainFrame: true, frameUrl: 'http://evil.example/ui/index.html' }, HTTP_UI],
    ['another scheme', { window: 'ui', isMainFrame: true, frameUrl: 'https://127.0.0.1:5173/ui/index.html' }, HTTP_UI],
    ['a data: URL', { window: 'ui', isMainFrame: true, frameUrl: 'data:text/html,<script>1</script>' }, HTTP_UI],
    ['a malformed URL', { window: 'ui', isMainFrame: true, frameUrl: 'not a url' }, HTTP_UI],
    ['an empty URL', { window: 'ui', isMainFrame: true, frameUrl: '' }, HTTP_UI],
    ['another file path', { window: 'ui', isMainFrame: true, frameUrl: 'file:///tmp/evil.html' }, FILE_UI],
    ['the media page file', { window: 'ui', isMainFrame: true, frameUrl: FILE_UI.replace('/ui/', '/media/') }, FILE_UI],
    ['http when the UI is a file', { window: 'ui', isMainFrame: true, frameUrl: HTTP_UI }, FILE_UI],
  ];

  it.each(untrusted)('refuses %s before the handler runs or the payload is parsed', async (_what, sender, uiUrl) => {
    const { router, send, lines } = setup(uiUrl);
    const handler = vi.fn(() => ({ name: 'x', version: '1', platform: 'linux', electron: null, dataDir: '/d' }));
    router.handle(contract.app.info, handler);
    // A bad payload too: the sender check must come first and must not leak schema details.
    const result = await send('app:info', { junk: true }, sender);
    expect(result).toEqual({ ok: false, code: 'untrusted-sender', message: expect.any(String) });
    expect(handler).not.toHaveBeenCalled();
    expect(lines.some((l) => l.level === 'warn' && l.message.includes('untrusted'))).toBe(true);
  });

  it('trusts the UI main frame on its own origin (any path or hash) and its own file', () => {
    expect(isTrustedSender(ui, HTTP_UI)).toBe(true);
    expect(isTrustedSender({ ...ui, frameUrl: 'http://127.0.0.1:5173/other' }, HTTP_UI)).toBe(true);
    expect(isTrustedSender({ ...ui, frameUrl: `${FILE_UI}#calls` }, FILE_UI)).toBe(true);
  });

  it('reads the UI URL at call time (the dev server or harness port is known only after start)', async () => {
    let uiUrl = 'http://127.0.0.1:1/';
    const t = fakeUiTransport({ sender: ui });
    const router = createRouter(t.transport, { uiUrl: () => uiUrl, log: recordingLog().log });
    router.handle(contract.line.status, () => ({ state: 'unconfigured' as const, aor: null, reason: null, since: 1 }));
    expect((await t.invoke('line:status', undefined)).ok).toBe(false);
    uiUrl = HTTP_UI;
    expect((await t.invoke('line:status', undefined)).ok).toBe(true);
  });
});

describe('router: payloads, errors and responses', () => {
  it('answers invalid-request with per-field messages and never calls the handler', async () => {
    const { router, send } = setup();
    const handler = vi.fn();
    router.handle(contract.settings.saveAccount, handler);
    const result = await send('account:save', { wsUrl: 'http://pbx', sipUri: 'pbx', extra: 1 });
    expect(handler).not.toHaveBeenCalled();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe('invalid-request');
    expect(result.message).toMatch(/wsUrl/);
    expect(result.fields).toEqual({
      wsUrl: expect.stringMatching(/wss:\/\//),
      sipUri: expect.stringMatching(/SIP address/),
      extra: expect.stringMatching(/not allowed/),
    });
  });

  it('bounds the field messages a hostile payload can make main produce', async () => {
    const { router, send } = setup();
    router.handle(contract.settings.saveAccount, vi.fn());
    const junk = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}-${'x'.repeat(1_000)}`, i]));
    const result = await send('account:save', junk);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const keys = Object.keys(result.fields ?? {});
    expect(keys.length).toBe(20);
    expect(Math.max(...keys.map((k) => k.length))).toBeLessThanOrEqual(128);
    expect(JSON.stringify(result).length).toBeLessThan(10_000);
  });

  it('hands the handler the parsed (trimmed, defaulted) input', async () => {
    const { router, send } = setup();
    const handler = vi.fn(() => ({ account: null, preferences: { audio: {}, calls: {}, transfer: {}, holdMusic: {}, history: {} } }));
    router.handle(contract.settings.saveAccount, handler);
    await send('account:save', { wsUrl: ' wss://pbx.example.com/ws ', sipUri: 'sip:1@pbx.example.com' });
    expect(handler).toHaveBeenCalledWith({ wsUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1@pbx.example.com', acceptSelfSigned: false });
  });

  it('maps a ConsoleError to its typed error, with its field messages', async () => {
    const { router, send } = setup();
    router.handle(contract.app.dismissNotice, () => {
      throw new ConsoleError('not-found', 'No such notice.', { id: 'Unknown notice' });
    });
    expect(await send('app:dismiss-notice', 'n1')).toEqual({ ok: false, code: 'not-found', message: 'No such notice.', fields: { id: 'Unknown notice' } });
  });

  it('hides unexpected errors as internal and logs them', async () => {
    const { router, send, lines } = setup();
    router.handle(contract.app.notices, async () => {
      throw new TypeError('cannot read properties of undefined (secret detail /home/agent)');
    });
    const result = await send('app:notices', undefined);
    expect(result).toEqual({ ok: false, code: 'internal', message: expect.not.stringMatching(/secret detail|TypeError/) });
    expect(lines.find((l) => l.level === 'error')?.data).toMatchObject({ channel: 'app:notices', error: expect.stringContaining('secret detail') });
  });

  it('refuses to answer with a response outside the schema', async () => {
    const { router, send, lines } = setup();
    router.handle(contract.line.status, () => ({ state: 'dancing' }) as never);
    expect(await send('line:status', undefined)).toMatchObject({ ok: false, code: 'internal' });
    expect(lines.some((l) => l.level === 'error' && l.message.includes('outside its schema'))).toBe(true);
  });

  it('returns ok with the validated value', async () => {
    const { router, send } = setup();
    const status = { state: 'registered', aor: 'sip:1@pbx', reason: null, since: 5 } as const;
    router.handle(contract.line.status, () => status);
    expect(await send('line:status', undefined)).toEqual({ ok: true, value: status });
  });

  it('refuses a channel registered twice and removes every listener on dispose', () => {
    const { router, listeners } = setup();
    router.handle(contract.app.notices, () => []);
    expect(() => router.handle(contract.app.notices, () => [])).toThrow(/twice/);
    router.handle(contract.line.status, () => ({ state: 'unconfigured' as const, aor: null, reason: null, since: 1 }));
    expect(listeners.size).toBe(2);
    router.dispose();
    expect(listeners.size).toBe(0);
    // After dispose the same channel can be registered again (a restarted core).
    router.handle(contract.app.notices, () => []);
    expect(listeners.size).toBe(1);
  });
});

describe('router: pushed events', () => {
  it('validates a pushed event and drops (and logs) one outside its schema', () => {
    const { router, pushed, lines } = setup();
    const status = { state: 'registering', aor: 'sip:1@pbx', reason: null, since: 7 } as const;
    router.push(contract.line.changed, status);
    router.push(contract.line.changed, { ...status, state: 'exploded' } as never);
    router.push(contract.app.noticeAdded, { id: 'n', level: 'info', message: 'hi', at: 1, password: 'x' } as never);
    expect(pushed).toEqual([{ channel: 'line:changed', payload: status }]);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(2);
  });
});
