// Backup jobs in cairn.json, read and rewritten by the node: a bad hand-made entry stops the
// node with a message naming it; a change rewrites only "backupJobs", atomically.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupJobError, checkBackupJob } from '../src-main/backup/backup-job.js';
import { changeBackupJobs, readBackupJobs } from '../src-main/node/backup-job-files.js';
import { createIntroducerDirectory, loadNodeDirectory } from '../src-main/node/node-dir.js';

let root: string;
let dir: string;
const job = { id: 'docs', source: '/home/a/Documents', target: 'backups:docs', schedule: { every: 3600 }, excludes: [], retention: { last: 2 } };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cairn-jobs-config-'));
  dir = join(root, 'node');
  await createIntroducerDirectory(dir, { listen: '/ip4/127.0.0.1/tcp/0' });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('backupJobs in cairn.json', () => {
  it('a change rewrites only "backupJobs", leaving no temporary file', async () => {
    const before = JSON.parse(await readFile(join(dir, 'cairn.json'), 'utf8')) as Record<string, unknown>;
    await changeBackupJobs(dir, (jobs) => [...jobs, checkBackupJob(job)]);
    const after = JSON.parse(await readFile(join(dir, 'cairn.json'), 'utf8')) as Record<string, unknown>;
    expect(after).toEqual({ ...before, backupJobs: [job] });
    expect(await readBackupJobs(dir)).toEqual([checkBackupJob(job)]);
    expect((await readdir(dir)).filter((name) => name.includes('partial'))).toEqual([]);
    expect((await loadNodeDirectory(dir)).config.backupJobs).toEqual([job]);
  });

  it('a change that throws writes nothing', async () => {
    const before = await readFile(join(dir, 'cairn.json'), 'utf8');
    await expect(
      changeBackupJobs(dir, () => {
        throw new BackupJobError('no');
      }),
    ).rejects.toThrow('no');
    await expect(changeBackupJobs(dir, (jobs) => [...jobs, ...jobs])).rejects.toThrow('two backup jobs are named "docs"');
    expect(await readFile(join(dir, 'cairn.json'), 'utf8')).toBe(before);
  });

  it('a bad hand-made job or durability setting stops the node with a message naming it', async () => {
    const path = join(dir, 'cairn.json');
    const config = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    await writeFile(path, JSON.stringify({ ...config, backupJobs: [{ ...job, schedule: { every: '5s' } }] }));
    await expect(loadNodeDirectory(dir)).rejects.toThrow(/cairn\.json: backup job "docs": a backup cannot run more often than every 60 seconds/);
    await writeFile(path, JSON.stringify({ ...config, backupDurability: { repairMaxFiles: 'many' } }));
    await expect(loadNodeDirectory(dir)).rejects.toThrow(/cairn\.json: "backupDurability\.repairMaxFiles" must be a whole number/);
    await writeFile(path, JSON.stringify(config));
  });
});
