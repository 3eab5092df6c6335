import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base32Encode } from '../src-shared/base32.js';
import { cairn } from './support/cli.js';
import { encodeToMemory, sameBytes, stretch } from './support/chk.js';
import { readVectorJson } from './support/vectors.js';

let dir: string;
const at = (name: string) => join(dir, name);
const A16 = Buffer.from('aaaaaaaaaaaaaaaa');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cairn debug chk-cap', () => {
  it('prints one cap per file in argument order, matching Tahoe', async () => {
    await writeFile(at('a1024'), stretch(Buffer.from('a'), 1024));
    await writeFile(at('hello'), 'hello');
    await writeFile(at('empty'), '');
    const hex = await cairn(['debug', 'chk-cap', '--convergence-hex', A16.toString('hex'), '-k', '3', '-n', '10', at('a1024'), at('hello'), at('empty')]);
    expect(hex.stderr).toBe('');
    expect(hex.code).toBe(0);
    expect(hex.stdout).toBe(
      'URI:CHK:dx7tvyr2fc4u7lxjc6kehq2svq:tiy4qh2g6lqejxcaym3rr7ymkdkinn4qised6kgxloj7sptsqu4a:3:10:1024\nURI:LIT:nbswy3dp\nURI:LIT:\n',
    );
    const b32 = await cairn(['debug', 'chk-cap', '--convergence-b32', base32Encode(A16), at('a1024')]);
    expect(b32.stdout).toBe(hex.stdout.split('\n')[0] + '\n');
  });

  it('uses the segment size it is given (Tahoe vector, 2 segments)', async () => {
    await writeFile(at('bar'), stretch(Buffer.from('fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9', 'hex'), 131073));
    const result = await cairn(['debug', 'chk-cap', '--convergence-hex', A16.toString('hex'), '-k', '2', '-n', '3', '--max-segment-size', '131072', at('bar')]);
    const intermediates = readVectorJson<{ cases: Array<{ inputs: { length: number }; expected_cap_from_tahoe_vectors: string }> }>('chk-intermediates.json');
    expect(result.stdout.trim()).toBe(intermediates.cases.find((c) => c.inputs.length === 131073)!.expected_cap_from_tahoe_vectors);
  });

  it('gives clear errors for bad options and missing files', async () => {
    const kn = await cairn(['debug', 'chk-cap', '-k', '11', '-n', '10', at('hello')]);
    expect(kn.code).toBe(2);
    expect(kn.stderr).toMatch(/^cairn: -k 11 is greater than -n 10/);
    const big = await cairn(['debug', 'chk-cap', '-n', '257', at('hello')]);
    expect(big.stderr).toMatch(/-n \(total shares\) must be between 1 and 256, got 257/);
    const both = await cairn(['debug', 'chk-cap', '--convergence-hex', 'aa', '--convergence-b32', 'aa', at('hello')]);
    expect(both.stderr).toMatch(/not both/);
    const missing = await cairn(['debug', 'chk-cap', at('nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^cairn: .*no such file/i);
    const unknown = await cairn(['debug', 'chk-cap', '--frobnicate', at('hello')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/frobnicate/);
  });

  it('has --help', async () => {
    const help = await cairn(['debug', 'chk-cap', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/usage: cairn debug chk-cap/);
  });
});

describe('cairn debug chk-encode and chk-decode', () => {
  const data = randomBytes(2_500_000);
  const options = ['--convergence-hex', '00112233', '-k', '3', '-n', '7', '--max-segment-size', '300000'];
  let cap = '';

  beforeAll(async () => {
    await writeFile(at('data'), data);
    const encoded = await cairn(['debug', 'chk-encode', ...options, at('data'), at('shares')]);
    expect(encoded.stderr).toBe('');
    cap = encoded.stdout.trim();
  });

  it('writes N share files, exactly the bytes of the in-memory encoder, and prints the cap', async () => {
    expect((await readdir(at('shares'))).sort()).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    const capOnly = await cairn(['debug', 'chk-cap', ...options, at('data')]);
    expect(capOnly.stdout.trim()).toBe(cap);
    const memory = await encodeToMemory(data, { neededShares: 3, totalShares: 7, maxSegmentSize: 300000, convergence: Buffer.from('00112233', 'hex') });
    for (let j = 0; j < 7; j++) expect(sameBytes(await readFile(at(`shares/${j}`)), memory.shares[j]!)).toBe('same');
  });

  it('rebuilds the file from any K share files', async () => {
    for (const pick of [['0', '1', '2'], ['6', '4', '5'], ['3', '0', '5']]) {
      const out = at(`out-${pick.join('')}`);
      const result = await cairn(['debug', 'chk-decode', cap, out, ...pick.map((p) => at(`shares/${p}`))]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(sameBytes(await readFile(out), data)).toBe('same');
    }
  });

  it('names a corrupt share file and uses a spare', async () => {
    const bad = await readFile(at('shares/1'));
    bad[1000]! ^= 0x40;
    await writeFile(at('bad-1'), bad);
    const result = await cairn(['debug', 'chk-decode', cap, at('out-spare'), at('bad-1'), at('shares/0'), at('shares/2'), at('shares/6')]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`corrupt share ${at('bad-1')}`);
    expect(sameBytes(await readFile(at('out-spare')), data)).toBe('same');
  });

  it('fails clearly with fewer than K good shares and writes no output', async () => {
    const result = await cairn(['debug', 'chk-decode', cap, at('out-fail'), at('bad-1'), at('shares/0'), at('shares/2')]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/not enough good shares to rebuild the file: need 3, have 2/);
    expect(existsSync(at('out-fail'))).toBe(false);
    expect((await readdir(dir)).filter((n) => n.includes('partial'))).toEqual([]);
  });

  it('refuses a share of another file, a truncated share and a malformed cap', async () => {
    await writeFile(at('other'), randomBytes(100_000));
    await cairn(['debug', 'chk-encode', '-k', '3', '-n', '7', at('other'), at('other-shares')]);
    const truncated = (await readFile(at('shares/4'))).subarray(0, 5000);
    await writeFile(at('short-4'), truncated);
    const result = await cairn(['debug', 'chk-decode', cap, at('out-x'), at('other-shares/0'), at('short-4'), at('shares/5'), at('shares/6')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`corrupt share ${at('other-shares/0')}: its URI extension block does not match the cap`);
    expect(result.stderr).toContain(`corrupt share ${at('short-4')}: share is truncated`);
    const badCap = await cairn(['debug', 'chk-decode', cap.replace('URI:CHK:', 'URI:CHX:'), at('out-y'), at('shares/0')]);
    expect(badCap.code).not.toBe(0);
    expect(badCap.stderr).toMatch(/^cairn: .*prefix/);
    expect(badCap.stderr).not.toContain(cap.split(':')[2]);
  });

  it('decodes a LIT cap with no share files', async () => {
    const result = await cairn(['debug', 'chk-decode', 'URI:LIT:nbswy3dp', at('lit-out')]);
    expect(result.code).toBe(0);
    expect(await readFile(at('lit-out'), 'utf8')).toBe('hello');
  });
});

describe('cairn debug fec-encode and fec-decode', () => {
  interface ZfecCase {
    k: number | string;
    n: number | string;
    block_len: number | string;
    all_blocks_hex: string[];
  }
  const cases = readVectorJson<{ cases: ZfecCase[] }>('zfec-known-answers.json').cases;

  it.each(cases.filter((c) => Number(c.n) <= 10).map((c) => [`${c.k}-of-${c.n}`, c] as const))('writes zfec’s blocks for %s', async (name, c) => {
    const k = Number(c.k);
    const n = Number(c.n);
    const length = Number(c.block_len);
    const file = Buffer.alloc(k * length);
    for (let i = 0; i < k; i++) for (let j = 0; j < length; j++) file[i * length + j] = (i * 31 + j * 7 + 1) % 256;
    await writeFile(at(`zfec-${name}`), file);
    const result = await cairn(['debug', 'fec-encode', '-k', String(k), '-n', String(n), at(`zfec-${name}`), at(`zfec-${name}-out`)]);
    expect(result.code).toBe(0);
    const expected = c.all_blocks_hex;
    for (let j = 0; j < n; j++) expect((await readFile(at(`zfec-${name}-out/${j}`))).toString('hex')).toBe(expected[j]);
  });

  it('zero-pads to a multiple of K, and fec-decode inverts it from any K blocks', async () => {
    const data = randomBytes(1_234_567);
    await writeFile(at('fec-in'), data);
    expect((await cairn(['debug', 'fec-encode', '-k', '4', '-n', '9', at('fec-in'), at('fec-out')])).code).toBe(0);
    const block0 = await readFile(at('fec-out/0'));
    expect(block0.length).toBe(Math.ceil(data.length / 4));
    const last = await readFile(at('fec-out/3'));
    expect(last.subarray(data.length - 3 * block0.length).every((b) => b === 0)).toBe(true);
    const result = await cairn(['debug', 'fec-decode', '-k', '4', '-n', '9', '--size', String(data.length), at('fec-back'), `${at('fec-out/8')}:8`, `${at('fec-out/2')}:2`, `${at('fec-out/5')}:5`, `${at('fec-out/6')}:6`]);
    expect(result.stderr).toBe('');
    expect(sameBytes(await readFile(at('fec-back')), data)).toBe('same');
  });

  it('refuses too few or mismatched blocks with a clear message', async () => {
    const few = await cairn(['debug', 'fec-decode', '-k', '4', '-n', '9', '--size', '1234567', at('x'), `${at('fec-out/8')}:8`, `${at('fec-out/8')}:8`]);
    expect(few.code).toBe(2);
    expect(few.stderr).toMatch(/need 4 distinct blocks, got 1/);
    const wrongSize = await cairn(['debug', 'fec-decode', '-k', '4', '-n', '9', '--size', '99', at('x'), ...[0, 1, 2, 3].map((j) => `${at(`fec-out/${j}`)}:${j}`)]);
    expect(wrongSize.stderr).toMatch(/cannot hold a 99-byte file/);
    const badIndex = await cairn(['debug', 'fec-decode', '-k', '4', '-n', '9', '--size', '99', at('x'), `${at('fec-out/0')}:9`]);
    expect(badIndex.stderr).toMatch(/between 0 and 8, got 9/);
    expect(existsSync(at('x'))).toBe(false);
  });
});
