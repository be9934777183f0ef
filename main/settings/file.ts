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

/** Where targets come from; the VoIPBIN password or access key sealed like the SIP password. */
export const storedProviderSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('configured') }),
  z.strictObject({ kind: z.literal('sip') }),
  z.strictObject({
    kind: z.literal('voipbin'),
    apiUrl: z.string(),
    method: z.enum(['password', 'accesskey']),
    username: z.string().optional(),
    secretSealed: z.string().optional(),
  }),
]);
export type StoredProvider = z.output<typeof storedProviderSchema>;

export const settingsFileSchema = z.strictObject({
  schemaVersion: z.literal(CURRENT_SETTINGS_VERSION),
  account: storedAccountSchema.nullable().default(null),
  preferences: preferencesSchema.prefault({}),
  /** Added later: files written before it have the configured list. */
  provider: storedProviderSchema.default({ kind: 'configured' }),
});
export type SettingsFile = z.output<typeof settingsFileSchema>;

export const defaultSettings = (): SettingsFile => settingsFileSchema.parse({ schemaVersion: CURRENT_SETTINGS_VERSION });
