// Draws the app icon and the tray icons (one per tray state) as PNGs into assets/, in
// plain JS: shapes are sampled 4×4 per pixel for smooth edges, and PNG files are written
// with node:zlib. Run: node scripts/make-icons.mjs (the PNGs are committed).
//
// Tray states differ by shape as well as colour, so they read without colour vision:
//   healthy  a filled green disc          degraded  an amber disc, its lower half hollow
//   offline  a grey ring                  busy      a blue ring with a dot in the middle
//   error    a red disc with a white bar
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const assets = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets');

// --- PNG writing (RGBA, 8 bits per channel, no interlace) ---

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** rgba: width × height × 4 bytes, rows top to bottom. */
export function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  const rows = Buffer.alloc(height * (1 + width * 4));
  for (let y = 0; y < height; y++) {
    rows[y * (1 + width * 4)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(rows, y * (1 + width * 4) + 1);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

// --- drawing: a shape is a function (x, y in 0..1) → colour [r, g, b, a] or null ---

const SAMPLES = 4;

function render(size, shape) {
  const rgba = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const colour = shape((px + (sx + 0.5) / SAMPLES) / size, (py + (sy + 0.5) / SAMPLES) / size);
          if (colour === null) continue;
          const alpha = colour[3] / 255;
          for (let i = 0; i < 3; i++) sum[i] += colour[i] * alpha;
          sum[3] += alpha;
        }
      }
      const n = SAMPLES * SAMPLES;
      const o = (py * size + px) * 4;
      // colours are stored un-premultiplied
      for (let i = 0; i < 3; i++) rgba[o + i] = sum[3] === 0 ? 0 : Math.round(sum[i] / sum[3]);
      rgba[o + 3] = Math.round((sum[3] / n) * 255);
    }
  }
  return rgba;
}

const distance = (x, y, cx, cy) => Math.hypot(x - cx, y - cy);
const WHITE = [255, 255, 255, 255];

const trayStates = {
  healthy: (x, y) => (distance(x, y, 0.5, 0.5) <= 0.42 ? [46, 160, 67, 255] : null),
  degraded: (x, y) => {
    const d = distance(x, y, 0.5, 0.5);
    if (d > 0.42) return null;
    if (y > 0.5 && d < 0.28) return null;
    return [219, 145, 0, 255];
  },
  offline: (x, y) => {
    const d = distance(x, y, 0.5, 0.5);
    return d <= 0.42 && d >= 0.28 ? [128, 128, 128, 255] : null;
  },
  busy: (x, y) => {
    const d = distance(x, y, 0.5, 0.5);
    return (d <= 0.42 && d >= 0.3) || d <= 0.14 ? [33, 118, 220, 255] : null;
  },
  error: (x, y) => {
    const d = distance(x, y, 0.5, 0.5);
    if (d > 0.42) return null;
    if (Math.abs(y - 0.5) < 0.08 && Math.abs(x - 0.5) < 0.26) return WHITE;
    return [208, 40, 40, 255];
  },
};

/** The app icon: three stacked stones (a cairn) on a rounded square. */
function appIcon(x, y) {
  const stones = [
    [0.5, 0.72, 0.3, 0.11],
    [0.5, 0.5, 0.22, 0.09],
    [0.5, 0.32, 0.14, 0.07],
  ];
  for (const [cx, cy, rx, ry] of stones) {
    if (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1) return [236, 232, 222, 255];
  }
  const r = 0.18;
  const qx = Math.max(Math.abs(x - 0.5) - (0.46 - r), 0);
  const qy = Math.max(Math.abs(y - 0.5) - (0.46 - r), 0);
  return Math.hypot(qx, qy) <= r ? [44, 90, 110, 255] : null;
}

function write(name, size, shape) {
  writeFileSync(join(assets, name), encodePng(size, size, render(size, shape)));
}

mkdirSync(join(assets, 'tray'), { recursive: true });
for (const [state, shape] of Object.entries(trayStates)) {
  write(join('tray', `${state}.png`), 16, shape);
  write(join('tray', `${state}@2x.png`), 32, shape);
}
write('icon.png', 512, appIcon);
console.log(`wrote assets/icon.png and assets/tray/{${Object.keys(trayStates).join(',')}}{,@2x}.png`);
