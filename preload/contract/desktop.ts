/**
 * The installed desktop app as the UI sees it (docs/desktop.md): global
 * hotkeys and whether each one could be registered, auto-start at login,
 * native notifications, click-to-dial requests from tel:/sip: links and the
 * command line, the transfer picker opened by a hotkey, and the diagnostics
 * export. Main owns all of it; the UI shows the state and asks.
 *
 * Accelerators use Electron's syntax (https://www.electronjs.org/docs/latest/api/accelerator)
 * and are checked here, so a combination that can never work is refused under
 * its field when the settings are saved, not found out at registration.
 */
import { z } from 'zod';
import { epochMs, event, noInput, request } from './define';

// ─── accelerators ───────────────────────────────────────────────────────────

/** What a global hotkey can do, in the agent's words. */
export const hotkeyActions = [
  'answer',
  'hangup',
  /** One key for headsets and keyboards' play/pause: answers a ringing call, else hangs up. */
  'answerOrHangup',
  'hold',
  'mute',
  'transferPicker',
  'completeConsult',
  'cancelConsult',
  'undoTransfer',
  'showWindow',
] as const;
export type HotkeyAction = (typeof hotkeyActions)[number];

/** English names for main's messages (the UI has its own catalogue). */
export const hotkeyActionNames: Record<HotkeyAction, string> = {
  answer: 'Answer',
  hangup: 'Hang up',
  answerOrHangup: 'Answer or hang up',
  hold: 'Hold / resume',
  mute: 'Mute / unmute',
  transferPicker: 'Transfer',
  completeConsult: 'Complete the consult',
  cancelConsult: 'Cancel the consult',
  undoTransfer: 'Undo the transfer',
  showWindow: 'Show the console',
};

const modifierNames: Record<string, string> = {
  commandorcontrol: 'CommandOrControl',
  cmdorctrl: 'CommandOrControl',
  command: 'Command',
  cmd: 'Command',
  control: 'Control',
  ctrl: 'Control',
  alt: 'Alt',
  option: 'Alt',
  altgr: 'AltGr',
  shift: 'Shift',
  super: 'Super',
  meta: 'Super',
};
/** Canonical order, so "Shift+Ctrl+A" and "Ctrl+Shift+A" are the same hotkey. */
const modifierOrder = ['CommandOrControl', 'Command', 'Control', 'Alt', 'AltGr', 'Shift', 'Super'];
/** Modifiers that make a combination no typing can produce (Shift or AltGr alone still type characters). */
const strongModifiers = new Set(['CommandOrControl', 'Command', 'Control', 'Alt', 'Super']);

const namedKeys: Record<string, string> = {
  plus: 'Plus',
  space: 'Space',
  tab: 'Tab',
  backspace: 'Backspace',
  delete: 'Delete',
  insert: 'Insert',
  return: 'Return',
  enter: 'Return',
  up: 'Up',
  down: 'Down',
  left: 'Left',
  right: 'Right',
  home: 'Home',
  end: 'End',
  pageup: 'PageUp',
  pagedown: 'PageDown',
  escape: 'Escape',
  esc: 'Escape',
  printscreen: 'PrintScreen',
};
/** Keys no typing uses: they may stand alone (a headset's button arrives as MediaPlayPause). */
const standaloneKeys: Record<string, string> = {
  mediaplaypause: 'MediaPlayPause',
  medianexttrack: 'MediaNextTrack',
  mediaprevioustrack: 'MediaPreviousTrack',
  mediastop: 'MediaStop',
};
const punctuation = new Set([...')!@#$%^&*(:;=<,_->.?/~`{][|\\}"\'']);

export type ParsedAccelerator = { ok: true; accelerator: string; standalone: boolean } | { ok: false; message: string };

/**
 * One accelerator, checked and written canonically (modifiers in a fixed
 * order, synonyms folded: Ctrl → Control, Enter → Return). Volume keys are
 * not offered: a console must not take the computer's volume away.
 */
export function parseAccelerator(text: string): ParsedAccelerator {
  const parts = text.split('+').map((p) => p.trim());
  if (text.trim() === '' || parts.some((p) => p === '')) {
    return { ok: false, message: 'Write the keys joined by +, e.g. Control+Alt+Shift+A' };
  }
  const modifiers: string[] = [];
  let key: string | null = null;
  let standalone = false;
  for (const part of parts) {
    const lower = part.toLowerCase();
    const modifier = modifierNames[lower];
    if (modifier) {
      if (key !== null) return { ok: false, message: 'Put the modifiers (Control, Alt, Shift…) before the key' };
      if (modifiers.includes(modifier)) return { ok: false, message: `${modifier} is given twice` };
      modifiers.push(modifier);
      continue;
    }
    if (key !== null) return { ok: false, message: 'A hotkey has one key besides its modifiers' };
    if (/^[a-z0-9]$/i.test(part)) key = part.toUpperCase();
    else if (/^f([1-9]|1[0-9]|2[0-4])$/i.test(part)) key = part.toUpperCase();
    else if (/^num([0-9]|dec|add|sub|mult|div)$/i.test(part)) key = lower;
    else if (part.length === 1 && punctuation.has(part)) key = part;
    else if (namedKeys[lower]) key = namedKeys[lower];
    else if (standaloneKeys[lower]) {
      key = standaloneKeys[lower];
      standalone = true;
    } else if (/^volume(up|down|mute)$/i.test(part)) {
      return { ok: false, message: 'The volume keys stay with the computer; choose another key' };
    } else return { ok: false, message: `"${part.slice(0, 20)}" is not a key Electron knows` };
  }
  if (key === null) return { ok: false, message: 'Add a key after the modifiers, e.g. Control+Alt+Shift+A' };
  // F13–F24 are on no ordinary keyboard's typing path: like media keys, they may stand alone.
  const spareFunctionKey = /^F(1[3-9]|2[0-4])$/.test(key);
  if (!standalone && !spareFunctionKey && !modifiers.some((m) => strongModifiers.has(m))) {
    return { ok: false, message: 'Add Control, Alt, Command or Super: a global hotkey without one would take that key from every other program' };
  }
  modifiers.sort((a, b) => modifierOrder.indexOf(a) - modifierOrder.indexOf(b));
  return { ok: true, accelerator: [...modifiers, key].join('+'), standalone: standalone || spareFunctionKey };
}

/** One hotkey field: '' means none; anything else must be an accelerator, stored canonically. */
export const acceleratorText = z
  .string()
  .trim()
  .max(64, 'A hotkey is limited to 64 characters')
  .superRefine((value, ctx) => {
    if (value === '') return;
    const parsed = parseAccelerator(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
  })
  .transform((value) => {
    if (value === '') return value;
    const parsed = parseAccelerator(value);
    return parsed.ok ? parsed.accelerator : value;
  });

/**
 * The defaults: Control/Command + Alt + Shift + a letter. Three modifiers keep
 * clear of the shortcuts agents use all day (copy/paste, Office's
 * Control+Shift and Control+Alt sets, which on many European layouts also
 * type characters through AltGr) and of the desktops' own (GNOME's
 * Control+Alt+Shift+R recording, macOS's Command+Option+Shift+V paste,
 * Escape). The headset button (MediaPlayPause) answers or hangs up.
 * docs/desktop.md explains the choice.
 */
export const defaultHotkeys: Record<HotkeyAction, string> = {
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
};

/** Every action's hotkey; two actions never share one (the second is refused under its own field). */
export const hotkeysSchema = z
  .strictObject(Object.fromEntries(hotkeyActions.map((a) => [a, acceleratorText])) as Record<HotkeyAction, typeof acceleratorText>)
  .superRefine((map, ctx) => {
    const seen = new Map<string, HotkeyAction>();
    for (const action of hotkeyActions) {
      const accelerator = map[action];
      if (accelerator === '') continue;
      const first = seen.get(accelerator);
      if (first) ctx.addIssue({ code: 'custom', path: [action], message: `${accelerator} is already the hotkey for "${hotkeyActionNames[first]}"` });
      else seen.set(accelerator, action);
    }
  });
export type Hotkeys = z.output<typeof hotkeysSchema>;

// ─── state ──────────────────────────────────────────────────────────────────

/**
 * One hotkey as registered: `registered` works now; `off` none is set;
 * `taken` another program holds the combination (the OS refused it);
 * `unsupported` global hotkeys do not exist here (e.g. the headless harness).
 */
export const hotkeyStatusSchema = z.strictObject({
  action: z.enum(hotkeyActions),
  accelerator: z.string(),
  state: z.enum(['registered', 'off', 'taken', 'unsupported']),
  /** Why it is not registered, for the agent; null when it is (or none is set). */
  message: z.string().nullable(),
});
export type HotkeyStatus = z.infer<typeof hotkeyStatusSchema>;

export const desktopStateSchema = z.strictObject({
  hotkeys: z.array(hotkeyStatusSchema),
  /** Start at login (preferences.desktop.openAtLogin) as the OS has it. */
  autoStart: z.strictObject({
    state: z.enum(['on', 'off', 'unsupported', 'failed']),
    message: z.string().nullable(),
  }),
  /** Native notifications exist here; `actions`: they can carry Answer / Decline buttons. */
  notifications: z.strictObject({ supported: z.boolean(), actions: z.boolean() }),
});
export type DesktopState = z.infer<typeof desktopStateSchema>;

/** A tel:/sip: link or a command-line number, ready to dial once the agent confirms. */
export const dialRequestSchema = z.strictObject({
  id: z.string().max(64),
  /** What the dialer is pre-filled with: a number (+, digits, * #) or a sip:/sips: address. */
  number: z.string().min(1).max(256),
  source: z.enum(['link', 'command-line']),
  at: epochMs,
});
export type DialRequest = z.infer<typeof dialRequestSchema>;

export const diagnosticsWrittenSchema = z.strictObject({
  /** Full path of the zip file. */
  path: z.string(),
  bytes: z.number().int().nonnegative(),
  /** Names inside the zip. */
  entries: z.array(z.string()),
});
export type DiagnosticsWritten = z.infer<typeof diagnosticsWrittenSchema>;

export const desktop = {
  state: request('desktop:state', noInput, desktopStateSchema),
  /** Hotkeys re-registered, auto-start applied, …: the whole state again. */
  changed: event('desktop:changed', desktopStateSchema),
  /** A link or launch asks to dial: pre-fill the dialer, never dial without the agent. */
  dialRequest: event('desktop:dial-request', dialRequestSchema),
  /** The request not yet taken (a link that started the console arrives before the UI listens); taking clears it. */
  takeDialRequest: request('desktop:take-dial-request', noInput, dialRequestSchema.nullable()),
  /** The transfer hotkey: open the transfer picker for this call. */
  openPicker: event('desktop:open-picker', z.strictObject({ callId: z.string().min(1).max(64) })),
  /** Writes the diagnostics zip (redacted logs, settings without secrets, versions, SIP traces). */
  exportDiagnostics: request('desktop:export-diagnostics', noInput, diagnosticsWrittenSchema),
  /** Shows the last diagnostics zip in the file manager. */
  showDiagnostics: request('desktop:show-diagnostics', noInput, z.null()),
} as const;
