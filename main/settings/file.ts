/**
 * The settings file as stored on disk (main only: it carries the sealed
 * password the UI never sees). Versioned: `schemaVersion` names the shape;
 * older versions are upgraded in `upgrade()`, newer ones are kept aside.
 */
import { z } from 'zod';
import { preferencesSchema } from '../../preload/contract';

export const CURRENT_SETTINGS_VERSION = 1;

/**
 * The largest settings file read at all. Every value is bounded below, so a
 * full file (500 colleagues, 200 queues, 100 favourites) stays well under it;
 * anything bigger is no settings file of ours and is never parsed.
 */
export const MAX_SETTINGS_FILE_BYTES = 4 * 1024 * 1024;

/** A stored string, bounded like the field it came from (a sealed secret is base64 of at most 512 characters plus the keyring's envelope). */
const text = (max: number) => z.string().max(max);

export const storedAccountSchema = z.strictObject({
  wsUrl: text(2048),
  sipUri: text(512),
  authorizationUser: text(256).optional(),
  displayName: text(128).optional(),
  acceptSelfSigned: z.boolean().default(false),
  /** PEM file of a private CA for wss:// (added later: files written before it simply lack the key). */
  caFile: text(1024).optional(),
  /** safeStorage-sealed password, base64; absent when none is stored. */
  passwordSealed: text(8192).optional(),
});
export type StoredAccount = z.output<typeof storedAccountSchema>;

/** Where targets come from; the VoIPBIN password or access key sealed like the SIP password. */
export const storedProviderSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('configured') }),
  z.strictObject({ kind: z.literal('sip') }),
  z.strictObject({
    kind: z.literal('voipbin'),
    apiUrl: text(2048),
    method: z.enum(['password', 'accesskey']),
    username: text(256).optional(),
    secretSealed: text(8192).optional(),
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
