/**
 * The permission policy: the microphone (audio only) for the media host's own
 * page, output-device selection for the media host, clipboard writes for the
 * UI, nothing else for anyone. Proven on the pure decision and on the handlers
 * installed into the (mocked) session.
 */
import { BrowserWindow, session } from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { decidePermission, installPermissionPolicy, mediaUrl, type PermissionAsk } from '../../../main/desktop/windows';

const media = 'file:///app/out/renderer/media/index.html';
const ask = (over: Partial<PermissionAsk>): PermissionAsk => ({
  permission: 'media',
  fromMediaHost: false,
  fromUi: false,
  requestingUrl: media,
  mediaTypes: ['audio'],
  ...over,
});

// Every permission Electron 45 can ask about (electron.d.ts, setPermissionRequestHandler).
const everyPermission = [
  'ar', 'automatic-fullscreen', 'background-fetch', 'background-sync', 'captured-surface-control', 'clipboard-read',
  'clipboard-sanitized-write', 'deprecated-sync-clipboard-read', 'display-capture', 'fileSystem', 'fullscreen',
  'geolocation', 'geolocation-approximate', 'hand-tracking', 'hid', 'idle-detection', 'keyboardLock', 'local-fonts',
  'local-network', 'local-network-access', 'loopback-network', 'media', 'mediaKeySystem', 'midi', 'midiSysex', 'nfc',
  'notifications', 'openExternal', 'payment-handler', 'periodic-background-sync', 'persistent-storage', 'pointerLock',
  'screen-wake-lock', 'sensors', 'serial', 'smart-card', 'speaker-selection', 'storage-access', 'system-wake-lock',
  'top-level-storage-access', 'usb', 'vr', 'web-app-installation', 'web-printing', 'window-management', 'unknown',
];

describe('decidePermission', () => {
  it('grants the microphone to the media host page', () => {
    expect(decidePermission(ask({ fromMediaHost: true }), { media })).toBe(true);
  });

  it('refuses the microphone to the UI and to any other web contents', () => {
    expect(decidePermission(ask({ fromUi: true }), { media })).toBe(false);
    expect(decidePermission(ask({}), { media })).toBe(false);
  });

  it('refuses the camera, even to the media host', () => {
    expect(decidePermission(ask({ fromMediaHost: true, mediaTypes: ['video'] }), { media })).toBe(false);
    expect(decidePermission(ask({ fromMediaHost: true, mediaTypes: ['audio', 'video'] }), { media })).toBe(false);
  });

  it('refuses the microphone when the media host shows some other page, or says nothing of its URL', () => {
    expect(decidePermission(ask({ fromMediaHost: true, requestingUrl: 'file:///tmp/other.html' }), { media })).toBe(false);
    expect(decidePermission(ask({ fromMediaHost: true, requestingUrl: 'https://example.com/' }), { media })).toBe(false);
    expect(decidePermission(ask({ fromMediaHost: true, requestingUrl: undefined }), { media })).toBe(false);
  });

  it('lets only the media host pick the output device and only the UI write the clipboard', () => {
    expect(decidePermission(ask({ permission: 'speaker-selection', fromMediaHost: true }), { media })).toBe(true);
    expect(decidePermission(ask({ permission: 'speaker-selection', fromUi: true }), { media })).toBe(false);
    expect(decidePermission(ask({ permission: 'clipboard-sanitized-write', fromUi: true }), { media })).toBe(true);
    expect(decidePermission(ask({ permission: 'clipboard-sanitized-write', fromMediaHost: true }), { media })).toBe(false);
  });

  it('denies every other permission to both windows', () => {
    const granted = new Set(['media', 'speaker-selection', 'clipboard-sanitized-write']);
    for (const permission of everyPermission.filter((p) => !granted.has(p))) {
      for (const from of [{ fromUi: true }, { fromMediaHost: true }]) {
        expect(decidePermission(ask({ permission, ...from }), { media }), `${permission} ${JSON.stringify(from)}`).toBe(false);
      }
    }
  });
});

describe('installPermissionPolicy', () => {
  type RequestHandler = (contents: unknown, permission: string, cb: (granted: boolean) => void, details: object) => void;
  type CheckHandler = (contents: unknown, permission: string, origin: string, details: object) => boolean;

  let ui: InstanceType<typeof BrowserWindow>;
  let host: InstanceType<typeof BrowserWindow>;
  let request: RequestHandler;
  let check: CheckHandler;
  beforeEach(() => {
    vi.clearAllMocks();
    ui = new BrowserWindow({});
    host = new BrowserWindow({});
    installPermissionPolicy({ ui: () => ui.webContents as never, media: () => host.webContents as never });
    request = vi.mocked(session.defaultSession.setPermissionRequestHandler).mock.calls[0]![0] as unknown as RequestHandler;
    check = vi.mocked(session.defaultSession.setPermissionCheckHandler).mock.calls[0]![0] as unknown as CheckHandler;
  });

  const decide = (contents: unknown, permission: string, details: object) => {
    const cb = vi.fn();
    request(contents, permission, cb, details);
    expect(cb).toHaveBeenCalledOnce();
    return cb.mock.calls[0]![0] as boolean;
  };

  it('getUserMedia({audio}) from the media host page is granted; from the UI it is not', () => {
    expect(decide(host.webContents, 'media', { mediaTypes: ['audio'], requestingUrl: mediaUrl() })).toBe(true);
    expect(decide(ui.webContents, 'media', { mediaTypes: ['audio'], requestingUrl: mediaUrl() })).toBe(false);
  });

  it('a media request that names no kind counts as asking for the camera too', () => {
    expect(decide(host.webContents, 'media', { requestingUrl: mediaUrl() })).toBe(false);
  });

  it('a destroyed media host grants nothing', () => {
    (host.webContents as unknown as { destroyed: boolean }).destroyed = true;
    expect(decide(host.webContents, 'media', { mediaTypes: ['audio'], requestingUrl: mediaUrl() })).toBe(false);
  });

  it('permission checks follow the same policy (device labels, output devices)', () => {
    expect(check(host.webContents, 'media', 'file://', { mediaType: 'audio', requestingUrl: mediaUrl(), isMainFrame: true })).toBe(true);
    expect(check(host.webContents, 'media', 'file://', { mediaType: 'video', requestingUrl: mediaUrl(), isMainFrame: true })).toBe(false);
    expect(check(ui.webContents, 'media', 'file://', { mediaType: 'audio', requestingUrl: mediaUrl(), isMainFrame: true })).toBe(false);
    expect(check(null, 'media', 'file://', { mediaType: 'audio', requestingUrl: mediaUrl(), isMainFrame: true })).toBe(false);
    expect(check(ui.webContents, 'notifications', 'file://', { isMainFrame: true })).toBe(false);
  });

  it('a check without a URL is judged by the page the asking contents shows', () => {
    (host.webContents as unknown as { url: string }).url = mediaUrl();
    expect(check(host.webContents, 'media', 'file://', { mediaType: 'audio', isMainFrame: true })).toBe(true);
    (host.webContents as unknown as { url: string }).url = 'file:///tmp/elsewhere.html';
    expect(check(host.webContents, 'media', 'file://', { mediaType: 'audio', isMainFrame: true })).toBe(false);
  });

  it('no HID/USB/serial device is ever granted', () => {
    const handler = vi.mocked(session.defaultSession.setDevicePermissionHandler).mock.calls[0]![0] as unknown as (d: object) => boolean;
    expect(handler({ deviceType: 'usb', origin: 'file://' })).toBe(false);
  });
});
