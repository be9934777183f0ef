import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Electron executable, found without `require('electron')`: from Electron 42
 * on, requiring the package starts the lazy binary download. Null when absent.
 */
export function electronBinary(dir = join(import.meta.dirname, '../../node_modules/electron')): string | null {
  const pathTxt = join(dir, 'path.txt');
  if (!existsSync(pathTxt)) return null;
  const binary = join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}
