/**
 * Numbers are searched on their digits only, so `+1 (202) 555-0134`,
 * `1-202-555-0134` and `tel:+12025550134` all match `2025550134`.
 */
export function digitsOf(value: string | null | undefined): string {
  return value ? value.replace(/\D+/g, '') : '';
}

/** The user part of a sip:/sips:/tel: URI (the number when there is no separate one). */
export function uriUser(uri: string | null | undefined): string | null {
  if (!uri) return null;
  const m = /^(?:sips?|tel):([^@;?]+)/i.exec(uri.trim());
  return m?.[1] ?? null;
}
