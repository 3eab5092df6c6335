// The committed app and tray icons (made by scripts/make-icons.mjs) and electron-builder.yml.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OPEN_LINK_SCHEME } from '../src-main/app/open-link-argv.js';

const TRAY_STATES = ['healthy', 'degraded', 'offline', 'busy', 'error'] as const;

interface Png {
  readonly width: number;
  readonly height: number;
  readonly pixels: Buffer;
}

/** Reads an 8-bit RGBA PNG written without filters, checking every chunk's CRC. */
function readPng(path: string): Png {
  const bytes = readFileSync(path);
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let offset = 8;
  let width = 0;
  let height = 0;
  const data: Buffer[] = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    expect(bytes.readUInt32BE(offset + 8 + length), `${path} ${type} CRC`).toBe(crc32(bytes.subarray(offset + 4, offset + 8 + length)));
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      expect([...body.subarray(8, 13)]).toEqual([8, 6, 0, 0, 0]);
    }
    if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  const rows = inflateSync(Buffer.concat(data));
  expect(rows.length).toBe(height * (1 + width * 4));
  return { width, height, pixels: rows };
}

describe('app and tray icons', () => {
  it('there is a 16 px and a 32 px icon for every tray state, and they all differ', () => {
    const seen = new Map<string, string>();
    for (const state of TRAY_STATES) {
      for (const [suffix, size] of [['', 16], ['@2x', 32]] as const) {
        const png = readPng(join('assets', 'tray', `${state}${suffix}.png`));
        expect([png.width, png.height]).toEqual([size, size]);
        const key = `${size}:${png.pixels.toString('hex')}`;
        expect(seen.get(key), `${state}${suffix} looks like ${seen.get(key)}`).toBeUndefined();
        seen.set(key, state);
      }
    }
  });

  it('the app icon is 512 px square (electron-builder wants at least 256)', () => {
    const png = readPng(join('assets', 'icon.png'));
    expect([png.width, png.height]).toEqual([512, 512]);
  });
});

describe('electron-builder.yml', () => {
  const config = parse(readFileSync('electron-builder.yml', 'utf8')) as Record<string, Record<string, unknown>>;

  it('builds AppImage and deb, dmg and nsis with the app id and icon', () => {
    expect(config.appId).toBe('org.cairn.desktop');
    expect(config.linux!.target).toEqual(['AppImage', 'deb']);
    expect(config.mac!.target).toBe('dmg');
    expect(config.win!.target).toBe('nsis');
    for (const platform of ['linux', 'mac', 'win']) expect(existsSync(String(config[platform]!.icon))).toBe(true);
  });

  it('declares the cairn: scheme the app opens share links of', () => {
    expect(config.protocols as unknown).toEqual([{ name: 'Cairn share link', schemes: [OPEN_LINK_SCHEME] }]);
  });

  it('ships the compiled main, the segment worker and the renderer as plain files', () => {
    const files = config.files as unknown as string[];
    expect(files).toContain('dist/src-main/**/*.js');
    expect(files).toContain('dist/renderer/**');
    // the worker is started from a file path: it must not sit inside an asar archive
    expect(config.asar).toBe(false);
    expect((config.extraMetadata as { main: string }).main).toBe('dist/src-main/app/main.js');
    const pool = readFileSync(join('src-main', 'core', 'workers', 'segment-worker-pool.ts'), 'utf8');
    expect(pool).toContain("new URL('./segment-worker.js', import.meta.url)");
    // the WASM kernel is embedded, not a separate file
    expect(readFileSync(join('src-main', 'core', 'fec', 'kernel-wasm.ts'), 'utf8')).toContain('relaxedKernelWasmBase64');
  });
});
