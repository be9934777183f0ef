/**
 * How the e2e suite finds Electron: path.txt + dist/, never require('electron')
 * (that would start a download). Runs everywhere, binary or not.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { electronBinary } from './electron-binary';

const dir = mkdtempSync(join(tmpdir(), 'electron-pkg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('electronBinary', () => {
  it('is null when the package has no path.txt (binary never fetched)', () => {
    expect(electronBinary(dir)).toBeNull();
  });

  it('is null when path.txt names a file that is not in dist/', () => {
    writeFileSync(join(dir, 'path.txt'), 'electron');
    expect(electronBinary(dir)).toBeNull();
  });

  it('is the dist/ executable named by path.txt once it exists', () => {
    mkdirSync(join(dir, 'dist'), { recursive: true });
    writeFileSync(join(dir, 'dist/electron'), '');
    expect(electronBinary(dir)).toBe(join(dir, 'dist/electron'));
  });
});
