// NodeSettings on real node directories: what is written to cairn.json, what is refused,
// and that saves made at the same time do not lose each other's changes.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatGridLink } from '../src-main/node/grid-link.js';
import { CONFIG_FILE, createIntroducerDirectory, createNodeDirectory, loadNodeDirectory, type NodeConfig, type NodeDirectory } from '../src-main/node/node-dir.js';
import { NodeSettings } from '../src-main/node/node-settings.js';
import { changeBackupJobs } from '../src-main/node/backup-job-files.js';
import { checkBackupJob } from '../src-main/backup/backup-job.js';

let root: string;
let introducer: NodeDirectory;

/** What NodeService does with a new config, kept here so the test can see it. */
function targetOf(start: NodeDirectory): { node: NodeDirectory; applied: NodeConfig[]; applyConfig(config: NodeConfig): void } {
  const target = {
    node: start,
    applied: [] as NodeConfig[],
    applyConfig(config: NodeConfig) {
      target.node = { ...target.node, config };
      target.applied.push(config);
    },
  };
  return target;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cairn-settings-'));
  introducer = await createIntroducerDirectory(join(root, 'introducer'), { listen: '/ip4/127.0.0.1/tcp/0', encoding: { needed: 2, happy: 3, total: 4 } });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('NodeSettings', () => {
  it('refuses a reserved space on a node that stores nothing, and writes nothing', async () => {
    const node = await createNodeDirectory(join(root, 'client'), { introducerLink: formatGridLink(introducer.gridLink), storage: false, listen: '/ip4/127.0.0.1/tcp/0' });
    const before = await readFile(join(node.dir, CONFIG_FILE), 'utf8');
    const target = targetOf(node);
    const settings = new NodeSettings(target);
    expect(settings.view().reservedSpace).toBeUndefined();
    await expect(settings.update({ reservedSpace: 5, nickname: 'client2' })).rejects.toThrow('this node stores no shares for the grid, so it has no reserved space to set');
    expect(await readFile(join(node.dir, CONFIG_FILE), 'utf8')).toBe(before);
    expect(target.applied).toEqual([]);
    // and a later save still works
    expect((await settings.update({ nickname: 'client2' })).nickname).toBe('client2');
  });

  it('keeps keys it does not model, and the file still loads', async () => {
    const path = join(introducer.dir, CONFIG_FILE);
    const config = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    await writeFile(path, JSON.stringify({ ...config, backupDurability: { interval: '2 days' } }));
    const settings = new NodeSettings(targetOf(await loadNodeDirectory(introducer.dir)));
    await settings.update({ reservedSpace: 123_456 });
    const written = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    expect(written.backupDurability).toEqual({ interval: '2 days' });
    expect(written.storage).toEqual({ enabled: true, reservedSpace: 123_456 });
    expect((await loadNodeDirectory(introducer.dir)).config.storage.reservedSpace).toBe(123_456);
  });

  it('two saves made at once both land', async () => {
    const target = targetOf(await loadNodeDirectory(introducer.dir));
    const settings = new NodeSettings(target);
    await Promise.all([settings.update({ nickname: 'first' }), settings.update({ encoding: { needed: 1, happy: 1, total: 2 } })]);
    const { config } = await loadNodeDirectory(introducer.dir);
    expect(config.nickname).toBe('first');
    expect(config.shares).toEqual({ needed: 1, happy: 1, total: 2 });
    expect(settings.view()).toMatchObject({ nickname: 'first', encoding: { needed: 1, happy: 1, total: 2 } });
    expect(target.applied).toHaveLength(2);
  });

  it('a settings save and a backup-job change made at once both land in cairn.json', async () => {
    const settings = new NodeSettings(targetOf(await loadNodeDirectory(introducer.dir)));
    const job = { id: 'docs', source: '/home/a/Documents', target: 'backups:docs', schedule: { every: 3600 }, excludes: [], retention: { last: 2 } };
    await Promise.all([settings.update({ nickname: 'second' }), changeBackupJobs(introducer.dir, (jobs) => [...jobs, checkBackupJob(job)])]);
    const { config } = await loadNodeDirectory(introducer.dir);
    expect(config.nickname).toBe('second');
    expect(config.backupJobs).toEqual([job]);
  });
});
