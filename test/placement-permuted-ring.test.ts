import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { base32Decode, base32Encode } from '../src-shared/base32.js';
import { permuteServers, ringPosition, uploadCandidates } from '../src-main/grid/placement/permuted-ring.js';
import { readVectorJson } from './support/vectors.js';

interface KnownAnswer {
  name: string;
  inputs: Record<string, string>;
  expected_b32: string;
}

const ascii = (s: string) => new TextEncoder().encode(s);

describe('permuted ring', () => {
  it('matches Tahoe permute_server_hash known answer', () => {
    const answers = readVectorJson<{ hash_known_answers: KnownAnswer[] }>('hash-known-answers.json').hash_known_answers;
    const answer = answers.find((a) => a.name === 'permute_server_hash');
    expect(answer).toBeDefined();
    const { peer_selection_index, seed_b32 } = answer!.inputs;
    expect(base32Encode(ringPosition(ascii(peer_selection_index!), base32Decode(seed_b32!)))).toBe(answer!.expected_b32);
  });

  it('orders servers by SHA1(SI || seed), whatever order they come in', () => {
    const si = randomBytes(16);
    const servers = Array.from({ length: 20 }, (_, i) => ({ name: `s${i}`, permutationSeed: randomBytes(32) }));
    const expected = [...servers]
      .sort((a, b) =>
        Buffer.compare(
          createHash('sha1').update(si).update(a.permutationSeed).digest(),
          createHash('sha1').update(si).update(b.permutationSeed).digest(),
        ),
      )
      .map((s) => s.name);
    expect(permuteServers(si, servers).map((s) => s.name)).toEqual(expected);
    expect(permuteServers(si, [...servers].reverse()).map((s) => s.name)).toEqual(expected);
    expect(servers.map((s) => s.name)).toEqual(servers.map((_, i) => `s${i}`)); // input untouched
  });

  it('gives each storage index its own order', () => {
    const servers = Array.from({ length: 20 }, (_, i) => ({ name: i, permutationSeed: randomBytes(32) }));
    const first = permuteServers(randomBytes(16), servers).map((s) => s.name);
    const second = permuteServers(randomBytes(16), servers).map((s) => s.name);
    expect(second).not.toEqual(first); // equal with probability 1/20!
  });

  it('puts preferred servers first, each group in ring order', () => {
    const si = randomBytes(16);
    const servers = Array.from({ length: 12 }, (_, i) => ({
      name: i,
      permutationSeed: randomBytes(20),
      preferred: i % 3 === 0,
    }));
    const ordered = permuteServers(si, servers);
    const preferred = ordered.slice(0, 4);
    expect(preferred.every((s) => s.preferred)).toBe(true);
    expect(ordered.slice(4).every((s) => !s.preferred)).toBe(true);
    expect(preferred.map((s) => s.name)).toEqual(permuteServers(si, servers.filter((s) => s.preferred)).map((s) => s.name));
    expect(ordered.slice(4).map((s) => s.name)).toEqual(
      permuteServers(si, servers.filter((s) => !s.preferred)).map((s) => s.name),
    );
  });

  it('keeps input order for identical seeds', () => {
    const seed = randomBytes(32);
    const servers = ['a', 'b', 'c'].map((name) => ({ name, permutationSeed: seed }));
    expect(permuteServers(randomBytes(16), servers).map((s) => s.name)).toEqual(['a', 'b', 'c']);
  });

  it('takes the first 2N servers as upload candidates', () => {
    const ring = Array.from({ length: 30 }, (_, i) => i);
    expect(uploadCandidates(ring, 10)).toEqual(ring.slice(0, 20));
    expect(uploadCandidates(ring, 20)).toEqual(ring);
  });
});
