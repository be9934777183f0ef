/**
 * The screenshot comparison itself (test/ui/baseline.ts, test/support/png.ts),
 * on images made here: a PNG survives a round trip, anti-aliasing-sized
 * noise passes, and a moved or recoloured element fails.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePng, encodePng, PngFormatError, type Image } from '../support/png';
import { BASELINE_DIR, compareImages, MAX_DIFFERING, PIXEL_THRESHOLD } from './baseline';

function image(width: number, height: number, paint: (x: number, y: number) => [number, number, number]): Image {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([...paint(x, y), 255], (y * width + x) * 4);
  return { width, height, data };
}

/** A white page with a blue button at (left, top). */
const page = (left = 40, top = 30, colour: [number, number, number] = [30, 90, 200]) =>
  image(200, 120, (x, y) => (x >= left && x < left + 60 && y >= top && y < top + 20 ? colour : [255, 255, 255]));

describe('screenshot comparison', () => {
  it('decodes what it encodes, and the committed baselines (Chromium PNGs) decode', () => {
    const original = page();
    expect(decodePng(encodePng(original))).toEqual(original);
    const baseline = decodePng(readFileSync(join(BASELINE_DIR, 'shell-settings-saved.png')));
    expect([baseline.width, baseline.height]).toEqual([1024, 640]);
    expect(() => decodePng(Buffer.from('not a png'))).toThrow(PngFormatError);
  });

  it('passes identical images and small colour noise', () => {
    expect(compareImages(page(), page())).toMatchObject({ differing: 0, sizeMismatch: false });
    const noisy = page(40, 30, [30 + PIXEL_THRESHOLD - 2, 90, 200]);
    expect(compareImages(noisy, page()).differing).toBe(0);
  });

  it('fails a moved element, a recoloured one and another size', () => {
    const moved = compareImages(page(44, 30), page());
    expect(moved.differing / moved.total).toBeGreaterThan(MAX_DIFFERING);
    const recoloured = compareImages(page(40, 30, [200, 30, 30]), page());
    expect(recoloured.differing).toBe(60 * 20);
    expect(compareImages(image(10, 10, () => [0, 0, 0]), page()).sizeMismatch).toBe(true);
  });

  it('marks the differing pixels red in the diff image', () => {
    const { diff } = compareImages(page(40, 30, [200, 30, 30]), page());
    const at = (x: number, y: number) => [...diff!.data.subarray((y * 200 + x) * 4, (y * 200 + x) * 4 + 4)];
    expect(at(50, 35)).toEqual([255, 0, 0, 255]);
    expect(at(5, 5)).toEqual([255, 255, 255, 255]);
  });
});
