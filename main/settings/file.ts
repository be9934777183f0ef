/**
 * The settings file as stored on disk (main only: it carries the sealed
 * password the UI never sees). Versioned: `schemaVersion` names the shape;
 * older versions are upgraded in `upgrade()`, newer ones are kept aside.
 */
import { z } from 'zod';
import { preferencesSchema } from '../../preload/contract';

export const CURRENT_SETTINGS_VERSION = 1;

export const storedAccountSchema = z.strictObject({
  wsUrl: z.string(),
  sipUri: z.string(),
  authorizationUser: z.string().optional(),
  displayName: z.string().optional(),
  acceptSelfSigned: z.boolean().default(false),
  /** PEM file of a private CA for wss:// (added later: files written before it simply lack the key). */
  caFile: z.string().optional(),
  /** safeStorage-sealed password, base64; absent when none is stored. */
  passwordSealed: z.string().optional(),
});
export type StoredAccount = z.output<typeof storedAccountSchema>;

export const settingsFileSchema = z.strictObject({
  schemaVersion: z.literal(CURRENT_SETTINGS_VERSION),
  account: storedAccountSchema.nullable().default(null),
  preferences: preferencesSchema.prefault({}),
});
export type SettingsFile = z.output<typeof settingsFileSchema>;

export const defaultSettings = (): SettingsFile => settingsFileSchema.parse({ schemaVersion: CURRENT_SETTINGS_VERSION });
