import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Tahoe-LAFS's published vectors live outside the repo; CAIRN_VECTORS overrides the path. */
export const vectorsDir: string = process.env.CAIRN_VECTORS ?? join(repoRoot, '..', 'shared', 'vectors');

export function readVectorText(name: string): string {
  return readFileSync(join(vectorsDir, name), 'utf8');
}

export function readVectorJson<T = unknown>(name: string): T {
  return JSON.parse(readVectorText(name)) as T;
}
