/**
 * The console's keys inside its window (docs/workspace.md#keyboard). Single keys act
 * only when the agent is not typing in a field, like a mail client's; the view
 * keys and Escape work everywhere. Pure: a key event in, a command out.
 */
export type Command =
  | { type: 'answer' }
  | { type: 'decline' }
  | { type: 'hangup' }
  | { type: 'hold' }
  | { type: 'mute' }
  | { type: 'keypad' }
  | { type: 'transfer' }
  | { type: 'transfer-step'; action: 'complete' | 'cancel' | 'undo' }
  | { type: 'next-call'; step: 1 | -1 }
  | { type: 'dial' }
  | { type: 'search' }
  | { type: 'view'; view: 'calls' | 'history' | 'settings' }
  | { type: 'help' }
  | { type: 'tones'; tones: string };

export interface KeyContext {
  /** Focus is in a text field, a select or an editable element: letters are text. */
  editing: boolean;
  /** The keypad of the current call is open: digits are tones. */
  keypadOpen: boolean;
}

interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

const letters: Record<string, Command> = {
  a: { type: 'answer' },
  d: { type: 'decline' },
  e: { type: 'hangup' },
  h: { type: 'hold' },
  m: { type: 'mute' },
  k: { type: 'keypad' },
  t: { type: 'transfer' },
  c: { type: 'transfer-step', action: 'complete' },
  x: { type: 'transfer-step', action: 'cancel' },
  u: { type: 'transfer-step', action: 'undo' },
  j: { type: 'next-call', step: 1 },
  l: { type: 'dial' },
  '/': { type: 'search' },
  '?': { type: 'help' },
};

/** The shortcut table shown in the help: key labels and catalogue keys, in the order agents read them. */
export const shortcutHelp = [
  ['A', 'keys.answer'],
  ['D', 'keys.decline'],
  ['E', 'keys.hangup'],
  ['H', 'keys.hold'],
  ['M', 'keys.mute'],
  ['K', 'keys.keypad'],
  ['T', 'keys.transfer'],
  ['C', 'keys.complete'],
  ['X', 'keys.cancel'],
  ['U', 'keys.undo'],
  ['J / Shift+J', 'keys.next'],
  ['L', 'keys.dial'],
  ['/', 'keys.search'],
  ['Ctrl+1 / 2 / 3', 'keys.views'],
] as const;

export function commandFor(e: KeyLike, ctx: KeyContext): Command | null {
  const mod = e.ctrlKey || e.metaKey;
  if (mod && !e.altKey && !e.shiftKey) {
    const view = ({ '1': 'calls', '2': 'history', '3': 'settings' } as const)[e.key as '1' | '2' | '3'];
    return view ? { type: 'view', view } : null;
  }
  if (mod || e.altKey || ctx.editing) return null;
  if (ctx.keypadOpen && /^[0-9*#]$/.test(e.key)) return { type: 'tones', tones: e.key };
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (key === 'j' && e.shiftKey) return { type: 'next-call', step: -1 };
  return letters[key] ?? null;
}

/** Is this element one where letters are typed text? */
export function isEditing(el: Element | null): boolean {
  if (!el) return false;
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return true;
  if (el instanceof HTMLInputElement) return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset'].includes(el.type);
  return el instanceof HTMLElement && el.isContentEditable === true;
}
