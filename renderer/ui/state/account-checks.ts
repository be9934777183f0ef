/**
 * Client-side checks for the SIP account form, for instant feedback while
 * typing. Main validates again with the contract schema and its per-field
 * messages win (the renderer may import only types from the contract, so these
 * rules are a deliberate, small mirror — not the authority).
 */
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

const SIP_URI = /^sips?:[^\s@:;]+@[A-Za-z0-9.-]+(:\d{1,5})?(;[^\s]*)?$/;

export function checkAccount(v: AccountFormValues): FieldErrors {
  const errors: FieldErrors = {};
  const ws = v.wsUrl.trim();
  if (ws === '') errors.wsUrl = 'Enter the WebSocket address of your SIP server';
  else if (!/^wss?:\/\/[^/\s]+/i.test(ws)) errors.wsUrl = 'Must start with wss:// (or ws:// for a lab server), e.g. wss://sip.example.com:8089/ws';
  else if (ws.length > 2048) errors.wsUrl = 'Address is limited to 2048 characters';

  const uri = v.sipUri.trim();
  if (uri === '') errors.sipUri = 'Enter your SIP address';
  else if (!SIP_URI.test(uri)) errors.sipUri = 'Enter a SIP address like sip:1001@pbx.example.com';
  else if (uri.length > 512) errors.sipUri = 'SIP address is limited to 512 characters';

  if (v.authorizationUser.trim().length > 256) errors.authorizationUser = 'Authorization user is limited to 256 characters';
  if (v.password.length > 512) errors.password = 'Password is limited to 512 characters';
  if (v.displayName.trim().length > 128) errors.displayName = 'Display name is limited to 128 characters';

  // Main also checks the file itself (exists, readable, ≤ 1 MB, PEM); these are the instant, path-only rules.
  const ca = v.caFile.trim();
  if (ca !== '') {
    if (ca.length > 1024) errors.caFile = 'The path is limited to 1024 characters';
    else if (!(ca.startsWith('/') || /^[A-Za-z]:[\\/]/.test(ca) || ca.startsWith('\\\\'))) {
      errors.caFile = 'Enter the full path of the file (for example /etc/ssl/company-ca.pem)';
    } else if (/^ws:\/\//i.test(ws)) errors.caFile = 'A CA certificate is used only with wss:// addresses; clear this field or use wss://';
  }
  return errors;
}
