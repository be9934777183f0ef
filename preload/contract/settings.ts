/**
 * Settings as the UI sees them. The SIP password is write-only: it goes in
 * through `account:save` and never comes back out (only `hasPassword`).
 */
import { z } from 'zod';
import { event, noInput, request } from './define';
import { defaultHotkeys, hotkeysSchema } from './desktop';
import { addressText, nameText } from './transfer';

/** An address field: trimmed, bounded, and a URL that `accept` takes (a string that is no URL never is). */
const urlField = (accept: (u: URL) => boolean, message: string) =>
  z
    .string()
    .trim()
    .max(2048)
    .refine((v) => {
      try {
        return accept(new URL(v));
      } catch {
        return false;
      }
    }, message);

const wsUrl = urlField(
  (u) => (u.protocol === 'ws:' || u.protocol === 'wss:') && u.hostname.length > 0,
  'Enter a WebSocket address starting with wss:// (or ws:// for a lab server), e.g. wss://sip.example.com:8089/ws',
);

// sip:user@host[:port][;params] — user part required: we register an address of record.
const sipUriPattern = /^sips?:[^\s@:;]+@[A-Za-z0-9.-]+(:\d{1,5})?(;[^\s]*)?$/;
const sipUri = z
  .string()
  .trim()
  .max(512)
  .regex(sipUriPattern, 'Enter a SIP address like sip:1001@pbx.example.com');

const optionalText = (max: number, what: string) =>
  z
    .string()
    .trim()
    .max(max, `${what} is limited to ${max} characters`)
    .optional()
    .transform((v) => (v === '' ? undefined : v));

/** A PEM file of the private CA that signed the wss:// server (main checks the file itself on save). */
const caFile = z
  .string()
  .trim()
  .max(1024, 'The path is limited to 1024 characters')
  .refine(
    (v) => v === '' || v.startsWith('/') || /^[A-Za-z]:[\\/]/.test(v) || v.startsWith('\\\\'),
    'Enter the full path of the file (for example /etc/ssl/company-ca.pem)',
  )
  .optional()
  .transform((v) => (v === '' ? undefined : v));

export const accountInputSchema = z
  .strictObject({
    wsUrl,
    sipUri,
    authorizationUser: optionalText(256, 'Authorization user'),
    /** Omitted: keep the stored password. Empty string: remove it. */
    password: z.string().max(512, 'Password is limited to 512 characters').optional(),
    displayName: optionalText(128, 'Display name'),
    /** Lab servers only: accept a self-signed TLS certificate on wss://. */
    acceptSelfSigned: z.boolean().default(false),
    /** Custom CA certificate (PEM) for wss:// servers signed by a company CA; empty → none. */
    caFile,
  })
  // A CA only verifies TLS: on ws:// it would silently do nothing, so it is refused under its field.
  .refine((a) => a.caFile === undefined || !a.wsUrl.toLowerCase().startsWith('ws://'), {
    path: ['caFile'],
    message: 'A CA certificate is used only with wss:// addresses; clear this field or use wss://',
  });
export type AccountInput = z.input<typeof accountInputSchema>;
export type Account = z.output<typeof accountInputSchema>;

export const accountViewSchema = z.strictObject({
  wsUrl: z.string(),
  sipUri: z.string(),
  authorizationUser: z.string().optional(),
  displayName: z.string().optional(),
  acceptSelfSigned: z.boolean(),
  caFile: z.string().optional(),
  hasPassword: z.boolean(),
});
export type AccountView = z.infer<typeof accountViewSchema>;

/** A queue or colleague the admin configured: shown as a transfer target until a provider has live data. */
const configuredTargets = (what: 'queue' | 'colleague', max: number) =>
  z
    .array(z.strictObject({ name: nameText(what), address: addressText }))
    .max(max, `At most ${max} ${what}s`)
    .refine((list) => new Set(list.map((t) => t.name.toLowerCase())).size === list.length, {
      message: `Two ${what}s have the same name; give each its own`,
    })
    .default([]);

/** Preferences every later feature adds to; each key has a default so older files keep working. */
export const preferencesSchema = z.strictObject({
  audio: z
    .strictObject({
      inputDeviceId: z.string().max(512).default('default'),
      outputDeviceId: z.string().max(512).default('default'),
      ringerDeviceId: z.string().max(512).default('default'),
      echoCancellation: z.boolean().default(true),
      noiseSuppression: z.boolean().default(true),
      autoGainControl: z.boolean().default(true),
    })
    .prefault({}),
  calls: z
    .strictObject({
      dtmf: z.enum(['info', 'rfc2833']).default('info'),
      declineWith: z.enum(['busy', 'decline']).default('busy'),
    })
    .prefault({}),
  transfer: z
    .strictObject({
      safeBlind: z.boolean().default(true),
      safeBlindTimeoutSec: z.number().int().min(5).max(300).default(30),
      undoWindowSec: z.number().min(0).max(10).default(3),
      completeTimeoutSec: z.number().int().min(2).max(60).default(8),
      incomingRefer: z.enum(['follow', 'ask']).default('ask'),
    })
    .prefault({}),
  holdMusic: z
    .strictObject({
      track: z.string().max(1024).default('builtin:lounge'),
      volume: z.number().min(0).max(1).default(0.5),
    })
    .prefault({}),
  history: z
    .strictObject({
      /** null keeps history forever. */
      retentionDays: z.number().int().min(1).max(36500).nullable().default(null),
    })
    .prefault({}),
  targets: z
    .strictObject({
      queues: configuredTargets('queue', 200),
      colleagues: configuredTargets('colleague', 500),
    })
    .prefault({}),
  /** How the console looks: the OS's theme and language unless the agent chose one. */
  appearance: z
    .strictObject({
      theme: z.enum(['system', 'light', 'dark']).default('system'),
      language: z.enum(['system', 'en', 'de']).default('system'),
    })
    .prefault({}),
  /** The agent's workspace: what a drop onto a target does, and the targets kept at hand. */
  workspace: z
    .strictObject({
      /** A call dropped on a target without a modifier: ask, or start this kind straight away. */
      dropAction: z.enum(['ask', 'blind', 'attended']).default('ask'),
      /** Addresses (numbers or SIP addresses) the agent starred. */
      favourites: z.array(addressText).max(100, 'At most 100 favourites').default([]),
    })
    .prefault({}),
  /** The agent's status (main/agent/): wrap-up after calls, and what "quiet" (away, do-not-disturb) does to calls. */
  agent: z
    .strictObject({
      /** After-call work when the agent's last answered call ends, in seconds; 0: none. */
      wrapUpSec: z.number().int().min(0).max(1800).default(30),
      /** What one "Extend" adds to a wrap-up. */
      wrapUpExtendSec: z.number().int().min(10).max(600).default(30),
      /** No notifications, and calls treated as `quietCalls` says, until switched off. */
      doNotDisturb: z.boolean().default(false),
      /** While away or on do-not-disturb: incoming calls ring in the console only, or are refused (the `calls.declineWith` code). */
      quietCalls: z.enum(['ring', 'reject']).default('ring'),
    })
    .prefault({}),
  /** The installed app: start at login, and global hotkeys (docs/desktop.md). */
  desktop: z
    .strictObject({
      openAtLogin: z.boolean().default(false),
      /** Every action's accelerator ('' = none); a patch gives the whole map. */
      hotkeys: hotkeysSchema.default(() => ({ ...defaultHotkeys })),
    })
    .prefault({}),
});
export type Preferences = z.output<typeof preferencesSchema>;

/**
 * A section's leaves, each optional and WITHOUT its default: `.partial()` alone
 * keeps zod defaults, so patching `holdMusic.volume` would silently reset
 * `holdMusic.track` to its default.
 */
const patchOf = <S extends z.ZodRawShape>(section: z.ZodObject<S>) =>
  z.strictObject(
    Object.fromEntries(
      Object.entries(section.shape).map(([key, leaf]) => [
        key,
        (leaf instanceof z.ZodDefault ? (leaf.unwrap() as z.ZodType) : (leaf as z.ZodType)).optional(),
      ]),
    ) as unknown as { [K in keyof S]: z.ZodOptional<S[K] extends z.ZodDefault<infer T> ? T : S[K]> },
  );

/** A patch changes whole leaves of one or more sections; unknown keys are refused. */
export const preferencesPatchSchema = z.strictObject({
  audio: patchOf(preferencesSchema.shape.audio.unwrap()).optional(),
  calls: patchOf(preferencesSchema.shape.calls.unwrap()).optional(),
  transfer: patchOf(preferencesSchema.shape.transfer.unwrap()).optional(),
  holdMusic: patchOf(preferencesSchema.shape.holdMusic.unwrap()).optional(),
  history: patchOf(preferencesSchema.shape.history.unwrap()).optional(),
  targets: patchOf(preferencesSchema.shape.targets.unwrap()).optional(),
  appearance: patchOf(preferencesSchema.shape.appearance.unwrap()).optional(),
  workspace: patchOf(preferencesSchema.shape.workspace.unwrap()).optional(),
  agent: patchOf(preferencesSchema.shape.agent.unwrap()).optional(),
  desktop: patchOf(preferencesSchema.shape.desktop.unwrap()).optional(),
});
export type PreferencesPatch = z.input<typeof preferencesPatchSchema>;

// ─── where transfer targets (and, on a platform, transfers) come from ────────

/** https:// for a platform; plain http:// only on this computer (a local test server). */
const apiUrl = urlField((u) => {
  const local = u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
  return u.protocol === 'https:' || (u.protocol === 'http:' && local);
}, 'Enter the API address starting with https://, e.g. https://api.voipbin.net');

const secret = (what: string) => z.string().max(512, `The ${what} is limited to 512 characters`);

/**
 * The provider of queues, colleagues and the agent's status: the configured
 * list, the SIP platform's busy-lamp field, or VoIPBIN's API. Secrets are
 * write-only like the SIP password: omitted keeps the stored one, '' removes it.
 */
export const providerInputSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('configured') }),
    z.strictObject({ kind: z.literal('sip') }),
    z.strictObject({
      kind: z.literal('voipbin'),
      apiUrl,
      login: z.discriminatedUnion('method', [
        z.strictObject({
          method: z.literal('password'),
          username: z.string().trim().min(1, 'Enter the VoIPBIN user name').max(256, 'The user name is limited to 256 characters'),
          password: secret('password').optional(),
        }),
        z.strictObject({ method: z.literal('accesskey'), accessKey: secret('access key').optional() }),
      ]),
    }),
  ],
  { error: 'Choose where targets come from: configured, sip or voipbin' },
);
export type ProviderInput = z.input<typeof providerInputSchema>;

export const providerViewSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('configured') }),
  z.strictObject({ kind: z.literal('sip') }),
  z.strictObject({
    kind: z.literal('voipbin'),
    apiUrl: z.string(),
    method: z.enum(['password', 'accesskey']),
    username: z.string().nullable(),
    hasSecret: z.boolean(),
  }),
]);
export type ProviderView = z.infer<typeof providerViewSchema>;

export const settingsViewSchema = z.strictObject({
  account: accountViewSchema.nullable(),
  preferences: preferencesSchema,
  provider: providerViewSchema.default({ kind: 'configured' }),
});
export type SettingsView = z.infer<typeof settingsViewSchema>;

export const settings = {
  get: request('settings:get', noInput, settingsViewSchema),
  update: request('settings:update', preferencesPatchSchema, settingsViewSchema),
  saveAccount: request('account:save', accountInputSchema, settingsViewSchema),
  removeAccount: request('account:remove', noInput, settingsViewSchema),
  saveProvider: request('provider:save', providerInputSchema, settingsViewSchema),
  changed: event('settings:changed', settingsViewSchema),
} as const;
