// cairn backup-job add|list|remove|run|pause|resume: the node's scheduled backups, through
// its web API (/backup-jobs).
import { resolve } from 'node:path';
import type { BackupJobView, BackupJobsStatus } from '../../../node/backup-jobs.js';
import type { BackupDurabilityStatus } from '../../../node/backup-durability.js';
import { describeDurability } from './durability-lines.js';
import { callApiJson, nodeEndpoint } from '../api-client.js';
import { UsageError, parseCommandArgs, parseInteger, print, type Command } from '../usage.js';
import { nodeDirHelp, nodeDirOption } from './node-dir-option.js';

const RETENTION_OPTIONS = ['last', 'hourly', 'daily', 'weekly', 'monthly'] as const;

const usage = `usage: cairn backup-job add ID SOURCE alias:path (--every INTERVAL | --at HH:MM[,HH:MM…]) [options]
       cairn backup-job list [--json]
       cairn backup-job remove ID
       cairn backup-job run ID
       cairn backup-job pause | resume
       cairn backup-job check [--json]

Backup jobs live in the node's cairn.json; the running node starts each one when it is due
(a run missed while the computer was off starts when the node does), one at a time, and then
removes the snapshots its retention policy no longer keeps.
  --every INTERVAL     run every INTERVAL, such as 6h, "30 minutes", 1d (at least 60 s)
  --at HH:MM,…         run daily at these local times, such as 02:00 or 09:00,21:00
  --exclude GLOB       leave out names or paths matching GLOB (repeatable)
  --keep-last N        keep the newest N snapshots
  --keep-hourly N      keep the newest snapshot of each of the last N hours that have one
  --keep-daily N       … days (UTC)
  --keep-weekly N      … ISO weeks
  --keep-monthly N     … months
                       (no --keep option: every snapshot is kept)
  --json               list: print the jobs as JSON
pause stops scheduled runs (a run in progress finishes); resume starts them again.
check walks every job's kept snapshots now: renews their leases, measures each file's shares,
repairs files below happy (within "backupDurability" limits) and prints how safe each job is.
${nodeDirHelp}`;

function describe(job: BackupJobView): string[] {
  const keep = Object.entries(job.retention ?? {}).map(([rule, n]) => `${rule} ${n}`).join(', ') || 'everything';
  const last =
    job.lastStart === undefined ? 'never run' : `last run ${job.lastStart}${job.running ? ' (running now)' : `: ${job.lastResult ?? 'unfinished'}${job.lastMessage === undefined ? '' : ` — ${job.lastMessage}`}`}`;
  return [
    `${job.id}: ${job.source} → ${job.target}, ${job.when}, keep ${keep}${job.excludes?.length ? `, excluding ${job.excludes.join(' ')}` : ''}`,
    `    ${last}; next run ${job.nextRun}`,
  ];
}

export const backupJobCommand: Command = {
  name: 'backup-job',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandArgs(this, args, {
      ...nodeDirOption,
      every: { type: 'string' },
      at: { type: 'string' },
      exclude: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      ...Object.fromEntries(RETENTION_OPTIONS.map((rule) => [`keep-${rule}`, { type: 'string' }])),
    } as const);
    if (values.help) return print(this.usage);
    const [action, ...rest] = positionals;
    const arity = (n: number): void => {
      if (rest.length !== n) throw new UsageError(`backup-job ${action} takes ${n === 0 ? 'no arguments' : n === 1 ? 'a job ID' : 'ID SOURCE alias:path'}`, this.usage);
    };
    const endpoint = async () => nodeEndpoint(values['node-dir']);
    switch (action) {
      case 'add': {
        arity(3);
        const [id, source, target] = rest as [string, string, string];
        if ((values.every === undefined) === (values.at === undefined)) throw new UsageError('backup-job add needs one of --every INTERVAL or --at HH:MM', this.usage);
        const retention: Record<string, number> = {};
        for (const rule of RETENTION_OPTIONS) {
          const count = parseInteger((values as Record<string, string | undefined>)[`keep-${rule}`], `--keep-${rule}`, 0, 1_000_000);
          if (count !== undefined) retention[rule] = count;
        }
        const job = {
          id,
          source: resolve(source),
          target,
          schedule: values.every === undefined ? { at: values.at! } : { every: values.every },
          excludes: values.exclude ?? [],
          retention,
        };
        const added = await callApiJson<BackupJobView>(await endpoint(), 'POST', '/backup-jobs', { data: JSON.stringify(job) });
        print(`backup job "${added.id}" added: ${added.when}; next run ${added.nextRun}`);
        return;
      }
      case 'list': {
        arity(0);
        const status = await callApiJson<BackupJobsStatus>(await endpoint(), 'GET', '/backup-jobs');
        if (values.json) return print(JSON.stringify(status, null, 2));
        if (status.paused) print('scheduled backups are paused ("cairn backup-job resume" starts them again)');
        if (status.jobs.length === 0) return print('no backup jobs ("cairn backup-job add" makes one)');
        for (const job of status.jobs) for (const line of describe(job)) print(line);
        return;
      }
      case 'remove': {
        arity(1);
        await callApiJson(await endpoint(), 'DELETE', `/backup-jobs/${encodeURIComponent(rest[0]!)}`);
        print(`backup job "${rest[0]!}" removed (its snapshots stay on the grid)`);
        return;
      }
      case 'run': {
        arity(1);
        const job = await callApiJson<BackupJobView>(await endpoint(), 'POST', `/backup-jobs/${encodeURIComponent(rest[0]!)}/run`);
        if (job.lastResult !== 'ok') throw new Error(`backup job "${job.id}" failed: ${job.lastMessage ?? 'no reason given'}`);
        print(`backup job "${job.id}": ${job.lastMessage ?? 'done'}`);
        return;
      }
      case 'check': {
        arity(0);
        const status = await callApiJson<BackupDurabilityStatus>(await endpoint(), 'POST', '/backup-jobs?t=check');
        if (values.json) return print(JSON.stringify(status, null, 2));
        for (const line of describeDurability(status)) print(line);
        return;
      }
      case 'pause':
      case 'resume': {
        arity(0);
        await callApiJson(await endpoint(), 'POST', `/backup-jobs?t=${action}`);
        print(action === 'pause' ? 'scheduled backups paused' : 'scheduled backups resumed');
        return;
      }
      default:
        throw new UsageError(action === undefined ? 'backup-job needs an action: add, list, remove, run, pause or resume' : `unknown backup-job action "${action}"`, this.usage);
    }
  },
};
