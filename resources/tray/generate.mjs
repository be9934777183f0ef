#!/usr/bin/env node
/**
 * Draws the tray icons, one per state main/desktop/tray-model.ts shows: the
 * app's headset on its rounded square (the shapes and PNG encoder of
 * resources/icons/generate.mjs) with a status badge in the lower right corner:
 *
 *   registered  green dot            ready for calls
 *   ringing     amber dot, white ring a call is ringing
 *   in-call     red dot              on a call
 *   away        yellow dot, a bar    away or do-not-disturb (like a "no entry" sign)
 *   wrap-up     violet dot           after-call work
 *   offline     grey square, grey dot, no line
 *
 * The badge carries a white rim so it reads on dark and light panels alike,
 * and the states differ in shape as well as colour (ring, bar, grey square)
 * for agents who do not tell the colours apart. Our own artwork, made only by
 * this script; deterministic. Writes <state>.png (16 px) and <state>@2x.png
 * (32 px, Electron picks it on HiDPI screens).
 *
 *   node resources/tray/generate.mjs
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { background, encodePng, headset } from '../icons/generate.mjs';

const states = {
  registered: { badge: [0x1e, 0x9e, 0x4a], square: 'blue', mark: null },
  ringing: { badge: [0xf0, 0x9a, 0x00], square: 'blue', mark: 'ring' },
  'in-call': { badge: [0xd9, 0x2d, 0x20], square: 'blue', mark: null },
  away: { badge: [0xf2, 0xc3, 0x00], square: 'blue', mark: 'bar' },
  'wrap-up': { badge: [0x7b, 0x4f, 0xd6], square: 'blue', mark: null },
  offline: { badge: [0x8a, 0x8f, 0x98], square: 'grey', mark: null },
};

const squares = {
  blue: { top: [0x2a, 0x7d, 0xe1], bottom: [0x0d, 0x3b, 0x8c] },
  grey: { top: [0x9a, 0x9f, 0xa8], bottom: [0x5c, 0x61, 0x6b] },
};

// Badge geometry in unit coordinates: centre and radii of the rim, the dot, and its mark.
const BADGE = { cx: 0.74, cy: 0.74, rim: 0.26, dot: 0.2 };

function render(size, state) {
  const { badge, square, mark } = states[state];
  const { top, bottom } = squares[square];
  const ss = 4;
  const rgba = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const x = (px + (sx + 0.5) / ss) / size;
          const y = (py + (sy + 0.5) / ss) / size;
          const d = Math.hypot(x - BADGE.cx, y - BADGE.cy);
          let colour = null;
          if (d <= BADGE.rim) {
            colour = [255, 255, 255];
            if (d <= BADGE.dot) {
              colour = badge;
              if (mark === 'ring' && d >= BADGE.dot * 0.45 && d <= BADGE.dot * 0.7) colour = [255, 255, 255];
              if (mark === 'bar' && Math.abs(y - BADGE.cy) <= BADGE.dot * 0.22 && Math.abs(x - BADGE.cx) <= BADGE.dot * 0.65) colour = [255, 255, 255];
            }
          } else if (background(x, y) <= 0) {
            const t = y;
            const base = top.map((c, i) => c + (bottom[i] - c) * t);
            colour = headset(x, y) <= 0 ? [255, 255, 255] : base;
          }
          if (colour) {
            acc[0] += colour[0];
            acc[1] += colour[1];
            acc[2] += colour[2];
            acc[3] += 1;
          }
        }
      }
      const o = (py * size + px) * 4;
      const n = ss * ss;
      for (let i = 0; i < 3; i++) rgba[o + i] = acc[3] ? Math.round(acc[i] / acc[3]) : 0;
      rgba[o + 3] = Math.round((255 * acc[3]) / n);
    }
  }
  return rgba;
}

for (const state of Object.keys(states)) {
  for (const [suffix, size] of [['', 16], ['@2x', 32]]) {
    const file = join(import.meta.dirname, `${state}${suffix}.png`);
    writeFileSync(file, encodePng(size, render(size, state)));
    console.log(`wrote ${file}`);
  }
}
