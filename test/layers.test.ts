import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * DESIGN.md's layer table, as code: imports point down only. Two rows differ from the
 * table, on purpose (docs/architecture.md): frontends/ may use the types of the layers
 * below node/, and backup/ sits between grid/ and node/.
 */
const BELOW_NODE = ['src-shared', 'src-main/core', 'src-main/storage', 'src-main/net', 'src-main/grid', 'src-main/backup'];
const MAY_IMPORT: Record<string, readonly string[]> = {
  'src-shared': [],
  'src-main/core': ['src-shared'],
  'src-main/storage': ['src-shared', 'src-main/core'],
  'src-main/net': ['src-shared', 'src-main/core', 'src-main/storage'],
  'src-main/grid': ['src-shared', 'src-main/core', 'src-main/net', 'src-main/storage'],
  'src-main/backup': ['src-shared', 'src-main/core', 'src-main/storage', 'src-main/net', 'src-main/grid'],
  'src-main/node': [...BELOW_NODE, 'src-main/frontends'],
  'src-main/frontends': [...BELOW_NODE, 'src-main/node'],
  'src-main/app': [...BELOW_NODE, 'src-main/node', 'src-main/frontends'],
  'src-renderer': ['src-shared'],
};

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

function layerOf(path: string): string | undefined {
  return Object.keys(MAY_IMPORT)
    .filter((layer) => path === layer || path.startsWith(`${layer}/`))
    .sort((a, b) => b.length - a.length)[0];
}

function* sourceFiles(dir: string): Generator<string> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.tsx?$/.test(name)) yield path;
  }
}

function violations(): string[] {
  const found: string[] = [];
  for (const top of ['src-shared', 'src-main', 'src-renderer']) {
    for (const file of sourceFiles(join(repoRoot, top))) {
      const path = relative(repoRoot, file);
      const from = layerOf(path);
      if (from === undefined) continue;
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
        const spec = match[1]!;
        if (spec.startsWith('.')) {
          const to = layerOf(relative(repoRoot, resolve(dirname(file), spec)));
          if (to !== undefined && to !== from && !MAY_IMPORT[from]!.includes(to)) found.push(`${path}: ${from} may not import ${to} (${spec})`);
        } else if (spec === 'electron' && from !== 'src-main/app') {
          found.push(`${path}: only src-main/app may import electron`);
        } else if ((from === 'src-shared' || from === 'src-renderer') && spec.startsWith('node:')) {
          found.push(`${path}: ${from} may not use Node's ${spec}`);
        }
      }
    }
  }
  return found;
}

describe('layers', () => {
  it('imports point down only (DESIGN.md)', () => {
    expect(violations()).toEqual([]);
  });
});
