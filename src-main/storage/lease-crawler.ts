import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { StorageBackend } from './backend.js';
import { BadArgumentError } from './errors.js';
import { LEASE_DURATION_SECONDS, type LeaseRecord } from './lease-record.js';

/**
 * When leases expire (storage-protocol.md §5, Tahoe's `[storage]expire.*`). Off by default:
 * a crawl then only counts what it would remove.
 */
export interface ExpirationPolicy {
  readonly enabled: boolean;
  /** 'age': older than the lease duration; 'cutoff-date': granted or renewed before cutoffDate */
  readonly mode: 'age' | 'cutoff-date';
  /** seconds; replaces the 31-day duration in 'age' mode */
  readonly overrideLeaseDuration?: number;
  /** Unix seconds (see cutoffDateFromText); required in 'cutoff-date' mode */
  readonly cutoffDate?: number;
}

export interface LeaseCrawlerOptions {
  readonly expiration: ExpirationPolicy;
  /** defaults to the backend's clock */
  readonly now?: () => number;
  /** told after every periodic run */
  readonly onRun?: (result: CrawlResult) => void;
  /** told when a periodic run fails; the next run is still scheduled */
  readonly onError?: (error: unknown) => void;
}

export interface CrawlResult {
  /** true when expiration is off: counts only, nothing removed */
  readonly dryRun: boolean;
  readonly storageIndexes: number;
  readonly sharesExamined: number;
  readonly leasesExamined: number;
  readonly leasesExpired: number;
  /** shares whose last lease expired (deleted unless dryRun) */
  readonly sharesDeleted: number;
  readonly bucketsRemoved: number;
  readonly unreadableShares: number;
  /** uploads aborted for being idle 30 minutes */
  readonly idleUploadsAborted: number;
}

/** "YYYY-MM-DD" (midnight UTC, as Tahoe's expire.cutoff_date) to Unix seconds. */
export function cutoffDateFromText(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const time = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  if (!match || Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== text) {
    throw new BadArgumentError(`a cutoff date is YYYY-MM-DD, got ${JSON.stringify(text)}`);
  }
  return time / 1000;
}

/**
 * Whether a lease has expired at `now`. The grant (or last renewal) time is inferred as
 * expiration − 31 days. 'age' mode implements Tahoe's documented intent, not its quirk
 * (see storage-protocol.md §5).
 */
export function leaseExpiryTest(policy: ExpirationPolicy, now: number): (lease: LeaseRecord) => boolean {
  if (policy.mode === 'cutoff-date') {
    const cutoff = policy.cutoffDate;
    if (cutoff === undefined || !Number.isFinite(cutoff)) throw new BadArgumentError("'cutoff-date' expiration needs a cutoffDate");
    return (lease) => lease.expirationTime - LEASE_DURATION_SECONDS < cutoff;
  }
  const duration = policy.overrideLeaseDuration ?? LEASE_DURATION_SECONDS;
  if (!Number.isFinite(duration) || duration < 0) throw new BadArgumentError(`a lease duration must be a non-negative number of seconds, got ${duration}`);
  return (lease) => now - (lease.expirationTime - LEASE_DURATION_SECONDS) > duration;
}

/** Garbage collector: walks every bucket, drops expired leases, deletes unleased shares. */
export class LeaseCrawler {
  readonly #backend: StorageBackend;
  readonly #options: LeaseCrawlerOptions;
  readonly #now: () => number;
  #running: Promise<CrawlResult> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** bumped by start and stop, so a run finishing after a restart schedules nothing stale */
  #generation = 0;
  #started = false;

  constructor(backend: StorageBackend, options: LeaseCrawlerOptions) {
    this.#backend = backend;
    this.#options = options;
    this.#now = options.now ?? backend.now;
    leaseExpiryTest(options.expiration, 0); // reject a bad policy now, not at the first run
  }

  /** One full pass; a call during a pass shares that pass. */
  runOnce(): Promise<CrawlResult> {
    this.#running ??= this.#crawl().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Runs a pass every `intervalMs` (first one after `intervalMs`), never two at once. */
  start(intervalMs: number): void {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new BadArgumentError(`a crawl interval must be positive, got ${intervalMs}`);
    if (this.#started) return;
    this.#started = true;
    const generation = ++this.#generation;
    const schedule = () => {
      // unref: a pending crawl never keeps the process alive
      this.#timer = setTimeout(() => {
        this.runOnce().then(
          (result) => this.#options.onRun?.(result),
          (error: unknown) => this.#options.onError?.(error),
        ).finally(() => {
          if (this.#started && this.#generation === generation) schedule();
        });
      }, intervalMs);
      this.#timer.unref();
    };
    schedule();
  }

  /** Stops periodic runs and waits for a pass in progress to finish. */
  async stop(): Promise<void> {
    this.#started = false;
    this.#generation++;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  async #crawl(): Promise<CrawlResult> {
    const policy = this.#options.expiration;
    const dryRun = !policy.enabled;
    const idleUploadsAborted = await this.#backend.sweepIdleWriters();
    const totals = { storageIndexes: 0, sharesExamined: 0, leasesExamined: 0, leasesExpired: 0, sharesDeleted: 0, bucketsRemoved: 0, unreadableShares: 0 };
    for await (const si of this.#backend.storageIndexes()) {
      const isExpired = leaseExpiryTest(policy, this.#now());
      const found = await this.#backend.expireLeases(si, isExpired, dryRun);
      totals.storageIndexes++;
      totals.sharesExamined += found.sharesExamined;
      totals.leasesExamined += found.leasesExamined;
      totals.leasesExpired += found.leasesExpired;
      totals.sharesDeleted += found.sharesExpired;
      totals.bucketsRemoved += found.bucketRemoved ? 1 : 0;
      totals.unreadableShares += found.unreadableShares;
      await yieldToEventLoop(); // let requests in between buckets
    }
    return { dryRun, ...totals, idleUploadsAborted };
  }
}
