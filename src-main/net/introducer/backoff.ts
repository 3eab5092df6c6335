// Reconnection delays: start at initialMs, multiply by factor after each failure up to maxMs,
// back to initialMs after a success. A little random jitter keeps many clients that lost the
// same peer at the same moment from redialling in lockstep.

export interface BackoffOptions {
  /** First delay after a failure (default 1 s). */
  readonly initialMs?: number;
  /** Largest delay (default 60 s). */
  readonly maxMs?: number;
  /** Growth per failure (default 2). */
  readonly factor?: number;
  /** Each delay is scaled by a random factor in [1 − jitter, 1] (default 0.1). */
  readonly jitter?: number;
}

export const DEFAULT_BACKOFF = { initialMs: 1_000, maxMs: 60_000, factor: 2, jitter: 0.1 } as const;

export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private current: number;

  constructor(options: BackoffOptions = {}, private readonly random: () => number = Math.random) {
    this.initialMs = options.initialMs ?? DEFAULT_BACKOFF.initialMs;
    this.maxMs = options.maxMs ?? DEFAULT_BACKOFF.maxMs;
    this.factor = options.factor ?? DEFAULT_BACKOFF.factor;
    this.jitter = options.jitter ?? DEFAULT_BACKOFF.jitter;
    if (!(this.initialMs > 0) || !(this.maxMs >= this.initialMs) || !(this.factor >= 1) || !(this.jitter >= 0 && this.jitter < 1)) {
      throw new RangeError('backoff needs 0 < initialMs ≤ maxMs, factor ≥ 1 and 0 ≤ jitter < 1');
    }
    this.current = this.initialMs;
  }

  /** The delay before the next attempt; each call grows the one after it. */
  next(): number {
    const base = this.current;
    this.current = Math.min(this.maxMs, this.current * this.factor);
    return Math.round(base * (1 - this.jitter * this.random()));
  }

  /** After a success: the next failure waits initialMs again. */
  reset(): void {
    this.current = this.initialMs;
  }
}
