/**
 * Quitting never drops a call silently: with calls up (ringing, dialling,
 * talking, on hold) the agent is asked first, and only an explicit "End calls
 * and quit" goes on — the core then hangs each one up properly (BYE / CANCEL /
 * busy) and unregisters before the process leaves. Pure; main/index.ts shows
 * the question with Electron's message box.
 */
import type { CallSnapshot } from '../../preload/contract';
import { callerText } from './notification-policy';

export interface QuitQuestion {
  message: string;
  detail: string;
  /** Button labels; the first one (the default, and what Escape picks) keeps the console running. */
  buttons: [stay: string, quit: string];
}

type Call = Pick<CallSnapshot, 'direction' | 'state' | 'remote'>;

/** Null: nothing is up, quit straight away. */
export function quitQuestion(calls: readonly Call[]): QuitQuestion | null {
  const up = calls.filter((c) => c.state !== 'ended');
  if (up.length === 0) return null;
  const ringing = up.filter((c) => c.direction === 'incoming' && (c.state === 'ringing' || c.state === 'early-media')).length;
  const who = up.slice(0, 3).map((c) => callerText(c.remote));
  const more = up.length > 3 ? ` and ${up.length - 3} more` : '';
  return {
    message: up.length === 1 ? 'A call is still up. Quit anyway?' : `${up.length} calls are still up. Quit anyway?`,
    detail:
      `Quitting ends ${up.length === 1 ? 'it' : 'them'}: ${who.join(', ')}${more}.` +
      (ringing > 0 ? ` ${ringing === 1 ? 'The ringing call is' : 'Ringing calls are'} turned away as busy.` : ''),
    buttons: ['Keep the console running', up.length === 1 ? 'End the call and quit' : 'End the calls and quit'],
  };
}
