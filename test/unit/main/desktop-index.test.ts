/**
 * The composition root's lifecycle (main/index.ts) with Electron mocked and the
 * core and desktop shell replaced: one instance only, closing the UI hides it
 * (and tells the shell), a second launch shows it again or hands its tel:/sip:
 * link to the shell, macOS's open-url too, quitting stops the core (unregister,
 * close the database) before the process goes — and with calls up only after
 * the agent said so.
 */
import type * as Electron from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => ({ up: [] as Array<{ direction: 'incoming' | 'outgoing'; state: string; remote: { number: string; uri: string; displayName: string | null } }> }));
const core = vi.hoisted(() => ({ stop: vi.fn(async () => {}), telephony: { calls: { list: () => calls.up } } }));
const startCore = vi.hoisted(() => vi.fn(async () => core));
vi.mock('../../../main/core/index', () => ({ startCore }));
const desktop = vi.hoisted(() => ({ dial: vi.fn(), windowChanged: vi.fn(), closedToTray: vi.fn(), dispose: vi.fn() }));
const startDesktopShell = vi.hoisted(() => vi.fn((_ports: unknown) => desktop));
vi.mock('../../../main/desktop/shell', () => ({ startDesktopShell }));
vi.mock('../../../main/logging/logger', () => {
  const log = { error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn(), scope: () => log };
  return { createLogger: () => log };
});

type Win = InstanceType<typeof Electron.BrowserWindow> & {
  _emit(event: string): boolean;
  hide: ReturnType<typeof vi.fn>;
  show: ReturnType<typeof vi.fn>;
  loadURL: ReturnType<typeof vi.fn>;
};
// main/index.ts runs on import, so each test loads it (and the electron mock) afresh.
let app: typeof Electron.app;
let dialog: typeof Electron.dialog & { _answer: number };
let globalShortcut: typeof Electron.globalShortcut;
let created: Win[];

/** Handlers main/index.ts registered with app.on, by event name. */
const appHandler = (event: string) => {
  const call = vi.mocked(app.on).mock.calls.filter(([name]) => name === event).at(-1);
  if (!call) throw new Error(`no app.on('${event}') handler`);
  return call[1] as (e?: { preventDefault(): void }, ...args: unknown[]) => void;
};

async function boot(lock = true) {
  vi.mocked(app.requestSingleInstanceLock).mockReturnValue(lock);
  let ready!: () => void;
  vi.mocked(app.whenReady).mockReturnValue(new Promise<void>((r) => (ready = r)) as never);
  await import('../../../main/index');
  ready();
  await vi.waitFor(() => expect(created.length).toBe(2));
  await vi.waitFor(() => expect(startDesktopShell).toHaveBeenCalled());
  const [media, ui] = created as [Win, Win];
  return { media, ui };
}

beforeEach(async () => {
  vi.resetModules();
  vi.clearAllMocks();
  const electron = await import('electron');
  app = electron.app;
  dialog = electron.dialog as typeof dialog;
  dialog._answer = 0;
  globalShortcut = electron.globalShortcut;
  created = (electron.BrowserWindow as unknown as { created: Win[] }).created;
  created.length = 0;
  calls.up = [];
});

describe('main/index.ts', () => {
  it('a second instance hands over and quits without creating windows', async () => {
    vi.mocked(app.requestSingleInstanceLock).mockReturnValue(false);
    await import('../../../main/index');
    expect(app.quit).toHaveBeenCalledOnce();
    expect(app.enableSandbox).not.toHaveBeenCalled();
    expect(created).toHaveLength(0);
  });

  it('the first instance sandboxes every renderer, starts the core, then opens the media host and the UI', async () => {
    const { media, ui } = await boot();
    expect(app.enableSandbox).toHaveBeenCalledOnce();
    expect(startCore).toHaveBeenCalledOnce();
    expect(String(media.loadURL.mock.calls[0]?.[0])).toMatch(/renderer\/media\/index\.html$/);
    expect(String(ui.loadURL.mock.calls[0]?.[0])).toMatch(/renderer\/ui\/index\.html$/);
  });

  it('closing the UI window hides it and keeps the console running', async () => {
    const { ui } = await boot();
    expect(ui._emit('close')).toBe(true);
    expect(ui.hide).toHaveBeenCalledOnce();
    expect(core.stop).not.toHaveBeenCalled();
  });

  it('a second launch brings the hidden window back instead of opening another', async () => {
    const { ui } = await boot();
    ui._emit('close');
    ui.show.mockClear();
    appHandler('second-instance')();
    expect(ui.show).toHaveBeenCalledOnce();
    expect(created).toHaveLength(2);
  });

  it('keeps running when every window is closed (it lives in the tray)', async () => {
    await boot();
    appHandler('window-all-closed')();
    expect(app.quit).not.toHaveBeenCalled();
  });

  it('quitting first stops the core, then quits for real; then the UI may close', async () => {
    const { ui } = await boot();
    const beforeQuit = appHandler('before-quit');
    const first = { preventDefault: vi.fn() };
    beforeQuit(first);
    expect(first.preventDefault).toHaveBeenCalledOnce();
    expect(core.stop).toHaveBeenCalledOnce();
    await vi.waitFor(() => expect(app.quit).toHaveBeenCalledOnce());
    const second = { preventDefault: vi.fn() };
    beforeQuit(second);
    expect(second.preventDefault).not.toHaveBeenCalled();
    expect(core.stop).toHaveBeenCalledOnce();
    expect(ui._emit('close')).toBe(false);
  });
  it('closing the UI tells the shell (the one-off "still running" hint)', async () => {
    const { ui } = await boot();
    ui._emit('close');
    expect(desktop.closedToTray).toHaveBeenCalledOnce();
  });

  it('a second launch with a tel: link hands it to the shell to pre-fill the dialer', async () => {
    await boot();
    appHandler('second-instance')({ preventDefault() {} }, ['/opt/agent-console', '--no-sandbox', 'tel:+49-30-1234']);
    expect(desktop.dial).toHaveBeenCalledWith([{ source: 'link', result: { ok: true, number: '+49301234' } }]);
    appHandler('second-instance')({ preventDefault() {} }, 'not an array');
    expect(desktop.dial).toHaveBeenCalledOnce();
  });

  it('macOS open-url links that arrive before the shell is up are handed over once it is', async () => {
    vi.mocked(app.requestSingleInstanceLock).mockReturnValue(true);
    let ready!: () => void;
    vi.mocked(app.whenReady).mockReturnValue(new Promise<void>((r) => (ready = r)) as never);
    await import('../../../main/index');
    const prevent = vi.fn();
    appHandler('open-url')({ preventDefault: prevent }, 'sip:2002@pbx.example.com');
    expect(prevent).toHaveBeenCalledOnce();
    expect(desktop.dial).not.toHaveBeenCalled();
    ready();
    await vi.waitFor(() => expect(desktop.dial).toHaveBeenCalledWith([{ source: 'link', result: { ok: true, number: 'sip:2002@pbx.example.com' } }]));
  });

  it('a tel: link that started the console reaches the shell', async () => {
    const argv = process.argv;
    process.argv = ['/opt/agent-console', 'tel:2001'];
    try {
      await boot();
    } finally {
      process.argv = argv;
    }
    expect(desktop.dial).toHaveBeenCalledWith([{ source: 'link', result: { ok: true, number: '2001' } }]);
  });

  it('quitting with a call up asks first; keeping the console running keeps the call', async () => {
    calls.up = [{ direction: 'incoming', state: 'established', remote: { number: '2002', uri: 'sip:2002@pbx', displayName: 'Ada' } }];
    await boot();
    const beforeQuit = appHandler('before-quit');
    const event = { preventDefault: vi.fn() };
    beforeQuit(event);
    expect(event.preventDefault).toHaveBeenCalledOnce();
    expect(dialog.showMessageBox).toHaveBeenCalledOnce();
    const options = vi.mocked(dialog.showMessageBox).mock.calls[0]!.at(-1) as { message: string; detail: string; buttons: string[]; cancelId: number };
    expect(options).toMatchObject({ message: 'A call is still up. Quit anyway?', detail: 'Quitting ends it: Ada (2002).', buttons: ['Keep the console running', 'End the call and quit'], cancelId: 0 });
    beforeQuit({ preventDefault: vi.fn() }); // asked again while the question is up: still one question
    expect(dialog.showMessageBox).toHaveBeenCalledOnce();
    await new Promise((r) => setImmediate(r));
    expect(core.stop).not.toHaveBeenCalled();
    expect(app.quit).not.toHaveBeenCalled();
  });

  it('quitting with a call up and the agent agreeing ends the calls through the core, then quits', async () => {
    calls.up = [{ direction: 'incoming', state: 'ringing', remote: { number: '2002', uri: 'sip:2002@pbx', displayName: null } }];
    dialog._answer = 1;
    await boot();
    appHandler('before-quit')({ preventDefault: vi.fn() });
    await vi.waitFor(() => expect(core.stop).toHaveBeenCalledOnce());
    expect(desktop.dispose).toHaveBeenCalledOnce();
    await vi.waitFor(() => expect(app.quit).toHaveBeenCalledOnce());
  });

  it('unregisters every global shortcut when the app quits', async () => {
    await boot();
    appHandler('will-quit')();
    expect(globalShortcut.unregisterAll).toHaveBeenCalledOnce();
  });
});
