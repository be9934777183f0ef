/**
 * Client-side checks for the SIP account form, for instant feedback while
 * typing. Main validates again with the contract schema and its per-field
 * messages win (the renderer may import only types from the contract, so these
 * rules are a deliberate, small mirror — not the authority). The messages come
 * from the catalogue, so they read in the agent's language.
 */
import { t } from '../i18n/index.svelte';

export interface AccountFormValues {
  wsUrl: string;
  sipUri: string;
  authorizationUser: string;
  password: string;
  displayName: string;
  acceptSelfSigned: boolean;
  /** Path of a PEM file of a private CA (wss:// only); empty = none. */
  caFile: string;
}
export type AccountField = keyof AccountFormValues;
export type FieldErrors = Partial<Record<AccountField, string>>;

// A compact mirror of main's RFC 3261 check (preload/contract/settings.ts): sip: only (the stack registers
// no sips: address), user part of unreserved / user-unreserved characters and %XX escapes, a host name or
// IP address, an optional port, ;name[=value] parameters. Main's field message names the exact part.
const USER = "(?:[A-Za-z0-9\\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+";
const HOST = '(?:\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)';
const PARAM = "(?:[A-Za-z0-9\\-_.!~*'()[\\]/:&+$]|%[0-9A-Fa-f]{2})+";
const SIP_URI = new RegExp(`^sip:${USER}@${HOST}(?::\\d{1,5})?(?:;${PARAM}(?:=${PARAM})?)*$`, 'i');

export function checkAccount(v: AccountFormValues): FieldErrors {
  const errors: FieldErrors = {};
  const ws = v.wsUrl.trim();
  if (ws === '') errors.wsUrl = t('settings.account.check.wsUrlEmpty');
  else if (!/^wss?:\/\/[^/\s]+/i.test(ws)) errors.wsUrl = t('settings.account.check.wsUrlScheme');
  else if (ws.length > 2048) errors.wsUrl = t('settings.account.check.tooLong', { max: 2048 });

  const uri = v.sipUri.trim();
  if (uri === '') errors.sipUri = t('settings.account.check.sipUriEmpty');
  else if (!SIP_URI.test(uri)) errors.sipUri = t('settings.account.check.sipUriForm');
  else if (uri.length > 512) errors.sipUri = t('settings.account.check.tooLong', { max: 512 });

  // Control characters would end a SIP header line: never in a field that reaches one.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
  const control = /[\u0000-\u001f\u007f]/;
  const user = v.authorizationUser.trim();
  if (control.test(v.authorizationUser)) errors.authorizationUser = t('settings.account.check.controlChars');
  else if (/["\\]/.test(user)) errors.authorizationUser = t('settings.account.check.authUserQuote');
  else if (user.length > 256) errors.authorizationUser = t('settings.account.check.tooLong', { max: 256 });
  if (v.password.length > 512) errors.password = t('settings.account.check.tooLong', { max: 512 });
  if (control.test(v.displayName)) errors.displayName = t('settings.account.check.controlChars');
  else if (v.displayName.trim().length > 128) errors.displayName = t('settings.account.check.tooLong', { max: 128 });

  // Main also checks the file itself (exists, readable, ≤ 1 MB, PEM); these are the instant, path-only rules.
  const ca = v.caFile.trim();
  if (ca !== '') {
    if (ca.length > 1024) errors.caFile = t('settings.account.check.tooLong', { max: 1024 });
    else if (!(ca.startsWith('/') || /^[A-Za-z]:[\\/]/.test(ca) || ca.startsWith('\\\\'))) {
      errors.caFile = t('settings.account.check.caFilePath');
    } else if (/^ws:\/\//i.test(ws)) errors.caFile = t('settings.account.check.caFileWs');
  }
  return errors;
}
