/**
 * End-to-end: the built app in real Electron, driven by Playwright's Electron
 * support (playwright-core `_electron`). Needs the Electron binary, which npm
 * fetches lazily on a machine with internet (`npm start`). Where it is absent
 * this suite reports itself SKIPPED — loudly, never silently green.
 *
 *   npx electron-vite build && npx vitest run --project electron
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labUnavailable, startLab, type Lab } from '../lab/lab';
import { until } from '../support/until';
import { electronBinary } from './electron-binary';

const root = join(import.meta.dirname, '../..');

const binary = electronBinary();
if (!binary) {
  console.warn(
    '\n' +
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' +
      '!! Electron e2e suite SKIPPED: no Electron binary (node_modules/electron/dist missing)\n' +
      '!! — runs on a machine where `npm start` has fetched Electron\n' +
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n',
  );
}

/** Chromium flags for a CI box: root needs --no-sandbox; without a display, ozone's headless platform. */
const launchArgs = (): string[] => {
  const args: string[] = [];
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY']) {
    args.push('--ozone-platform=headless');
  }
  return args;
};

describe.skipIf(!binary)('Agent Console in Electron', () => {
  let app: ElectronApplication;
  let ui: Page;
  let configHome: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    if (!existsSync(join(root, 'out/main/index.js'))) {
      throw new Error('out/ is missing: build first (`npx electron-vite build`; `npm test` does it).');
    }
    // A fresh profile: userData lives under $XDG_CONFIG_HOME on Linux.
    configHome = mkdtempSync(join(tmpdir(), 'agent-console-e2e-'));
    env = { ...(process.env as Record<string, string>), XDG_CONFIG_HOME: configHome, ELECTRON_RENDERER_URL: '' };
    app = await _electron.launch({ executablePath: binary!, args: [...launchArgs(), '.'], cwd: root, env, timeout: 60_000 });
    ui = await findWindow(app, '/renderer/ui/index.html');
    await ui.waitForLoadState('domcontentloaded');
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    if (configHome) rmSync(configHome, { recursive: true, force: true });
  });

  it('opens the UI window with window.consoleApi and nothing of Node or Electron', async () => {
    const surface = await ui.evaluate(() => ({
      api: Object.keys((window as unknown as { consoleApi?: object }).consoleApi ?? {}),
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
      ipcRenderer: typeof (window as unknown as { ipcRenderer?: unknown }).ipcRenderer,
    }));
    expect(surface.api).toEqual(expect.arrayContaining(['app', 'settings', 'line']));
    expect(surface).toMatchObject({ require: 'undefined', process: 'undefined', ipcRenderer: 'undefined' });
  });

  it('answers a real request through preload → main → core', async () => {
    const info = await ui.evaluate(() =>
      (window as unknown as { consoleApi: { app: { info(): Promise<unknown> } } }).consoleApi.app.info(),
    );
    expect(info).toMatchObject({ ok: true, value: { electron: expect.any(String) } });
  });

  it('shows the UI and keeps the media host hidden', async () => {
    const windows = await app.evaluate(({ BrowserWindow }) =>
      BrowserWindow.getAllWindows().map((w) => ({ url: w.webContents.getURL(), visible: w.isVisible() })),
    );
    expect(windows).toHaveLength(2);
    expect(windows.find((w) => w.url.endsWith('/renderer/ui/index.html'))?.visible).toBe(true);
    expect(windows.find((w) => w.url.endsWith('/renderer/media/index.html'))?.visible).toBe(false);
  });

  it('refuses to open a second window (window.open) or to navigate away', async () => {
    const opened = await ui.evaluate(() => window.open('https://example.com/', '_blank') === null);
    expect(opened).toBe(true);
    // Main sees every navigation attempt (will-navigate): the window of the check ends when it has seen ours.
    await app.evaluate(({ BrowserWindow }) => {
      const g = globalThis as { navigationAttempts?: string[] };
      g.navigationAttempts = [];
      for (const w of BrowserWindow.getAllWindows()) w.webContents.on('will-navigate', (_event, url) => g.navigationAttempts!.push(url));
    });
    await ui.evaluate(() => {
      (window as unknown as { stillHere: boolean }).stillHere = true;
      window.location.href = 'https://example.com/';
    });
    await expect
      .poll(() => app.evaluate(() => (globalThis as { navigationAttempts?: string[] }).navigationAttempts ?? []), { timeout: 5000 })
      .toEqual(['https://example.com/']);
    // Refused: the same document is still there (a navigation would have replaced it and its marker).
    expect(await ui.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
    expect(ui.url()).toMatch(/\/renderer\/ui\/index\.html$/);
    const count = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length);
    expect(count).toBe(2);
  });

  it('enforces the CSP in the UI: no eval, no inline script', async () => {
    const result = await ui.evaluate(() => {
      let evalBlocked = false;
      try {
        eval('1');
      } catch {
        evalBlocked = true;
      }
      const marker = '__inlineRan';
      const script = document.createElement('script');
      script.textContent = `window.${marker} = true`;
      document.head.append(script);
      return { evalBlocked, inlineRan: (window as unknown as Record<string, unknown>)[marker] === true };
    });
    expect(result).toEqual({ evalBlocked: true, inlineRan: false });
  });

  it('refuses the microphone to the UI (only the media host may have it)', async () => {
    const error = await ui.evaluate(() =>
      navigator.mediaDevices.getUserMedia({ audio: true }).then(
        (stream) => {
          stream.getTracks().forEach((t) => t.stop());
          return 'granted';
        },
        (e: Error) => e.name,
      ),
    );
    expect(error).toBe('NotAllowedError');
  });

  it('a second launch hands over to the running console and exits', async () => {
    const second = spawn(binary!, [...launchArgs(), '.'], { cwd: root, env, stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => second.on('exit', resolve));
    expect(code).toBe(0);
    const count = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length);
    expect(count).toBe(2);
  }, 60_000);
});

/** A key press the OS delivers to global shortcuts needs an X display and xdotool; elsewhere that case is skipped, loudly. */
const canPressGlobalKeys = (() => {
  if (!binary || !process.env['DISPLAY']) return false;
  try {
    execFileSync('xdotool', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn('\n!! Electron e2e: the global-hotkey case is SKIPPED (needs an X display and xdotool)\n');
    return false;
  }
})();

type ConsoleApiInPage = {
  consoleApi: {
    settings: { saveAccount(a: object): Promise<{ ok: boolean }> };
    line: { status(): Promise<{ ok: boolean; value: { state: string } }> };
    calls: { list(): Promise<{ ok: boolean; value: Array<{ id: string; state: string }> }> };
    desktop: { onDialRequest(l: (r: { number: string }) => void): () => void; state(): Promise<{ ok: boolean; value: { hotkeys: Array<{ action: string; state: string }> } }> };
  };
  __dialRequests?: Array<{ number: string }>;
};

describe.skipIf(!binary)('Agent Console in Electron: the desktop shell', () => {
  let app: ElectronApplication;
  let ui: Page;
  let configHome: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    if (!existsSync(join(root, 'out/main/index.js'))) {
      throw new Error('out/ is missing: build first (`npx electron-vite build`; `npm test` does it).');
    }
    configHome = mkdtempSync(join(tmpdir(), 'agent-console-e2e-desktop-'));
    env = { ...(process.env as Record<string, string>), XDG_CONFIG_HOME: configHome, ELECTRON_RENDERER_URL: '' };
    app = await _electron.launch({ executablePath: binary!, args: [...launchArgs(), '.'], cwd: root, env, timeout: 60_000 });
    ui = await findWindow(app, '/renderer/ui/index.html');
    await ui.waitForLoadState('domcontentloaded');
    // Every native notification main shows, recorded in main (Playwright cannot see the OS's).
    await app.evaluate(({ Notification }) => {
      const shown: string[] = [];
      (globalThis as unknown as { __notifications: string[] }).__notifications = shown;
      const show = Notification.prototype.show;
      Notification.prototype.show = function (this: Electron.Notification) {
        shown.push(this.title);
        return show.call(this);
      };
    });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    if (configHome) rmSync(configHome, { recursive: true, force: true });
  });

  const uiVisible = () =>
    app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().find((w) => w.webContents.getURL().endsWith('/renderer/ui/index.html'))?.isVisible() ?? null);
  const notifications = () => app.evaluate(() => (globalThis as unknown as { __notifications: string[] }).__notifications);

  it('starts with its hotkeys registered and says so in desktop:state', async () => {
    const state = await ui.evaluate(() => (window as unknown as ConsoleApiInPage).consoleApi.desktop.state());
    expect(state.ok).toBe(true);
    expect(state.value.hotkeys.length).toBeGreaterThan(0);
    const registered = await app.evaluate(({ globalShortcut }) => globalShortcut.isRegistered('CommandOrControl+Alt+Shift+O'));
    expect(registered).toBe(true);
  });

  it('closing the window hides it to the tray: the console keeps running, once with a hint', async () => {
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().find((w) => w.webContents.getURL().endsWith('/renderer/ui/index.html'))?.close());
    await expect.poll(uiVisible).toBe(false);
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(2);
    await expect.poll(notifications).toContain('Agent Console is still running');
  });

  it('a tel: launch brings the console back and pre-fills the dialer, without dialling', async () => {
    await ui.evaluate(() => {
      const w = window as unknown as ConsoleApiInPage;
      w.__dialRequests = [];
      w.consoleApi.desktop.onDialRequest((r) => w.__dialRequests!.push(r));
    });
    const second = spawn(binary!, [...launchArgs(), '.', 'tel:+49-30-1234'], { cwd: root, env, stdio: 'ignore' });
    expect(await new Promise<number | null>((resolve) => second.on('exit', resolve))).toBe(0);
    await expect.poll(() => ui.evaluate(() => (window as unknown as ConsoleApiInPage).__dialRequests?.map((r) => r.number))).toEqual(['+49301234']);
    await expect.poll(uiVisible).toBe(true);
    await expect.poll(() => ui.getByRole('textbox', { name: /number|dial/i }).first().inputValue()).toBe('+49301234');
    const calls = await ui.evaluate(() => (window as unknown as ConsoleApiInPage).consoleApi.calls.list());
    expect(calls.value).toEqual([]);
  }, 60_000);

  describe.skipIf(!binary || labUnavailable())('with a SIP lab', () => {
    let lab: Lab;
    beforeAll(async () => {
      lab = await startLab({ name: 'e2e-desktop', peers: [{ name: 'caller', signal: 'caller' }] });
      const saved = await ui.evaluate(
        (wsUrl) => (window as unknown as ConsoleApiInPage).consoleApi.settings.saveAccount({ wsUrl, sipUri: 'sip:agent@lab.invalid' }),
        lab.wsUrl,
      );
      expect(saved.ok).toBe(true);
      await expect
        .poll(async () => (await ui.evaluate(() => (window as unknown as ConsoleApiInPage).consoleApi.line.status())).value.state, { timeout: 20_000 })
        .toBe('registered');
    }, 120_000);
    afterAll(async () => {
      await lab?.stop();
    });

    it('a call rings while the console is in the background: a notification appears', async () => {
      await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().forEach((w) => w.hide()));
      const id = lab.peer('caller').call('agent');
      await lab.peer('caller').waitForCallState(await id, 'ringing');
      await expect.poll(notifications, { timeout: 10_000 }).toContainEqual(expect.stringMatching(/^Incoming call: /));
    }, 60_000);

    it.runIf(canPressGlobalKeys)('the answer hotkey answers it from the background', async () => {
      execFileSync('xdotool', ['key', 'ctrl+alt+shift+a']);
      await lab.peer('caller').waitForCallState((await lab.peer('caller').calls()).at(-1)!.id, 'established');
      await lab.peer('caller').hangup();
    }, 60_000);
  });
});

/** The window whose page ends with `suffix`, once Electron has one (re-checked whenever a window opens). */
function findWindow(app: ElectronApplication, suffix: string): Promise<Page> {
  return until(() => app.windows().find((p) => p.url().endsWith(suffix)), {
    timeoutMs: 60_000,
    what: `a window showing ${suffix}`,
    wake: (check) => {
      app.on('window', check);
      return () => {
        app.off('window', check);
      };
    },
    detail: () => `windows: ${app.windows().map((p) => p.url()).join(', ')}`,
  });
}
