/**
 * Who transferred a call, made safe to keep. The values come from another
 * party's SIP headers (Referred-By, or the From of the call it replaced), so
 * before they are written they are cut down to what the columns of
 * migrations/0008 accept — the call's row is never refused because of them:
 *
 * - a name or number loses its control characters (CR/LF of a header-
 *   injection attempt, NUL, C1, line and paragraph separators: each run
 *   becomes one space) and is cut at its bound with an ellipsis, so it is
 *   still plain, readable text that says it was shortened;
 * - a URI is an address, and a cut or rewritten one would point somewhere
 *   else: one that is too long or holds control characters or spaces is
 *   left out rather than changed;
 * - whatever is empty afterwards is null, and a transferrer with nothing
 *   left is no transferrer.
 *
 * Lengths are counted in UTF-16 code units (the contract's zod bounds), which
 * is never less than SQLite's count of characters, so both checks hold.
 * Pure.
 */
import { replaceControlChars, transferrerBounds, type Transferrer } from '../../preload/contract';

/** What a recorder may be handed: the call service's party, with any field missing. */
export interface TransferrerInput {
  number?: string | null;
  uri?: string | null;
  displayName?: string | null;
}

export interface TransferrerColumns {
  transferredByName: string | null;
  transferredByNumber: string | null;
  transferredByUri: string | null;
}

const badInUri = /[\u0000-\u0020\u007f-\u009f\u2028\u2029]/;

/** `value` cut to at most `max` UTF-16 units, ending with "…" when cut, never splitting a surrogate pair. */
export function cutToBound(value: string, max: number): string {
  if (value.length <= max) return value;
  let end = max - 1;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // a high surrogate whose low half would be cut off
  return `${value.slice(0, end).trimEnd()}…`;
}

function text(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return null;
  const cleaned = replaceControlChars(value, ' ').replace(/\s+/g, ' ').trim();
  return cleaned === '' ? null : cutToBound(cleaned, max);
}

function address(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.length > transferrerBounds.uri || badInUri.test(trimmed)) return null;
  return trimmed;
}

/** The safe form of a transferrer, or null when nothing usable is left (or none was given). */
export function safeTransferrer(input: TransferrerInput | null | undefined): Transferrer | null {
  if (!input || typeof input !== 'object') return null;
  const safe = {
    number: text(input.number, transferrerBounds.number),
    uri: address(input.uri),
    displayName: text(input.displayName, transferrerBounds.displayName),
  };
  return safe.number === null && safe.uri === null && safe.displayName === null ? null : safe;
}

/** The three columns of the call's row (all null when the call did not arrive by transfer). */
export function transferrerColumns(input: TransferrerInput | null | undefined): TransferrerColumns {
  const safe = safeTransferrer(input);
  return {
    transferredByName: safe?.displayName ?? null,
    transferredByNumber: safe?.number ?? null,
    transferredByUri: safe?.uri ?? null,
  };
}
