/**
 * Redaction applied to every log line before any transport sees it: SIP
 * passwords and the credentials in Authorization / Proxy-Authorization
 * headers (SIP digest or HTTP bearer/basic) must never reach a log file that
 * an agent may attach to a support ticket.
 */

const SECRET_KEYS = /^(password\w*|passwd|pass|secret|token|access[_-]?key|authorization|proxy-authorization|ha1|credentials?)$/i;

// Header lines inside SIP messages or HTTP dumps: keep the scheme, drop the rest of the line.
const AUTH_HEADER = /\b((?:proxy-)?authorization\s*:\s*)([A-Za-z]+)?[^\r\n]*/gi;
// `password=...` / `"password":"..."` in free text, and a platform's `?token=` / `?accesskey=` in URLs.
const INLINE_SECRET = /((?:"|')?(?:password|passwd|secret|token|access[_-]?key)(?:"|')?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;&}]+)/gi;
// Digest parameters that can be replayed or cracked offline.
const DIGEST_PARAM = /\b(response|cnonce|nonce)=("[^"]*"|[^\s,]+)/gi;
// Credentials in URLs: wss://user:pass@host
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:)([^\s@/]+)(@)/gi;

export const REDACTED = '[redacted]';

export function redactText(text: string): string {
  return text
    .replace(AUTH_HEADER, (_m, head: string, scheme?: string) => `${head}${scheme ? `${scheme} ` : ''}${REDACTED}`)
    .replace(INLINE_SECRET, (_m, head: string) => `${head}${REDACTED}`)
    .replace(DIGEST_PARAM, (_m, key: string) => `${key}=${REDACTED}`)
    .replace(URL_USERINFO, (_m, head: string, _pw: string, at: string) => `${head}${REDACTED}${at}`);
}

/** Deep copy with secrets replaced; cycles and depth are bounded so logging can never throw or hang. */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[too deep]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (value instanceof Error) {
    return { name: value.name, message: redactText(value.message), stack: value.stack ? redactText(value.stack) : undefined };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEYS.test(k) ? REDACTED : redact(v, depth + 1, seen);
  }
  return out;
}
