/**
 * Start at login (preferences.desktop.openAtLogin). macOS and Windows keep
 * login items themselves (`app.setLoginItemSettings`); on Linux Electron has
 * none, so the console writes the freedesktop autostart entry
 * (https://specifications.freedesktop.org/autostart-spec/latest/):
 * `$XDG_CONFIG_HOME/autostart/agent-console.desktop`, starting the AppImage
 * (its path is in $APPIMAGE) or the installed executable. A console run from
 * the sources is never registered: it would start a bare Electron at login.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { app } from 'electron';
import type { DesktopState } from '../../preload/contract';

export type AutoStartState = DesktopState['autoStart'];

/** Quotes one Exec argument as the Desktop Entry spec asks ("Exec key": reserved characters in double quotes, \ " ` $ escaped). */
export function execArgument(arg: string): string {
  if (/^[A-Za-z0-9_\-./+,:=@]+$/.test(arg)) return arg;
  return `"${arg.replace(/[\\"`$]/g, (c) => `\\${c}`)}"`;
}

export function autostartEntry(executable: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Agent Console',
    'Comment=Desktop console for contact-center agents',
    `Exec=${execArgument(executable).replace(/%/g, '%%')}`,
    'Icon=agent-console',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export interface AutoStartEnv {
  platform: NodeJS.Platform;
  packaged: boolean;
  /** The program to start: $APPIMAGE for an AppImage, else the executable. */
  executable: string;
  /** $XDG_CONFIG_HOME or ~/.config. */
  configHome: string;
  loginItems: { set(on: boolean): void; get(): boolean };
  files: { write(path: string, text: string): Promise<void>; remove(path: string): Promise<void> };
}

export const autostartFile = (configHome: string) => join(configHome, 'autostart', 'agent-console.desktop');

export async function applyAutoStart(on: boolean, env: AutoStartEnv): Promise<AutoStartState> {
  if (!env.packaged) {
    return { state: 'unsupported', message: 'Start at login works in the installed app, not in a console run from its sources.' };
  }
  try {
    if (env.platform === 'darwin' || env.platform === 'win32') {
      env.loginItems.set(on);
      const now = env.loginItems.get();
      if (now !== on) return { state: 'failed', message: `The system did not ${on ? 'add' : 'remove'} the login item.` };
      return { state: on ? 'on' : 'off', message: null };
    }
    if (env.platform === 'linux') {
      const path = autostartFile(env.configHome);
      if (on) await env.files.write(path, autostartEntry(env.executable));
      else await env.files.remove(path);
      return { state: on ? 'on' : 'off', message: null };
    }
    return { state: 'unsupported', message: 'Start at login is not available on this system.' };
  } catch (e) {
    return { state: 'failed', message: `Start at login could not be ${on ? 'set up' : 'switched off'}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** The environment of the running app. */
export function electronAutoStartEnv(): AutoStartEnv {
  return {
    platform: process.platform,
    packaged: app.isPackaged,
    executable: process.env['APPIMAGE'] || process.execPath,
    configHome: process.env['XDG_CONFIG_HOME'] || join(homedir(), '.config'),
    loginItems: {
      set: (openAtLogin) => app.setLoginItemSettings({ openAtLogin }),
      get: () => app.getLoginItemSettings().openAtLogin,
    },
    files: {
      async write(path, text) {
        await mkdir(join(path, '..'), { recursive: true });
        await writeFile(path, text, { mode: 0o644 });
      },
      remove: (path) => rm(path, { force: true }),
    },
  };
}
