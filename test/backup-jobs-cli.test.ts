// Backup jobs and backup durability between real `cairn run` processes: an introducer and four
// storage nodes (five storage servers), encoding 2/3/5, so each file has one share per server.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Encode } from '../src-shared/base32.js';
import { parseChkReadCap, storageIndexOfKey } from '../src-shared/caps/index.js';
import type { BackupDurabilityStatus } from '../src-main/node/backup-durability.js';
import type { BackupJobsStatus } from '../src-main/node/backup-jobs.js';
import { cairn, type CliResult } from './support/cli.js';
import { GridHarness, type NodeProcess } from './support/grid-processes.js';

let grid: GridHarness;
let alice: NodeProcess;
let work: string;

async function on(node: NodeProcess, ...args: string[]): Promise<string> {
  const result = await cairn([...args, '--node-dir', node.dir]);
  if (result.code !== 0) throw new Error(`cairn ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

function expectOneLineError(result: CliResult, message: RegExp): void {
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.stderr).toMatch(message);
  expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
}

async function jobs(node: NodeProcess): Promise<BackupJobsStatus> {
  return JSON.parse(await on(node, 'backup-job', 'list', '--json')) as BackupJobsStatus;
}

async function durability(node: NodeProcess): Promise<BackupDurabilityStatus> {
  return JSON.parse(await on(node, 'backup-job', 'check', '--json')) as BackupDurabilityStatus;
}

beforeAll(async () => {
  grid = await GridHarness.create(4, { needed: 2, happy: 3, total: 5 });
  work = join(grid.root, 'work');
  await mkdir(join(work, 'docs'), { recursive: true });
  await grid.startAll();
  alice = grid.storageNodes[0]!;
  await grid.waitForServers(alice, 5, cairn);
  await on(alice, 'create-alias', 'backups');
}, 120_000);

afterAll(async () => {
  await grid?.destroy();
});

describe('cairn backup-job', () => {
  it('add, list, remove; bad input is refused with one line and cairn.json is unchanged', async () => {
    const source = join(work, 'docs');
    const added = await on(alice, 'backup-job', 'add', 'docs', source, 'backups:laptop', '--every', '6h', '--keep-last', '3', '--keep-daily', '7', '--exclude', '*.tmp');
    expect(added).toMatch(/^backup job "docs" added: every 6 hours; next run \d{4}-/);
    const config = JSON.parse(await readFile(join(alice.dir, 'cairn.json'), 'utf8')) as { backupJobs: unknown[]; nickname: string };
    expect(config.nickname).toBe('node-0');
    expect(config.backupJobs).toEqual([{ id: 'docs', source, target: 'backups:laptop', schedule: { every: 21_600 }, excludes: ['*.tmp'], retention: { last: 3, daily: 7 } }]);
    const listed = await jobs(alice);
    expect(listed.paused).toBe(false);
    expect(listed.jobs.map((j) => [j.id, j.when, j.target])).toEqual([['docs', 'every 6 hours', 'backups:laptop']]);
    expect(await on(alice, 'backup-job', 'list')).toMatch(new RegExp(`^docs: ${source} → backups:laptop, every 6 hours, keep last 3, daily 7, excluding \\*\\.tmp\\n`));

    const before = await readFile(join(alice.dir, 'cairn.json'), 'utf8');
    const bad: Array<[string[], RegExp]> = [
      [['add', 'docs', source, 'backups:x', '--every', '1h'], /^cairn: a backup job named "docs" exists already/],
      [['add', 'fast', source, 'backups:x', '--every', '10s'], /^cairn: backup job "fast": a backup cannot run more often than every 60 seconds/],
      [['add', 'night', source, 'backups:x', '--at', '25:00'], /^cairn: backup job "night": "25:00" is not a time of day/],
      [['add', 'gone', join(work, 'missing'), 'backups:x', '--every', '1h'], /^cairn: backup job "gone": the source .*missing is not a folder on this computer/],
      [['add', 'elsewhere', source, 'nosuch:x', '--every', '1h'], /^cairn: backup job "elsewhere": unknown alias "nosuch:"/],
      [['add', 'bad/id', source, 'backups:x', '--every', '1h'], /^cairn: backup job id "bad\/id" is not usable/],
      [['remove', 'nosuch'], /^cairn: no backup job named "nosuch"/],
      [['run', 'nosuch'], /^cairn: no backup job named "nosuch"/],
    ];
    for (const [args, message] of bad) expectOneLineError(await cairn(['backup-job', ...args, '--node-dir', alice.dir]), message);
    const usage = await cairn(['backup-job', 'add', 'x', source, 'backups:x', '--node-dir', alice.dir]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^cairn: backup-job add needs one of --every INTERVAL or --at HH:MM/);
    expect(await readFile(join(alice.dir, 'cairn.json'), 'utf8')).toBe(before);

    expect(await on(alice, 'backup-job', 'remove', 'docs')).toBe('backup job "docs" removed (its snapshots stay on the grid)\n');
    expect((await jobs(alice)).jobs).toEqual([]);
    expect((JSON.parse(await readFile(join(alice.dir, 'cairn.json'), 'utf8')) as { backupJobs: unknown[] }).backupJobs).toEqual([]);
  }, 60_000);

  it('two jobs added at once are both kept', async () => {
    const source = join(work, 'docs');
    await Promise.all(['one', 'two', 'three'].map((id) => on(alice, 'backup-job', 'add', id, source, `backups:${id}`, '--every', '1d')));
    expect((await jobs(alice)).jobs.map((j) => j.id).sort()).toEqual(['one', 'three', 'two']);
    for (const id of ['one', 'two', 'three']) await on(alice, 'backup-job', 'remove', id);
  }, 60_000);

  it('pause and resume (the event stream says the status changed)', async () => {
    const config = JSON.parse(await readFile(join(alice.dir, 'cairn.json'), 'utf8')) as { web: { port: number } };
    const token = (await readFile(join(alice.dir, 'private', 'api_auth_token'), 'utf8')).trim();
    const events = new AbortController();
    const response = await fetch(`http://127.0.0.1:${config.web.port}/events`, { headers: { authorization: `Bearer ${token}` }, signal: events.signal });
    const reader = response.body!.getReader();
    const statusEvent = (async () => {
      let text = '';
      while (!text.includes('event: status')) text += new TextDecoder().decode((await reader.read()).value);
    })();
    expect(await on(alice, 'backup-job', 'pause')).toBe('scheduled backups paused\n');
    await statusEvent;
    events.abort();
    expect((await jobs(alice)).paused).toBe(true);
    expect((await grid.status(alice)).backups?.paused).toBe(true);
    // a pause outlives a restart of the node, and so does a resume
    await grid.stop(alice);
    await grid.start(alice);
    expect((await jobs(alice)).paused).toBe(true);
    expect(await on(alice, 'backup-job', 'resume')).toBe('scheduled backups resumed\n');
    expect((await jobs(alice)).paused).toBe(false);
    await grid.stop(alice);
    await grid.start(alice);
    expect((await jobs(alice)).paused).toBe(false);
    await grid.waitForServers(alice, 5, cairn);
  }, 90_000);
});

describe('durability of a job\'s kept snapshots', () => {
  it('stopping servers one by one lowers the figure; repair brings it back', async () => {
    // Two snapshots made by hand (the backup engine's layout): the same big file in both, a small one in the first.
    const big = randomBytes(200_000);
    await writeFile(join(work, 'big.bin'), big);
    await writeFile(join(work, 'small.txt'), randomBytes(1000));
    const first = 'backups:photos/Archives/2026-01-01T00:00:00Z';
    const second = 'backups:photos/Archives/2026-01-02T00:00:00Z';
    await on(alice, 'mkdir', 'backups:photos');
    await on(alice, 'mkdir', 'backups:photos/Archives');
    await on(alice, 'mkdir', first);
    await on(alice, 'mkdir', second);
    const bigCap = (await on(alice, 'put', join(work, 'big.bin'), `${first}/big.bin`)).trim();
    await on(alice, 'put', join(work, 'small.txt'), `${first}/small.txt`);
    await on(alice, 'ln', `${first}/big.bin`, `${second}/big.bin`);
    await on(alice, 'backup-job', 'pause'); // the job must not run (and prune) during this test
    await on(alice, 'backup-job', 'add', 'photos', join(work, 'docs'), 'backups:photos', '--every', '1d');

    const full = await durability(alice);
    expect(full.jobs).toHaveLength(1);
    expect(full.jobs[0]).toMatchObject({ id: 'photos', snapshots: 2, files: 2, tolerance: 3, atRisk: 0, lost: 0, summary: 'safe even if 3 friends are offline' });
    expect(full.overall?.summary).toBe('safe even if 3 friends are offline');
    expect(await on(alice, 'status')).toMatch(/\nbackups: safe even if 3 friends are offline \(2 files, checked .*\)\n {2}photos: safe even if 3 friends are offline \(2 snapshots, 2 files\)\n/);

    // no repair while servers are away: the figure must show what is left
    await grid.editConfig(alice, (c) => ({ ...c, backupDurability: { repairMaxFiles: 0 } }) as typeof c);
    const others = grid.storageNodes.slice(1);
    const expected = ['safe even if 2 friends are offline', 'safe even if 1 friend is offline', 'at risk: 2 files have only 2 of 5 shares'];
    for (const [i, node] of others.entries()) {
      await grid.stop(node);
      const report = await durability(alice);
      expect(report.jobs[0]?.summary, `after stopping ${i + 1}`).toBe(expected[i]);
      expect(report.jobs[0]?.tolerance).toBe(2 - i);
    }
    expect((await durability(alice)).jobs[0]).toMatchObject({ atRisk: 2, repaired: 0, repairsDeferred: 2 });

    // the three servers come back having lost their disks: only repair can help
    const si = base32Encode(storageIndexOfKey(parseChkReadCap(bigCap).key));
    for (const node of others) {
      expect(await grid.shareFiles(node, si)).toHaveLength(1);
      await rm(join(node.dir, 'storage'), { recursive: true, force: true });
      await grid.start(node);
    }
    await grid.waitForServers(alice, 5, cairn);
    expect((await durability(alice)).jobs[0]?.summary).toBe('at risk: 2 files have only 2 of 5 shares');
    await grid.editConfig(alice, (c) => ({ ...c, backupDurability: { repairMaxFiles: 1 } }) as typeof c);
    const limited = await durability(alice);
    expect(limited.jobs[0]).toMatchObject({ repaired: 1, repairsDeferred: 1, atRisk: 1 });
    await grid.editConfig(alice, (c) => ({ ...c, backupDurability: { repairMaxFiles: 10 } }) as typeof c);
    const repaired = await durability(alice);
    expect(repaired.jobs[0]).toMatchObject({ repaired: 1, atRisk: 0, tolerance: 3, summary: 'safe even if 3 friends are offline' });
    for (const node of others) expect(await grid.shareFiles(node, si)).toHaveLength(1);

    // a job whose snapshots cannot be walked is not reported safe
    await on(alice, 'mkdir', 'backups:broken');
    await on(alice, 'put', join(work, 'small.txt'), 'backups:broken/Archives');
    await on(alice, 'backup-job', 'add', 'broken', join(work, 'docs'), 'backups:broken', '--every', '1d');
    const partial = await durability(alice);
    expect(partial.jobs.find((j) => j.id === 'broken')?.summary).toBe("not fully checked: Archives under the job's target is a file, not a folder of snapshots");
    expect(partial.overall?.summary).toBe('safe even if 3 friends are offline; not fully checked: backup job "broken"');
    await on(alice, 'backup-job', 'remove', 'broken');
    await on(alice, 'backup-job', 'remove', 'photos');
  }, 180_000);
});

describe('a job run: the backup engine, then retention', () => {
  const made = ['2026-01-01T10:00:00Z', '2026-01-01T11:00:00Z', '2026-01-02T09:00:00Z', '2026-01-03T09:00:00Z', '2026-01-03T12:00:00Z'];

  it('keeps exactly the snapshots the policy says', async () => {
    const source = join(work, 'ret');
    await mkdir(source);
    await writeFile(join(source, 'a.txt'), 'a file worth keeping, longer than a literal cap holds\n');
    // earlier snapshots with known times, as earlier runs would have left them
    await on(alice, 'mkdir', 'backups:ret');
    await on(alice, 'mkdir', 'backups:ret/Archives');
    for (const name of made) await on(alice, 'mkdir', `backups:ret/Archives/${name}`);
    await on(alice, 'backup-job', 'add', 'ret', source, 'backups:ret', '--every', '1d', '--keep-last', '2', '--keep-daily', '3');
    const ran = await on(alice, 'backup-job', 'run', 'ret');
    expect(ran).toMatch(/^backup job "ret": snapshot (\S+): 1 files uploaded, 0 unchanged, 0 failed, \d+ bytes sent in [\d.]+ s; 3 snapshots kept, 3 removed\n$/);
    const snapshot = /snapshot (\S+):/.exec(ran)![1]!;
    // last 2: the new one and 01-03 12:00; daily 3: the new one's day, 01-03 (12:00), 01-02
    expect(await on(alice, 'ls', 'backups:ret/Archives')).toBe(['2026-01-02T09:00:00Z', '2026-01-03T12:00:00Z', snapshot].join('\n') + '\n');
    const job = (await jobs(alice)).jobs.find((j) => j.id === 'ret')!;
    expect(job).toMatchObject({ lastResult: 'ok', lastSnapshot: snapshot });
  }, 60_000);

  it('a run missed while the node was off happens once when it starts', async () => {
    await grid.stop(alice);
    const statePath = join(alice.dir, 'private', 'backup-jobs.json');
    const states = JSON.parse(await readFile(statePath, 'utf8')) as Record<string, { lastStart: string }>;
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString();
    states.ret!.lastStart = twoDaysAgo;
    await writeFile(statePath, JSON.stringify(states));
    // an earlier test paused the jobs, and a pause outlives a restart: lift it while stopped
    await rm(join(alice.dir, 'private', 'backups-paused'), { force: true });
    const restarted = Date.now();
    await grid.start(alice);
    let job = (await jobs(alice)).jobs.find((j) => j.id === 'ret')!;
    for (let i = 0; i < 120 && !(job.lastEnd !== undefined && Date.parse(job.lastEnd) > restarted); i++) {
      await new Promise((r) => setTimeout(r, 500));
      job = (await jobs(alice)).jobs.find((j) => j.id === 'ret')!;
    }
    expect(job.lastResult, job.lastMessage).toBe('ok');
    expect(Date.parse(job.lastStart!)).toBeGreaterThan(restarted);
    expect(job.lastMessage).toMatch(/0 files uploaded, 1 unchanged/);
    // once: the next run is a day after this one, and no other started meanwhile
    await new Promise((r) => setTimeout(r, 2500));
    const after = (await jobs(alice)).jobs.find((j) => j.id === 'ret')!;
    expect(after.lastStart).toBe(job.lastStart);
    expect(Date.parse(after.nextRun) - Date.parse(job.lastStart!)).toBe(86_400_000);
  }, 90_000);
});
