// The exported debug log holds none of a node's secrets: each kind is planted in the log,
// both through NodeLog (redacted as written) and as raw lines appended to the file (as an
// older version might have left them), and none survives readDebugLog.
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Encode } from '../src-shared/base32.js';
import { readDebugLog } from '../src-main/node/debug-log.js';
import { formatGridLink } from '../src-main/node/grid-link.js';
import { createIntroducerDirectory, type NodeDirectory } from '../src-main/node/node-dir.js';
import { createInvite } from '../src-main/node/node-invite.js';
import { NodeLog } from '../src-main/node/node-log.js';
import { secretStringsOf } from '../src-main/node/node-secrets.js';
import { serializeNodeKey } from '../src-main/net/keys.js';
import { WebSessions } from '../src-main/frontends/web/web-sessions.js';

let root: string;
let node: NodeDirectory;
/** name → the secret text that must not survive */
let secrets: Record<string, string>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cairn-redaction-'));
  node = await createIntroducerDirectory(join(root, 'node'), { listen: '/ip4/127.0.0.1/tcp/0' });
  const rootCap = (await readFile(join(node.dir, 'private', 'aliases'), 'utf8')).split('\n')[0]!.slice('cairn:'.length).trim();
  const loginCode = new WebSessions().newLoginCode();
  secrets = {
    'grid key': base32Encode(node.gridLink.gridKey),
    'API token': node.apiToken,
    'convergence secret': base32Encode(node.convergenceSecret),
    'lease secret': base32Encode(node.leaseSecret),
    'node key': base32Encode(serializeNodeKey(node.nodeKey)),
    'grid link': formatGridLink(node.gridLink),
    'directory cap': rootCap,
    'file cap': 'URI:CHK:mfw5jwwtgmzdqexjy6t3cbhn3e:qgymj5ahxpzlmgcoukdn4zfkxqqcedc6v7v3qdhkzqhmxu2wjuaq:3:10:20000',
    'mutable cap': 'URI:SSK:ovb3jsy6ccpcdnfipdihncnjpu:4bp7iqd2xjbnnbrw5jppbi5cxjdxthxw6nvz7n6ysp5ejxktgfpa',
    'invite code': (await createInvite(node)).code,
    'login code': loginCode,
  };
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function lineWith(name: string, secret: string): string {
  return name === 'login code' ? `open http://127.0.0.1:3456/#login=${secret} to log in` : `the ${name} is ${secret}, see?`;
}

/** The part of a secret that must not appear: all of it, or what follows a cap's or link's prefix. */
function secretPart(secret: string): string {
  const prefix = /^(URI:[A-Z0-9-]+:|cairn-grid-v1:|cairn-invite-v1:)/.exec(secret)?.[0] ?? '';
  return secret.slice(prefix.length, prefix.length + 16);
}

describe('the exported debug log', () => {
  it('holds none of the secrets, whether logged through NodeLog or left raw in the file', async () => {
    const log = await NodeLog.open(join(node.dir, 'logs'), { stderr: false });
    log.addSecrets(...secretStringsOf(node));
    for (const [name, secret] of Object.entries(secrets)) log.info(lineWith(name, secret));
    await log.close();
    for (const [name, secret] of Object.entries(secrets)) await appendFile(join(node.dir, 'logs', 'cairn.log'), `2026-01-01T00:00:00.000Z info  raw ${lineWith(name, secret)}\n`);
    // the planted lines really are in the file (so the check below can fail)
    const raw = await readFile(join(node.dir, 'logs', 'cairn.log'), 'utf8');
    for (const secret of Object.values(secrets)) expect(raw).toContain(secret);

    const log2 = await NodeLog.open(join(node.dir, 'logs'), { stderr: false });
    log2.addSecrets(...secretStringsOf(node));
    const exported = await readDebugLog(node.dir, (text) => log2.redactText(text));
    await log2.close();
    for (const [name, secret] of Object.entries(secrets)) {
      expect(exported, name).not.toContain(secretPart(secret));
      expect(exported, name).toContain(lineWith(name, '').split(secret)[0]!.slice(0, 12));
    }
    expect(exported).toContain('#login=[redacted]');
    expect(exported.split('\n').filter((line) => line.includes(' raw '))).toHaveLength(Object.keys(secrets).length);
  });

  it('is the end of a long log, from a whole line, and empty when there is no log', async () => {
    const log = await NodeLog.open(join(root, 'long', 'logs'), { stderr: false });
    for (let i = 0; i < 2000; i++) log.info(`line ${i} ${'x'.repeat(100)}`);
    await log.close();
    const tail = await readDebugLog(join(root, 'long'), (text) => text, 10_000);
    expect(tail.length).toBeLessThanOrEqual(10_000);
    expect(tail).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(tail).toContain('line 1999 ');
    expect(tail).not.toContain('line 0 ');
    expect(await readDebugLog(join(root, 'nothing'), (text) => text)).toBe('');
  });
});
