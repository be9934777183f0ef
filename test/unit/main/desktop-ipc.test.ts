/**
 * The ipcMain adapter: it must describe each sender truthfully (which window,
 * top frame or not, frame URL) so the router's trust check has facts to judge.
 */
import { BrowserWindow, ipcMain } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createElectronUiTransport, describeSender } from '../../../main/desktop/ipc';
import type { IpcSender } from '../../../main/ipc/router';

type Win = InstanceType<typeof BrowserWindow> & {
  webContents: { mainFrame: { processId: number; routingId: number; parent: null; url: string }; destroyed: boolean; send: ReturnType<typeof vi.fn> };
  destroyed: boolean;
};

const uiPage = 'file:///app/out/renderer/ui/index.html';
let ui: Win;
let media: Win;
let windows: { ui: () => Win | null; media: () => Win | null };

beforeEach(() => {
  ui = new BrowserWindow({}) as Win;
  media = new BrowserWindow({}) as Win;
  ui.webContents.mainFrame.url = uiPage;
  windows = { ui: () => ui, media: () => media };
});
afterEach(() => (ipcMain as unknown as { _reset(): void })._reset());

const eventFrom = (win: Win, frame: object | null = win.webContents.mainFrame) => ({ sender: win.webContents, senderFrame: frame }) as never;
const describeFrom = (event: never) => describeSender(event, windows as never);

describe('describeSender', () => {
  it("names the UI window's top frame with its URL", () => {
    expect(describeFrom(eventFrom(ui))).toEqual<IpcSender>({ window: 'ui', isMainFrame: true, frameUrl: uiPage });
  });

  it('names the media host', () => {
    expect(describeFrom(eventFrom(media)).window).toBe('media');
  });

  it('a child frame of the UI window is not its main frame', () => {
    const child = { processId: 1, routingId: 999, parent: ui.webContents.mainFrame, url: 'https://ads.example/' };
    expect(describeFrom(eventFrom(ui, child))).toEqual<IpcSender>({ window: 'ui', isMainFrame: false, frameUrl: 'https://ads.example/' });
  });

  it('a frame that is gone (senderFrame null) is neither main frame nor has a URL', () => {
    expect(describeFrom(eventFrom(ui, null))).toEqual<IpcSender>({ window: 'ui', isMainFrame: false, frameUrl: '' });
  });

  it('any web contents we did not create is unknown', () => {
    const stranger = new BrowserWindow({}) as Win;
    expect(describeFrom(eventFrom(stranger)).window).toBe('unknown');
  });

  it('a destroyed UI window no longer vouches for its old web contents', () => {
    ui.destroyed = true;
    expect(describeFrom(eventFrom(ui)).window).toBe('unknown');
  });
});

describe('createElectronUiTransport', () => {
  it('hands the router the described sender and the raw payload, and removes the handler', async () => {
    const transport = createElectronUiTransport(windows as never);
    const listener = vi.fn(async () => ({ ok: true as const, value: 1 }));
    const remove = transport.handle('app:info', listener);
    const handler = (ipcMain as unknown as { _handler(c: string): (e: unknown, p: unknown) => unknown })._handler('app:info');
    await expect(handler(eventFrom(ui), { any: 'thing' })).resolves.toEqual({ ok: true, value: 1 });
    expect(listener).toHaveBeenCalledWith({ window: 'ui', isMainFrame: true, frameUrl: uiPage }, { any: 'thing' });
    remove();
    expect(ipcMain.removeHandler).toHaveBeenCalledWith('app:info');
  });

  it('pushes events to the UI window only, and drops them while it is closed', () => {
    const transport = createElectronUiTransport(windows as never);
    transport.push('line:changed', { state: 'registered' });
    expect(ui.webContents.send).toHaveBeenCalledWith('line:changed', { state: 'registered' });
    expect(media.webContents.send).not.toHaveBeenCalled();
    const closed = createElectronUiTransport({ ui: () => null, media: () => media } as never);
    expect(() => closed.push('line:changed', {})).not.toThrow();
  });
});
