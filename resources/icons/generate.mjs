#!/usr/bin/env node
/**
 * Draws the Agent Console icon (a white headset on a blue rounded square) and
 * writes it as PNG at the sizes electron-builder uses: resources/icons/<N>x<N>.png.
 * Our own artwork, made only by this script — no fonts, images or libraries:
 * shapes are signed-distance functions, anti-aliased by 4×4 supersampling, and
 * the PNG is encoded here with node:zlib. Deterministic: same script, same bytes.
 *
 *   node resources/icons/generate.mjs          # writes 16…1024 px
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateSync } from 'node:zlib';

const sizes = [16, 32, 48, 64, 128, 256, 512, 1024];

// --- shapes in unit coordinates (0..1, y down); negative distance = inside ---
const roundedBox = (x, y, cx, cy, hw, hh, r) => {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const capsule = (x, y, ax, ay, bx, by, r) => {
  const px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay;
  const h = Math.min(1, Math.max(0, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - dx * h, py - dy * h) - r;
};
const circle = (x, y, cx, cy, r) => Math.hypot(x - cx, y - cy) - r;
/** Upper half of a ring: the headband. */
const band = (x, y, cx, cy, r, t) => {
  const ring = Math.abs(Math.hypot(x - cx, y - cy) - r) - t / 2;
  return y <= cy ? ring : Math.max(ring, y - cy);
};

export const background = (x, y) => roundedBox(x, y, 0.5, 0.5, 0.46, 0.46, 0.2);
export const headset = (x, y) =>
  Math.min(
    band(x, y, 0.5, 0.56, 0.27, 0.065),
    roundedBox(x, y, 0.23, 0.62, 0.075, 0.13, 0.05),
    roundedBox(x, y, 0.77, 0.62, 0.075, 0.13, 0.05),
    // microphone boom from the left ear cup towards the mouth
    capsule(x, y, 0.25, 0.72, 0.43, 0.8, 0.022),
    circle(x, y, 0.47, 0.8, 0.05),
  );

const top = [0x2a, 0x7d, 0xe1]; // blue, lighter at the top
const bottom = [0x0d, 0x3b, 0x8c];

function render(size) {
  const ss = 4;
  const rgba = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let bg = 0;
      let fg = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const x = (px + (sx + 0.5) / ss) / size;
          const y = (py + (sy + 0.5) / ss) / size;
          if (background(x, y) <= 0) {
            bg++;
            if (headset(x, y) <= 0) fg++;
          }
        }
      }
      const n = ss * ss;
      const t = py / (size - 1 || 1);
      const base = top.map((c, i) => c + (bottom[i] - c) * t);
      const white = fg / Math.max(bg, 1);
      const o = (py * size + px) * 4;
      for (let i = 0; i < 3; i++) rgba[o + i] = Math.round(base[i] * (1 - white) + 255 * white);
      rgba[o + 3] = Math.round((255 * bg) / n);
    }
  }
  return rgba;
}

// --- minimal PNG encoder (RGBA, 8 bit, no interlace) ---
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
};
export function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    raw.set(rgba.subarray(y * size * 4, (y + 1) * size * 4), y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Run as a script it writes the icons; imported (resources/tray/generate.mjs) it only lends its shapes and encoder.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const size of sizes) {
    const file = join(import.meta.dirname, `${size}x${size}.png`);
    writeFileSync(file, encodePng(size, render(size)));
    console.log(`wrote ${file}`);
  }
}
