/**
 * Checks the account's custom CA certificate (`caFile`) before the account is
 * saved, so an admin learns under the field — not from a failed line later —
 * that the file will not verify anything. The file must exist, be a readable
 * regular file of at most 1 MB, and hold at least one PEM certificate block
 * (Node's tls `ca` option takes PEM text; a DER file would be ignored).
 */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { ConsoleError } from '../../preload/contract/result';

export const maxCaFileBytes = 1024 * 1024;
const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----';

const fieldError = (message: string) => new ConsoleError('invalid-request', message, { caFile: message });

/** Resolves with the PEM text when `path` is a usable CA file; throws a ConsoleError with a `caFile` field message otherwise. */
export async function checkCaFile(path: string): Promise<string> {
  if (!isAbsolute(path)) throw fieldError('Enter the full path of the file (for example /etc/ssl/company-ca.pem).');
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    throw fieldError('No file at this path.');
  }
  if (!info.isFile()) throw fieldError('This path is a folder, not a file.');
  if (info.size > maxCaFileBytes) {
    throw fieldError(`This file is ${(info.size / 1024 / 1024).toFixed(1)} MB; a CA certificate file is limited to 1 MB.`);
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw fieldError('The console is not allowed to read this file.');
  }
  if (!text.includes(PEM_CERTIFICATE)) {
    throw fieldError(`This file holds no PEM certificate (a “${PEM_CERTIFICATE}” block); export the CA as PEM.`);
  }
  return text;
}
