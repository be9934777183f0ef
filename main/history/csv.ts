/**
 * CSV as RFC 4180 defines it (every field quoted, `"` doubled, CRLF line
 * ends), with OWASP's CSV-injection defence: a field a spreadsheet would
 * evaluate as a formula — leading `=`, `+`, `-`, `@`, tab or CR — gets a
 * leading `'` so it is shown as text
 * (https://owasp.org/www-community/attacks/CSV_Injection).
 * A phone number — `+` then only digits, spaces, parentheses, dots and
 * hyphens, as in `+12025550134` or `+1 (202) 555-0134` — is left alone: with
 * no letters there is no function, cell reference or DDE call to run, and
 * agents need the number intact.
 */
export type CsvValue = string | number | boolean | null | undefined;

const formulaStart = /^[=+\-@\t\r]/;
const phoneNumber = /^\+[\d ().-]{1,40}$/;

export function neutraliseFormula(value: string): string {
  return formulaStart.test(value) && !phoneNumber.test(value) ? `'${value}` : value;
}

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '""';
  const s = typeof value === 'string' ? neutraliseFormula(value) : String(value);
  return `"${s.replaceAll('"', '""')}"`;
}

export function csvRow(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
