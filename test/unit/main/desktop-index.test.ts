/**
 * The composition root's lifecycle (main/index.ts) with Electron mocked and the
 * core replaced: one instance only, closing the UI hides it, a second launch
 * shows it again, quitting stops the core (unregister, close the database)
 * before the process goes.
 */
import type * as Electron from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const core = vi.hoisted(() => ({ stop: vi.fn(async () => {}) }));
const startCore = vi.hoisted(() => vi.fn(async () => core));
vi.mock('../../../main/core/index', () => ({ startCore }));
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
let created: Win[];

/** Handlers main/index.ts registered with app.on, by event name. */
const appHandler = (event: string) => {
  const call = vi.mocked(app.on).mock.calls.filter(([name]) => name === event).at(-1);
  if (!call) throw new Error(`no app.on('${event}') handler`);
  return call[1] as (e?: { preventDefault(): void }) => void;
};

async function boot(lock = true) {
  vi.mocked(app.requestSingleInstanceLock).mockReturnValue(lock);
  let ready!: () => void;
  vi.mocked(app.whenReady).mockReturnValue(new Promise<void>((r) => (ready = r)) as never);
  await import('../../../main/index');
  ready();
  await vi.waitFor(() => expect(created.length).toBe(2));
  const [media, ui] = created as [Win, Win];
  return { media, ui };
}

beforeEach(async () => {
  vi.resetModules();
  vi.clearAllMocks();
  const electron = await import('electron');
  app = electron.app;
  created = (electron.BrowserWindow as unknown as { created: Win[] }).created;
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
});
