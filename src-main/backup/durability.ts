// How safe a backup is, in numbers and in plain words.
//
// A file is erasure-coded into N shares of which any K rebuild it. Its placement says which
// share numbers each server holds. The file survives a set of servers going offline when the
// servers left still hold at least K distinct share numbers.
//
// A file's offline tolerance is the largest t such that ANY t servers can go offline and the
// file is still recoverable: the fewest servers whose loss leaves fewer than K distinct
// shares, minus one. With one share on each of 10 servers and K = 3 it is 7. A file that
// cannot be recovered now has tolerance -1. A backup's tolerance is its worst file's.

/** server id → share numbers it holds */
export type SharePlacement = ReadonlyMap<string, ReadonlySet<number>>;

/** Exact search is used up to this many servers; beyond, a safe lower bound. */
const EXACT_SEARCH_SERVERS = 20;

function distinctShares(placement: SharePlacement, without: ReadonlySet<string>): number {
  const shares = new Set<number>();
  for (const [server, numbers] of placement) if (!without.has(server)) for (const n of numbers) shares.add(n);
  return shares.size;
}

/** Every `size`-element subset of `items`, as arrays. */
function* subsets<T>(items: readonly T[], size: number, from = 0): Generator<T[]> {
  if (size === 0) {
    yield [];
    return;
  }
  for (let i = from; i <= items.length - size; i++) for (const rest of subsets(items, size - 1, i + 1)) yield [items[i]!, ...rest];
}

/** How many servers (any of them) can go offline with the file still recoverable; -1 if it is not recoverable now. */
export function offlineTolerance(placement: SharePlacement, needed: number): number {
  const found = distinctShares(placement, new Set());
  if (found < needed) return -1;
  const servers = [...placement.keys()];
  if (servers.length <= EXACT_SEARCH_SERVERS) {
    for (let lost = 1; lost <= servers.length; lost++) {
      for (const gone of subsets(servers, lost)) if (distinctShares(placement, new Set(gone)) < needed) return lost - 1;
    }
    return servers.length; // unreachable while needed ≥ 1
  }
  // Losing one server loses at most its own shares, so at least this many must go.
  const most = Math.max(...[...placement.values()].map((s) => s.size));
  return Math.ceil((found - needed + 1) / most) - 1;
}

/** One file's health as a durability pass saw it. */
export interface FileDurability {
  readonly sharesFound: number;
  readonly sharesNeeded: number;
  readonly sharesTotal: number;
  readonly happiness: number;
  readonly happy: number;
  readonly tolerance: number;
}

/** A backup's health: its worst file, and how many files are below happy or lost. */
export interface DurabilityReport {
  /** files checked (distinct caps in the kept snapshots, literal files left out) */
  readonly files: number;
  /** the fewest servers whose loss could lose a file, minus one; -1 if a file is lost already; absent with no files */
  readonly tolerance?: number;
  /** the worst file: fewest shares found */
  readonly worst?: FileDurability;
  /** files with happiness below happy */
  readonly atRisk: number;
  /** files that cannot be recovered */
  readonly lost: number;
  readonly repaired: number;
  /** files below happy left unrepaired by the repair limits */
  readonly repairsDeferred: number;
  /** "safe even if 4 friends are offline", "at risk: 2 files have only 3 of 10 shares" */
  readonly summary: string;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** Sums up the files' health (after any repair) in numbers and words. */
export function summarizeDurability(files: readonly FileDurability[], repaired = 0, repairsDeferred = 0): DurabilityReport {
  const base = { files: files.length, repaired, repairsDeferred };
  if (files.length === 0) return { ...base, atRisk: 0, lost: 0, summary: 'nothing backed up yet' };
  const worst = files.reduce((a, b) => (b.tolerance < a.tolerance || (b.tolerance === a.tolerance && b.sharesFound < a.sharesFound) ? b : a));
  const lost = files.filter((f) => f.tolerance < 0);
  const atRisk = files.filter((f) => f.tolerance >= 0 && f.happiness < f.happy);
  const fewest = (list: readonly FileDurability[]): FileDurability => list.reduce((a, b) => (b.sharesFound < a.sharesFound ? b : a));
  let summary: string;
  if (lost.length > 0) {
    const f = fewest(lost);
    summary = `LOST: ${plural(lost.length, 'file')} ${lost.length === 1 ? 'has' : 'have'} only ${f.sharesFound} of ${f.sharesTotal} shares (${f.sharesNeeded} needed)`;
  } else if (atRisk.length > 0) {
    const f = fewest(atRisk);
    summary = `at risk: ${plural(atRisk.length, 'file')} ${atRisk.length === 1 ? 'has' : 'have'} only ${f.sharesFound} of ${f.sharesTotal} shares`;
  } else if (worst.tolerance === 0) {
    summary = 'safe now, but one more friend offline could make a file unrecoverable';
  } else {
    summary = `safe even if ${plural(worst.tolerance, 'friend')} ${worst.tolerance === 1 ? 'is' : 'are'} offline`;
  }
  return { ...base, tolerance: worst.tolerance, worst, atRisk: atRisk.length, lost: lost.length, summary };
}
