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

// ─── the SIP grammar an account must fit (RFC 3261 §25.1) ─────────────────────
// Everything here ends up in SIP headers (From, To, Contact, Authorization) or
// in the SIP stack's configuration: a value the stack cannot take must be
// refused on save, under its field, not discovered when the line starts.

// C0 and C1 controls, DEL, the Unicode line/paragraph separators, and half a
// surrogate pair: never part of a header value. A lone surrogate is no
// character at all (JSON can carry one, a keyboard cannot); UTF-8 sends it as
// U+FFFD, so a digest user would be answered for a name nobody typed.
const controlChars = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const controlRuns = new RegExp(`(?:${controlChars.source})+`, 'g');
export const hasControlChars = (v: string) => controlChars.test(v);
/** `value` with each run of the characters `hasControlChars` finds replaced by `by`. */
export const replaceControlChars = (value: string, by: string) => value.replace(controlRuns, by);

const alnum = 'A-Za-z0-9';
const unreserved = `${alnum}\\-_.!~*'()`;
const escaped = '%[0-9A-Fa-f]{2}';
// user = 1*( unreserved / escaped / user-unreserved ), user-unreserved = & = + $ , ; ? /
const userPart = new RegExp(`^(?:[${unreserved}&=+$,;?/]|${escaped})+$`);
// hostname = *( domainlabel "." ) toplabel — a label starts with a letter or digit, and the last with a letter.
const domainLabel = `[${alnum}](?:[${alnum}-]*[${alnum}])?`;
const topLabel = `[A-Za-z](?:[${alnum}-]*[${alnum}])?`;
const hostName = new RegExp(`^(?:${domainLabel}\\.)*${topLabel}$`);
const ipv4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
// other-param = pname [ "=" pvalue ], paramchar = param-unreserved / unreserved / escaped
const paramChars = `(?:[${unreserved}\\[\\]/:&+$]|${escaped})+`;
const uriParam = new RegExp(`^(${paramChars})(?:=(${paramChars}))?$`);

/** The hosts the SIP stack takes: a domain name, an IPv4 address or a bracketed IPv6 address. */
export function isSipHost(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  if (host.startsWith('[') && host.endsWith(']')) {
    if (!/^\[[0-9A-Fa-f:.]+\]$/.test(host)) return false;
    try {
      return new URL(`http://${host}/`).hostname.length > 2;
    } catch {
      return false;
    }
  }
  return ipv4.test(host) || (hostName.test(host) && !/^[\d.]+$/.test(host));
}

const decodesCleanly = (v: string) => {
  try {
    return !hasControlChars(decodeURIComponent(v));
  } catch {
    return false; // %FF alone is no UTF-8: the stack throws when it decodes it
  }
};

/**
 * Why `value` is no SIP address of record the line can register, or null when
 * it is one: sip:user@host[:port][;param[=value]]… — a user part is required,
 * no password, no ?headers. The message names the part to fix.
 */
export function sipAddressProblem(value: string): string | null {
  if (hasControlChars(value)) return 'The SIP address cannot contain line breaks or control characters';
  // The SIP stack registers sip: addresses only (it reads sips: as a user named "sips"); wss:// already encrypts.
  if (/^sips:/i.test(value)) return 'Write the SIP address with sip: rather than sips: (the wss:// connection is already encrypted)';
  const m = /^(sip):([^@]*)@([^;]*)((?:;.*)?)$/i.exec(value);
  if (!m) return 'Enter a SIP address like sip:1001@pbx.example.com';
  const [, , user = '', hostPort = '', params = ''] = m;
  if (user === '' || !userPart.test(user) || !decodesCleanly(user)) {
    return "The user part of the SIP address (before @) may hold letters, digits, - _ . ! ~ * ' ( ) & = + $ , ? / and %XX escapes, e.g. sip:1001@pbx.example.com";
  }
  const hp = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(hostPort);
  if (!hp || !isSipHost(hp[1] ?? '')) return 'The host of the SIP address (after @) must be a domain name like pbx.example.com or an IP address';
  if (hp[2] !== undefined && (Number(hp[2]) < 1 || Number(hp[2]) > 65535)) return 'The port of the SIP address must be a number from 1 to 65535';
  for (const param of params.split(';').slice(1)) {
    const pm = uriParam.exec(param);
    const name = pm?.[1]?.toLowerCase() ?? '';
    // The stack reads lr, ttl, maddr and method itself (maddr even replaces the host): an address of record has no use for them.
    if (!pm || name.startsWith('lr') || name === 'ttl' || name === 'maddr' || name === 'method') {
      return 'A SIP address parameter after ; must be name or name=value of letters, digits and - _ . ! ~ * \' ( ), e.g. ;transport=ws (lr, ttl, maddr and method are not allowed)';
    }
    if (name === 'transport' && !/^(udp|tcp|sctp|tls|ws|wss)$/i.test(pm[2] ?? '')) return 'The transport parameter of the SIP address must be one of udp, tcp, tls, sctp, ws or wss';
    if (name === 'user' && !/^(phone|ip)$/i.test(pm[2] ?? '')) return 'The user parameter of the SIP address must be user=phone or user=ip';
  }
  return null;
}

const wsUrl = urlField(
  (u) => (u.protocol === 'ws:' || u.protocol === 'wss:') && u.hostname.length > 0,
  'Enter a WebSocket address starting with wss:// (or ws:// for a lab server), e.g. wss://sip.example.com:8089/ws',
)
  // URL() silently drops tabs and line breaks, but the stored text keeps them.
  .refine((v) => !hasControlChars(v) && !/\s/.test(v), 'The WebSocket address cannot contain spaces, line breaks or control characters')
  // The SIP stack names the connection by its host (a Via/Contact host): it must be a SIP host too.
  .refine((v) => {
    try {
      return isSipHost(new URL(v).hostname);
    } catch {
      return true; // already refused above
    }
  }, 'The server name in the WebSocket address must be a domain name like sip.example.com or an IP address');

const sipUri = z
  .string()
  .trim()
  .max(512, 'The SIP address is limited to 512 characters')
  .superRefine((v, ctx) => {
    const problem = sipAddressProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const optionalText = (max: number, what: string) =>
  z
    .string()
    .trim()
    .max(max, `${what} is limited to ${max} characters`)
    .refine((v) => !hasControlChars(v), `${what} cannot contain line breaks or control characters`)
    .optional()
    .transform((v) => (v === '' ? undefined : v));

/**
 * The digest user name travels as a quoted string the stack writes without
 * escaping (RFC 3261 §25.1 quoted-string): no quote or backslash in it.
 */
export function authorizationUserProblem(value: string): string | null {
  if (hasControlChars(value)) return 'The authorization user cannot contain line breaks or control characters';
  if (/["\\]/.test(value)) return 'The authorization user cannot contain quotes (") or backslashes (\\)';
  return null;
}
const authorizationUser = optionalText(256, 'Authorization user').refine(
  (v) => v === undefined || authorizationUserProblem(v) === null,
  'The authorization user cannot contain quotes (") or backslashes (\\)',
);

/** A PEM file of the private CA that signed the wss:// server (main checks the file itself on save). */
const caFile = z
  .string()
  .trim()
  .max(1024, 'The path is limited to 1024 characters')
  .refine((v) => !hasControlChars(v), 'The path cannot contain line breaks or control characters')
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
    authorizationUser,
    /** Omitted: keep the stored password. Empty string: remove it. */
    // Hashed into the digest, never written to a message; a NUL would still be lost on its way through the keyring.
    password: z
      .string()
      .max(512, 'Password is limited to 512 characters')
      .refine((v) => !/[\u0000\r\n]/.test(v), 'The password cannot contain line breaks or NUL characters')
      .optional(),
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

/** What the UI is shown of the account; each string bounded like the field it is saved through. */
export const accountViewSchema = z.strictObject({
  wsUrl: z.string().max(2048),
  sipUri: z.string().max(512),
  authorizationUser: z.string().max(256).optional(),
  displayName: z.string().max(128).optional(),
  acceptSelfSigned: z.boolean(),
  caFile: z.string().max(1024).optional(),
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
    apiUrl: z.string().max(2048),
    method: z.enum(['password', 'accesskey']),
    username: z.string().max(256).nullable(),
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
