/**
 * A pressed key combination → the accelerator main stores for a global
 * hotkey, in Electron's syntax written the way main writes it
 * (preload/contract/desktop.ts: modifiers in one fixed order, `Return` for
 * Enter, `Plus` for +). Pure: a key event's fields in, what the capture field
 * should do out. Main checks every accelerator again when it is saved; this
 * only reads the keyboard.
 *
 * Control vs Command: on macOS the Command key is the one agents hold for
 * shortcuts, elsewhere Control. Both become `CommandOrControl`, so a settings
 * file moved between computers keeps meaning the same hotkey; the other key
 * (Control on a Mac, the Windows/Super key elsewhere) is kept as itself.
 */
import type { HotkeyAction } from '../../../preload/contract';

/** The fields of a KeyboardEvent the capture reads (a test builds one by hand). */
export interface KeyPress {
  key: string;
  code: string;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
}

export type Capture =
  /** Not ours: Tab and Shift+Tab move the focus on, as everywhere. */
  | { kind: 'pass' }
  /** Esc: keep the hotkey in force, forget what was pressed. */
  | { kind: 'cancel' }
  /** Backspace or Delete: no hotkey for this action. */
  | { kind: 'clear' }
  /** Only modifiers are held so far: show them while the agent looks for the key. */
  | { kind: 'pending'; modifiers: string[] }
  /** A key without any modifier: every program would lose it, so the field asks for a modifier first. */
  | { kind: 'needs-modifier' }
  /** A key no accelerator can name (or one the computer keeps, like the volume keys). */
  | { kind: 'unknown' }
  | { kind: 'accelerator'; accelerator: string };

/** The actions in the order the settings list them: the ones used on every call first. */
export const hotkeyActionOrder = [
  'answer',
  'hangup',
  'answerOrHangup',
  'hold',
  'mute',
  'transferPicker',
  'completeConsult',
  'cancelConsult',
  'undoTransfer',
  'showWindow',
] as const satisfies readonly HotkeyAction[];
// Compile-time: an action the contract adds must be listed here too.
const everyAction: Record<Exclude<HotkeyAction, (typeof hotkeyActionOrder)[number]>, never> = {};
void everyAction;

/** Main's canonical modifier order (preload/contract/desktop.ts). */
const modifierOrder = ['CommandOrControl', 'Command', 'Control', 'Alt', 'AltGr', 'Shift', 'Super'];

/** KeyboardEvent.key values that are modifiers themselves. */
const modifierKeys = new Set(['Control', 'Alt', 'AltGraph', 'Shift', 'Meta', 'OS', 'Super', 'Hyper']);

const namedKeys: Record<string, string> = {
  ' ': 'Space',
  Enter: 'Return',
  Tab: 'Tab',
  Backspace: 'Backspace',
  Delete: 'Delete',
  Insert: 'Insert',
  ArrowUp: 'Up',
  ArrowDown: 'Down',
  ArrowLeft: 'Left',
  ArrowRight: 'Right',
  Home: 'Home',
  End: 'End',
  PageUp: 'PageUp',
  PageDown: 'PageDown',
  Escape: 'Escape',
  PrintScreen: 'PrintScreen',
};

/** Keys no typing uses; they may be a hotkey on their own (a headset's button). */
const standaloneKeys: Record<string, string> = {
  MediaPlayPause: 'MediaPlayPause',
  MediaTrackNext: 'MediaNextTrack',
  MediaTrackPrevious: 'MediaPreviousTrack',
  MediaStop: 'MediaStop',
};

const numpad: Record<string, string> = {
  NumpadDecimal: 'numdec',
  NumpadAdd: 'numadd',
  NumpadSubtract: 'numsub',
  NumpadMultiply: 'nummult',
  NumpadDivide: 'numdiv',
  NumpadEnter: 'Return',
};

/** Where the typed character is no help (Option or Shift changed it), the key's place on a US keyboard. */
const punctuationByCode: Record<string, string> = {
  Minus: '-',
  Equal: '=',
  BracketLeft: '[',
  BracketRight: ']',
  Backslash: '\\',
  Semicolon: ';',
  Quote: "'",
  Comma: ',',
  Period: '.',
  Slash: '/',
  Backquote: '`',
};
const punctuation = new Set([...')!@#$%^&*(:;=<,_->.?/~`{][|\\}"\'']);

/** The key's accelerator name, or null when it has none. */
function keyName(press: KeyPress): string | null {
  const { key, code } = press;
  // The letter the layout puts on the key (Z on a German keyboard is where Y is on a US one) —
  // unless a modifier turned it into another character (Option+A is å on a Mac).
  if (/^[a-z]$/i.test(key)) return key.toUpperCase();
  if (/^Key[A-Z]$/.test(code)) return code.slice(3);
  if (/^[0-9]$/.test(key) && !code.startsWith('Numpad')) return key;
  if (/^Digit[0-9]$/.test(code)) return code.slice(5);
  if (/^F([1-9]|1[0-9]|2[0-4])$/.test(key)) return key;
  if (/^Numpad[0-9]$/.test(code)) return `num${code.slice(6)}`;
  if (numpad[code]) return numpad[code];
  if (standaloneKeys[key]) return standaloneKeys[key];
  if (namedKeys[key]) return namedKeys[key];
  if (code === 'Space') return 'Space';
  if (key === '+') return 'Plus';
  if (key.length === 1 && punctuation.has(key)) return key;
  return punctuationByCode[code] ?? null;
}

function modifiersOf(press: KeyPress, mac: boolean): string[] {
  const held: string[] = [];
  if (press.ctrlKey) held.push(mac ? 'Control' : 'CommandOrControl');
  if (press.metaKey) held.push(mac ? 'CommandOrControl' : 'Super');
  if (press.altKey) held.push('Alt');
  if (press.shiftKey) held.push('Shift');
  return held.sort((a, b) => modifierOrder.indexOf(a) - modifierOrder.indexOf(b));
}

/** What one keydown in a capture field means. */
export function captureKey(press: KeyPress, mac: boolean): Capture {
  const modifiers = modifiersOf(press, mac);
  const plain = !press.ctrlKey && !press.altKey && !press.metaKey;
  if (press.key === 'Tab' && plain) return { kind: 'pass' };
  if (modifiers.length === 0) {
    if (press.key === 'Escape') return { kind: 'cancel' };
    if (press.key === 'Backspace' || press.key === 'Delete') return { kind: 'clear' };
  }
  if (modifierKeys.has(press.key)) return { kind: 'pending', modifiers };
  const name = keyName(press);
  if (name === null) return { kind: 'unknown' };
  const standalone = Object.values(standaloneKeys).includes(name) || /^F(1[3-9]|2[0-4])$/.test(name);
  if (modifiers.length === 0 && !standalone) return { kind: 'needs-modifier' };
  return { kind: 'accelerator', accelerator: [...modifiers, name].join('+') };
}

/** The parts of an accelerator, modifiers first (`Plus` stands for the + key, so + only joins). */
export function acceleratorParts(accelerator: string): string[] {
  return accelerator === '' ? [] : accelerator.split('+');
}
