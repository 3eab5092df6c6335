// bin/cairn.js runs the CLI's bundle (scripts/build-cli.mjs) when it is current, and the
// compiled modules when the bundle is missing or older than them (after a bare `tsc`).
import { copyFile, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cairnBin, runNode } from './support/cli.js';

describe("bin/cairn.js's choice of entry", () => {
  let root = '';
  const bin = (): string => join(root, 'bin', 'cairn.js');
  const modules = (): string => join(root, 'dist', 'src-main', 'frontends', 'cli', 'main.js');
  const bundle = (): string => join(root, 'dist', 'src-main', 'frontends', 'cli-bundle', 'main.js');
  const stub = async (path: string, says: string, mtime: number): Promise<void> => {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `export async function runCli(args) { console.log(${JSON.stringify(says)}, args.join(' ')); return 0; }\n`);
    await utimes(path, mtime, mtime);
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cairn-bin-'));
    await mkdir(join(root, 'bin'));
    await copyFile(cairnBin, bin());
    await writeFile(join(root, 'package.json'), '{"type":"module"}\n');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('runs the bundle when it is as new as the modules or newer', async () => {
    await stub(modules(), 'modules', 1_000_000);
    await stub(bundle(), 'bundle', 1_000_000);
    expect((await runNode([bin(), 'get', 'x'])).stdout).toBe('bundle get x\n');
    await utimes(bundle(), 2_000_000, 2_000_000);
    expect((await runNode([bin(), 'ls'])).stdout).toBe('bundle ls\n');
  });

  it('runs the modules when the bundle is older than them, or missing', async () => {
    await stub(modules(), 'modules', 3_000_000);
    await stub(bundle(), 'bundle', 2_000_000);
    expect((await runNode([bin(), 'get', 'x'])).stdout).toBe('modules get x\n');
    await rm(bundle());
    expect((await runNode([bin(), 'status'])).stdout).toBe('modules status\n');
  });

  it('says how to build when nothing is built', async () => {
    await rm(join(root, 'dist'), { recursive: true, force: true });
    const result = await runNode([bin(), 'status']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not built yet; run "npm run build"/);
  });
});

describe('the built CLI', () => {
  it('loads the bundle, not the modules (npm run build made it)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-loads-'));
    try {
      // module hooks (Node 20 runs them on a thread of their own) that list every CLI module loaded
      const log = join(dir, 'loaded.txt');
      const hooks = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) { if (url.includes('/frontends/cli')) appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); }`;
      const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
      const result = await runNode(['--import', `data:text/javascript,${encodeURIComponent(register)}`, cairnBin, '--help']);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(/usage: cairn COMMAND/);
      const loaded = (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '');
      expect(loaded.some((url) => url.endsWith('/frontends/cli-bundle/main.js'))).toBe(true);
      expect(loaded.filter((url) => url.includes('/frontends/cli/'))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
