/**
 * Main's refusal of one form field: a ConsoleError('invalid-request') whose
 * `fields` name exactly that field — what the UI shows under the control.
 */
import { expect } from 'vitest';
import { ConsoleError } from '../../preload/contract/result';

/** Awaits `promise`, which must reject with such a refusal of `field`; returns the error. */
export async function fieldRefusal(promise: Promise<unknown>, field: string): Promise<ConsoleError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConsoleError);
  const e = error as ConsoleError;
  expect(e.code).toBe('invalid-request');
  expect(Object.keys(e.fields ?? {})).toEqual([field]);
  return e;
}
