// Retention on the grid: which snapshots a job's target holds under Archives/, and removing
// the links of those its policy no longer keeps. A removed snapshot's files are no longer
// renewed (lease renewal walks only kept snapshots), so their shares expire on the servers
// unless another kept snapshot still references them.
import type { DirectoryCap } from '../../src-shared/caps/index.js';
import { NoSuchChildError, type DirectoryEntry, type ResolvedPath } from '../grid/vdrive/index.js';
import { applyRetention, type RetentionPolicy } from './retention.js';

export const ARCHIVES = 'Archives';

/** What pruning needs of the node. */
export interface SnapshotDirectory {
  resolve(dir: DirectoryCap, path: string): Promise<ResolvedPath>;
  list(dir: DirectoryCap): Promise<DirectoryEntry[]>;
  unlink(dir: DirectoryCap, path: string): Promise<unknown>;
}

export interface SnapshotEntry {
  readonly name: string;
  readonly time: Date;
  /** the snapshot directory's read cap */
  readonly readCap: string;
}

/** A snapshot's name is its UTC time: 2024-05-01T12:00:00Z. Anything else is not a snapshot. */
export function snapshotTime(name: string): Date | undefined {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(name)) return undefined;
  const time = new Date(name);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/** The snapshots under `<target>/Archives/`, newest first; none if the folder does not exist yet. */
export async function listSnapshots(grid: SnapshotDirectory, target: { cap: DirectoryCap; path: string }): Promise<SnapshotEntry[]> {
  let archives: ResolvedPath;
  try {
    archives = await grid.resolve(target.cap, target.path === '' ? ARCHIVES : `${target.path}/${ARCHIVES}`);
  } catch (error) {
    if (error instanceof NoSuchChildError) return [];
    throw error;
  }
  if (archives.cap.kind !== 'dir') throw new Error(`${ARCHIVES} under the job's target is a file, not a folder of snapshots`);
  const snapshots: SnapshotEntry[] = [];
  for (const entry of await grid.list(archives.cap)) {
    const time = snapshotTime(entry.name);
    if (time !== undefined && entry.isDirectory) snapshots.push({ name: entry.name, time, readCap: entry.readCap });
  }
  return snapshots.sort((a, b) => b.time.getTime() - a.time.getTime());
}

export interface PruneResult {
  readonly kept: readonly SnapshotEntry[];
  readonly removed: readonly SnapshotEntry[];
}

/** Applies `policy` to the target's snapshots and unlinks those it does not keep. */
export async function pruneSnapshots(grid: SnapshotDirectory, target: { cap: DirectoryCap; path: string }, policy: RetentionPolicy): Promise<PruneResult> {
  const decision = applyRetention(await listSnapshots(grid, target), policy);
  const archivesPath = target.path === '' ? ARCHIVES : `${target.path}/${ARCHIVES}`;
  for (const snapshot of decision.remove) await grid.unlink(target.cap, `${archivesPath}/${snapshot.name}`);
  return { kept: decision.keep, removed: decision.remove };
}
