/**
 * Global hotkeys: the accelerators of preferences.desktop.hotkeys registered
 * with the OS so they work while the console is in the background, each
 * acting as hotkey-map.ts decides. Every action's registration is reported
 * (desktop:state): a combination another program holds is refused by the OS
 * (`globalShortcut.register` returns false) and shown next to its field —
 * never ignored. Re-applied whenever the preferences change (a `taken` one is
 * tried again then); all unregistered on quit.
 *
 * The OS port is `GlobalShortcuts`; `electronShortcuts()` adapts Electron's
 * globalShortcut, tests give a fake that refuses chosen combinations.
 */
import type { HotkeyAction, Hotkeys, HotkeyStatus } from '../../preload/contract';
import { hotkeyActionNames, hotkeyActions } from '../../preload/contract';
import type { Logger } from '../logging/logger';
import { hotkeyPlan } from './hotkey-map';

export interface GlobalShortcuts {
  /** False when the OS (or another program holding the combination) refuses it. */
  register(accelerator: string, fn: () => void): boolean;
  unregister(accelerator: string): void;
}

export interface HotkeyRegistry {
  /** Registers what the preferences say now; reports a change through `onChange`. */
  apply(): void;
  statuses(): HotkeyStatus[];
  /** Unregisters every hotkey we hold. Safe to call twice. */
  dispose(): void;
}

export function createHotkeys(o: {
  shortcuts: GlobalShortcuts;
  hotkeys: () => Hotkeys;
  run: (action: HotkeyAction) => void;
  onChange: () => void;
  log: Logger;
}): HotkeyRegistry {
  /** accelerator → action, for what we hold now. */
  const held = new Map<string, HotkeyAction>();
  let statuses: HotkeyStatus[] = hotkeyActions.map((action) => ({ action, accelerator: '', state: 'off', message: null }));
  let disposed = false;

  const fire = (action: HotkeyAction) => () => {
    try {
      o.run(action);
    } catch (e) {
      o.log.warn('hotkeys: action failed', { action, error: String(e) });
    }
  };

  const release = (accelerator: string) => {
    held.delete(accelerator);
    try {
      o.shortcuts.unregister(accelerator);
    } catch (e) {
      o.log.warn('hotkeys: unregister failed', { accelerator, error: String(e) });
    }
  };

  return {
    apply() {
      if (disposed) return;
      const plan = hotkeyPlan(o.hotkeys());
      const wanted = new Map(plan.map((p) => [p.accelerator, p.action]));
      // Free what is no longer wanted, or wanted for another action, before taking anything new.
      for (const [accelerator, action] of [...held]) if (wanted.get(accelerator) !== action) release(accelerator);
      const next: HotkeyStatus[] = hotkeyActions.map((action) => ({ action, accelerator: o.hotkeys()[action], state: 'off', message: null }));
      for (const { action, accelerator } of plan) {
        const status = next.find((s) => s.action === action)!;
        if (held.get(accelerator) === action) {
          status.state = 'registered';
          continue;
        }
        let ok = false;
        try {
          ok = o.shortcuts.register(accelerator, fire(action));
        } catch (e) {
          // Electron throws on an accelerator it cannot parse; the contract's check should have caught it.
          o.log.warn('hotkeys: register threw', { accelerator, error: String(e) });
        }
        if (ok) {
          held.set(accelerator, action);
          status.state = 'registered';
        } else {
          status.state = 'taken';
          status.message = `${accelerator} could not be registered: another program uses it (or the system reserves it). Choose another combination for "${hotkeyActionNames[action]}".`;
          o.log.warn('hotkeys: combination taken', { action, accelerator });
        }
      }
      const changed = JSON.stringify(next) !== JSON.stringify(statuses);
      statuses = next;
      if (changed) o.onChange();
    },
    statuses: () => statuses.map((s) => ({ ...s })),
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const accelerator of [...held.keys()]) release(accelerator);
    },
  };
}
