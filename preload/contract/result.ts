/**
 * Expected failures cross IPC as data, never as thrown errors: the UI renders
 * `message` and may branch on `code`. Unexpected failures become `internal`.
 */
import { z } from 'zod';

export const errorCodes = [
  'invalid-request', // the payload did not match the channel's schema
  'untrusted-sender', // not our window, not the main frame, or not our origin
  'not-configured', // e.g. no SIP account yet
  'not-found',
  'not-allowed', // the action is not in the call's allowedActions
  'busy', // another transaction is in flight
  'unavailable', // a dependency (media host, SIP server, database) is down
  'invalid-target', // a number/URI/queue that cannot be dialled
  'storage', // settings or history could not be read/written
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export type Ok<T> = { ok: true; value: T };
/**
 * `fields` (optional) maps a field path (`wsUrl`, `audio.volume`) to a message
 * for that field, so a form can show each message under its own input.
 */
export type Err = { ok: false; code: ErrorCode; message: string; fields?: Record<string, string> };
export type Result<T> = Ok<T> | Err;

export const errSchema = z.strictObject({
  ok: z.literal(false),
  code: z.enum(errorCodes),
  message: z.string(),
  fields: z.record(z.string(), z.string()).optional(),
});

/** Thrown inside main by handlers and services for an expected, typed failure. */
export class ConsoleError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Field path → message, when the failure belongs to specific form fields. */
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ConsoleError';
  }
}

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const err = (code: ErrorCode, message: string, fields?: Record<string, string>): Err =>
  fields && Object.keys(fields).length > 0 ? { ok: false, code, message, fields } : { ok: false, code, message };
