/**
 * Screenshots compared with committed baselines (test/ui/baselines/<name>.png),
 * pixel by pixel with a tolerance: a pixel differs when one of its channels
 * moves by more than PIXEL_THRESHOLD, and the screenshot fails when more than
 * MAX_DIFFERING of its pixels differ (anti-aliasing noise passes, a moved,
 * missing or recoloured element does not). On failure the new screenshot and
 * a diff image (differing pixels in red) are kept in test-results/screenshots/.
 *
 * Baselines change on purpose only: `UPDATE_SCREENSHOTS=1 npx vitest run
 * --project ui <file>` rewrites the baselines of the screenshots it takes;
 * review them as pictures before committing. Everything runs on the same
 * Debian image (Chromium, fonts) here and in CI, so a baseline made on one
 * holds on the other.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Harness } from '../harness/index';
import { decodePng, encodePng, type Image } from '../support/png';

export const BASELINE_DIR = join(import.meta.dirname, 'baselines');
export const PIXEL_THRESHOLD = 32;
export const MAX_DIFFERING = 0.002;

export interface ImageDifference {
  /** Different sizes: nothing else compared. */
  sizeMismatch: boolean;
  differing: number;
  total: number;
  /** The screenshot faded, differing pixels in red (for the failure report). */
  diff: Image | null;
}

export function compareImages(actual: Image, expected: Image, threshold = PIXEL_THRESHOLD): ImageDifference {
  if (actual.width !== expected.width || actual.height !== expected.height) {
    return { sizeMismatch: true, differing: actual.width * actual.height, total: actual.width * actual.height, diff: null };
  }
  const total = actual.width * actual.height;
  const diff = new Uint8Array(total * 4);
  let differing = 0;
  for (let i = 0; i < total; i++) {
    const o = i * 4;
    let delta = 0;
    for (let c = 0; c < 4; c++) delta = Math.max(delta, Math.abs(actual.data[o + c]! - expected.data[o + c]!));
    const hit = delta > threshold;
    if (hit) differing++;
    const grey = 255 - Math.round((255 - (actual.data[o]! + actual.data[o + 1]! + actual.data[o + 2]!) / 3) * 0.25);
    diff.set(hit ? [255, 0, 0, 255] : [grey, grey, grey, 255], o);
  }
  return { sizeMismatch: false, differing, total, diff: { width: actual.width, height: actual.height, data: diff } };
}

/**
 * Takes the harness screenshot `name` and compares it with its baseline
 * (or writes the baseline under UPDATE_SCREENSHOTS=1).
 */
export async function expectScreenshot(harness: Pick<Harness, 'screenshot'>, name: string): Promise<void> {
  const shot = await harness.screenshot(name);
  const baseline = join(BASELINE_DIR, `${name}.png`);
  if (process.env['UPDATE_SCREENSHOTS'] === '1') {
    mkdirSync(BASELINE_DIR, { recursive: true });
    copyFileSync(shot, baseline);
    return;
  }
  expect(existsSync(baseline), `no baseline for screenshot "${name}": run UPDATE_SCREENSHOTS=1 on purpose, look at ${baseline}, commit it`).toBe(true);
  const result = compareImages(decodePng(readFileSync(shot)), decodePng(readFileSync(baseline)));
  const diffPath = shot.replace(/\.png$/, '.diff.png');
  if (result.diff && result.differing > result.total * MAX_DIFFERING) writeFileSync(diffPath, encodePng(result.diff));
  expect(result.sizeMismatch, `screenshot "${name}" has another size than its baseline`).toBe(false);
  expect(
    result.differing / result.total,
    `screenshot "${name}": ${result.differing} of ${result.total} pixels differ from test/ui/baselines/${name}.png (see ${diffPath}; UPDATE_SCREENSHOTS=1 if the change is intended)`,
  ).toBeLessThanOrEqual(MAX_DIFFERING);
}
