// The node's durability pass over its backups: for every job, walk the snapshots its
// retention keeps, and for each distinct immutable file (snapshot directories included)
// renew this node's leases, measure its health, and repair it when it is below happy (within
// the configured limits). The mutable directories on the way (the alias's, the target's,
// Archives/) and any mutable file or directory inside a snapshot have their leases renewed
// too (shares of every kind expire when nobody renews them), and those this node holds the
// write cap of are repaired when not healthy. Snapshots no longer kept are not walked, so their files' leases run
// out and the servers' lease crawlers delete them, unless a kept snapshot still holds them.
// Runs every `interval`, at start-up when the last pass is older, and when asked.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatCap, parseAnyCap, type Cap, type ChkReadCap, type DirectoryCap } from '../../src-shared/caps/index.js';
import type { BackupJob } from '../backup/backup-job.js';
import { offlineTolerance, summarizeDurability, type DurabilityReport, type FileDurability } from '../backup/durability.js';
import { durabilitySettings, type DurabilitySettings } from '../backup/durability-config.js';
import { surveyShares } from '../backup/share-survey.js';
import { listSnapshots, type SnapshotDirectory } from '../backup/snapshot-pruning.js';
import type { GridServer } from '../grid/grid-server.js';
import { happiness } from '../grid/placement/happiness.js';
import { writeFileAtomically } from './atomic-write.js';
import { readBackupJobs } from './backup-job-files.js';
import { CONFIG_FILE, privateDir } from './node-files.js';
import type { NodeLog } from './node-log.js';
import { walkTree } from './tree-walk.js';

export interface JobDurability extends DurabilityReport {
  readonly id: string;
  readonly snapshots: number;
}

/** What the last pass found: each job, and all of them together. */
export interface BackupDurabilityStatus {
  /** ISO time the last pass ended; absent: no pass yet */
  readonly checkedAt?: string;
  readonly overall?: DurabilityReport;
  readonly jobs: readonly JobDurability[];
  readonly running: boolean;
}

export interface BackupDurabilityOptions {
  readonly dir: string;
  readonly log: NodeLog;
  readonly grid: SnapshotDirectory;
  readonly servers: () => readonly GridServer[];
  readonly leaseSecret: Uint8Array;
  /** the grid's happy (a file's own N caps it) */
  readonly happy: number;
  /** the job's target, resolved through the node's aliases */
  readonly targetOf: (job: BackupJob) => Promise<{ cap: DirectoryCap; path: string }>;
  /** repairs an immutable file (regenerates missing shares) */
  readonly repair: (cap: ChkReadCap) => Promise<void>;
  /**
   * renews this node's leases on a mutable file's or directory's shares and, given its write
   * cap, repairs it when it is not healthy (the alias's, the target's and Archives/ are write caps)
   */
  readonly maintainMutable: (cap: Cap) => Promise<void>;
  readonly now?: () => Date;
}

export const DURABILITY_STATE_FILE = 'backup-durability.json';

interface FileSeen {
  readonly cap: ChkReadCap;
  health: FileDurability;
}

export class BackupDurability {
  private last: BackupDurabilityStatus = { jobs: [], running: false };
  private pass: Promise<BackupDurabilityStatus> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private firstPass: NodeJS.Timeout | undefined;
  private readonly now: () => Date;

  constructor(private readonly options: BackupDurabilityOptions) {
    this.now = options.now ?? (() => new Date());
  }

  private get statePath(): string {
    return join(privateDir(this.options.dir), DURABILITY_STATE_FILE);
  }

  /**
   * Loads the last pass's findings, and schedules passes: one after `graceMs` if the last is
   * older than the interval (the grace lets the node connect to the servers first, or every
   * file would look lost), then every interval.
   */
  async start(graceMs: number): Promise<void> {
    try {
      this.last = { ...(JSON.parse(await readFile(this.statePath, 'utf8')) as BackupDurabilityStatus), running: false };
    } catch {
      // no pass yet
    }
    const { interval } = await this.settings();
    const age = this.last.checkedAt === undefined ? Infinity : (this.now().getTime() - Date.parse(this.last.checkedAt)) / 1000;
    this.timer = setInterval(() => void this.check().catch((e: unknown) => this.options.log.warn(`durability pass: ${(e as Error).message}`)), interval * 1000);
    this.timer.unref();
    if (age >= interval && (await readBackupJobs(this.options.dir)).length > 0) {
      this.firstPass = setTimeout(() => void this.check().catch((e: unknown) => this.options.log.warn(`durability pass: ${(e as Error).message}`)), graceMs);
      this.firstPass.unref();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.firstPass);
    await this.pass?.catch(() => undefined);
  }

  status(): BackupDurabilityStatus {
    return { ...this.last, running: this.pass !== undefined };
  }

  /** Runs a pass now (or joins the one running) and returns what it found. */
  check(): Promise<BackupDurabilityStatus> {
    this.pass ??= this.runPass().finally(() => (this.pass = undefined));
    return this.pass;
  }

  private async settings(): Promise<DurabilitySettings> {
    const config = JSON.parse(await readFile(join(this.options.dir, CONFIG_FILE), 'utf8')) as { backupDurability?: unknown };
    return durabilitySettings(config.backupDurability);
  }

  private async runPass(): Promise<BackupDurabilityStatus> {
    const settings = await this.settings();
    const budget = { files: settings.repairMaxFiles, bytes: settings.repairMaxBytes, repaired: 0, deferred: 0 };
    const files = new Map<string, FileSeen>();
    const jobs: JobDurability[] = [];
    const renewed = new Set<string>();
    for (const job of await readBackupJobs(this.options.dir)) {
      const before = { repaired: budget.repaired, deferred: budget.deferred };
      const mine = new Map<string, FileSeen>();
      let snapshots = 0;
      let failure: string | undefined;
      try {
        const target = await this.options.targetOf(job);
        for (const dir of await this.directoriesOnTheWay(target)) await this.renewOnce(dir, renewed);
        const kept = await listSnapshots(this.options.grid, target);
        snapshots = kept.length;
        for (const snapshot of kept) {
          for await (const node of walkTree(parseDirectory(snapshot.readCap), (d) => this.options.grid.list(d))) {
            const file = node.cap.kind === 'dir' ? node.cap.file : node.cap;
            if (file.kind === 'ssk-ed25519' || file.kind === 'ssk-ed25519-ro') await this.renewOnce(node.cap, renewed);
            if (file.kind !== 'chk') continue; // literal files live in their caps
            const key = formatCap(file);
            const seen = files.get(key) ?? (await this.inspect(file, budget));
            files.set(key, seen);
            mine.set(key, seen);
          }
        }
      } catch (error) {
        failure = (error as Error).message;
        this.options.log.warn(`durability pass: backup job "${job.id}": ${failure}`);
      }
      const report = summarizeDurability([...mine.values()].map((f) => f.health), budget.repaired - before.repaired, budget.deferred - before.deferred);
      // a walk that stopped part-way must not read as "safe"
      jobs.push({ id: job.id, snapshots, ...report, ...(failure === undefined ? {} : { summary: `not fully checked: ${failure}` }) });
    }
    const counted = summarizeDurability([...files.values()].map((f) => f.health), budget.repaired, budget.deferred);
    const unchecked = jobs.filter((j) => j.summary.startsWith('not fully checked')).map((j) => `"${j.id}"`);
    const overall = unchecked.length === 0 ? counted : { ...counted, summary: `${counted.summary}; not fully checked: backup job ${unchecked.join(', ')}` };
    this.last = { checkedAt: this.now().toISOString(), overall, jobs, running: false };
    await writeFileAtomically(this.statePath, [new TextEncoder().encode(`${JSON.stringify(this.last, null, 2)}\n`)], 0o600);
    this.options.log.info(`durability pass: ${overall.files} files, ${overall.summary}${budget.repaired > 0 ? `; ${budget.repaired} repaired` : ''}`);
    return this.last;
  }

  /** The target's directory and those above it, from the alias's, and its Archives/ if there is one. */
  private async directoriesOnTheWay(target: { cap: DirectoryCap; path: string }): Promise<Cap[]> {
    const dirs: Cap[] = [target.cap];
    const names = target.path.split('/').filter((n) => n !== '');
    for (const [i, name] of [...names, 'Archives'].entries()) {
      try {
        dirs.push((await this.options.grid.resolve(dirs[i] as DirectoryCap, name)).cap);
      } catch {
        break; // not made yet: the first run makes it
      }
      if (dirs[i + 1]!.kind !== 'dir') return dirs.slice(0, -1);
    }
    return dirs;
  }

  private async renewOnce(cap: Cap, renewed: Set<string>): Promise<void> {
    const key = formatCap(cap);
    if (renewed.has(key)) return;
    renewed.add(key);
    await this.options.maintainMutable(cap).catch((error: unknown) => this.options.log.warn(`durability pass: renewing or repairing a mutable directory failed: ${(error as Error).message}`));
  }

  /** Renews the file's leases, measures it, and repairs it if it is below happy and the budget allows. */
  private async inspect(cap: ChkReadCap, budget: { files: number; bytes: number; repaired: number; deferred: number }): Promise<FileSeen> {
    const measure = async (): Promise<FileDurability> => {
      const placement = await surveyShares(cap, this.options.servers(), { leaseSecret: this.options.leaseSecret, renewLeases: true });
      const found = new Set([...placement.values()].flatMap((s) => [...s])).size;
      return {
        sharesFound: found,
        sharesNeeded: cap.neededShares,
        sharesTotal: cap.totalShares,
        happiness: happiness(placement),
        happy: Math.min(this.options.happy, cap.totalShares),
        tolerance: offlineTolerance(placement, cap.neededShares),
      };
    };
    let health = await measure();
    if (health.happiness < health.happy && health.tolerance >= 0) {
      if (budget.files > 0 && budget.bytes >= cap.size) {
        budget.files -= 1;
        budget.bytes -= cap.size;
        try {
          await this.options.repair(cap);
          budget.repaired += 1;
          health = await measure();
        } catch (error) {
          this.options.log.warn(`durability pass: a repair failed: ${(error as Error).message}`);
        }
      } else {
        budget.deferred += 1;
      }
    }
    return { cap, health };
  }
}

function parseDirectory(readCap: string): DirectoryCap {
  const cap = parseAnyCap(readCap);
  if (cap.kind !== 'dir') throw new Error('a snapshot is a file, not a directory');
  return cap;
}
