/**
 * A settings file with some values the console cannot use, recovered field by
 * field: every value that reads is kept (the account above all), every one
 * that does not is reset to its default, and the dotted path of each reset is
 * reported so the agent can be told in one notice. Pure: the store reads and
 * writes the file.
 *
 * Granularity is the leaf a setting is edited as: one account field, one
 * preference, the provider as a whole (its login only makes sense together).
 * An account whose address fields are unreadable is kept with them empty, so
 * the line says what is missing and the password stays with it.
 */
import type { z } from 'zod';
import { preferencesSchema } from '../../preload/contract';
import { CURRENT_SETTINGS_VERSION, settingsFileSchema, storedAccountSchema, storedProviderSchema, type SettingsFile } from './file';

export interface Recovered {
  file: SettingsFile;
  /** Dotted paths of what was reset or dropped, in file order. */
  reset: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Each key of `shape` from `raw`: a value that parses is kept; an absent one
 * takes its default silently (an older file); one that does not parse takes
 * its default, or `fallback` when the key has none, and is reported. Keys the
 * shape does not know are dropped and reported.
 */
function recoverLeaves(shape: Record<string, z.ZodType>, raw: Record<string, unknown>, path: string, reset: string[], fallback: (key: string) => unknown) {
  const out: Record<string, unknown> = {};
  for (const [key, leaf] of Object.entries(shape)) {
    const given = raw[key];
    const parsed = leaf.safeParse(given);
    if (parsed.success) {
      if (parsed.data !== undefined) out[key] = parsed.data;
      continue;
    }
    if (given !== undefined) reset.push(`${path}.${key}`);
    const byDefault = leaf.safeParse(undefined);
    const value = byDefault.success ? byDefault.data : fallback(key);
    if (value !== undefined) out[key] = value;
  }
  for (const key of Object.keys(raw)) if (!(key in shape)) reset.push(`${path}.${key}`);
  return out;
}

function recoverAccount(raw: unknown, reset: string[]): unknown {
  if (raw === null || raw === undefined) return null;
  if (!isRecord(raw)) {
    reset.push('account');
    return null;
  }
  // wsUrl and sipUri have no default: kept empty, the account (and its sealed password) stays.
  return recoverLeaves(storedAccountSchema.shape, raw, 'account', reset, () => '');
}

function recoverPreferences(raw: unknown, reset: string[]): unknown {
  if (raw === undefined) return {};
  if (!isRecord(raw)) {
    reset.push('preferences');
    return {};
  }
  const out: Record<string, unknown> = {};
  for (const [name, section] of Object.entries(preferencesSchema.shape)) {
    const given = raw[name];
    if (given === undefined) continue;
    const path = `preferences.${name}`;
    if (!isRecord(given)) {
      reset.push(path);
      continue;
    }
    const leaves = recoverLeaves(section.unwrap().shape as Record<string, z.ZodType>, given, path, reset, () => undefined);
    // A rule across leaves (two hotkeys on one key) resets the section it spans, not the file.
    if (section.safeParse(leaves).success) out[name] = leaves;
    else reset.push(path);
  }
  for (const key of Object.keys(raw)) if (!(key in preferencesSchema.shape)) reset.push(`preferences.${key}`);
  return out;
}

/** The file recovered, or null when `raw` is no settings object at all (a list, a number, null). */
export function recoverSettings(raw: unknown): Recovered | null {
  if (!isRecord(raw)) return null;
  const reset: string[] = [];
  if (raw['schemaVersion'] !== CURRENT_SETTINGS_VERSION) reset.push('schemaVersion');
  const account = recoverAccount(raw['account'], reset);
  const preferences = recoverPreferences(raw['preferences'], reset);
  let provider: unknown = { kind: 'configured' };
  if (raw['provider'] !== undefined) {
    const parsed = storedProviderSchema.safeParse(raw['provider']);
    if (parsed.success) provider = parsed.data;
    else reset.push('provider');
  }
  const known = new Set(['schemaVersion', 'account', 'preferences', 'provider']);
  for (const key of Object.keys(raw)) if (!known.has(key)) reset.push(key);
  const file = settingsFileSchema.safeParse({ schemaVersion: CURRENT_SETTINGS_VERSION, account, preferences, provider });
  return file.success ? { file: file.data, reset } : null;
}
