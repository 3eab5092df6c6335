// Long-running operations (uploads, downloads, checks, directory and mutable-file changes) and what the node has done since it
// started: status shows those in progress with their numbers, the event stream sends their
// progress, and /statistics reports the totals.

export type OperationKind = 'upload' | 'download' | 'check' | 'directory' | 'mutable' | 'backup' | 'restore';
export const OPERATION_KINDS: readonly OperationKind[] = ['upload', 'download', 'check', 'directory', 'mutable', 'backup', 'restore'];
export type OperationState = 'running' | 'done' | 'failed';

export interface OperationView {
  readonly id: number;
  readonly kind: OperationKind;
  readonly state: OperationState;
  readonly bytesDone: number;
  /** undefined when unknown */
  readonly bytesTotal: number | undefined;
  /** Unix ms */
  readonly startedAt: number;
  readonly finishedAt?: number;
  /** why it failed, in one line */
  readonly error?: string;
}

export interface OperationTotals {
  readonly started: number;
  readonly done: number;
  readonly failed: number;
  readonly bytes: number;
}

export type OperationListener = (operation: OperationView) => void;

/** Progress events of one operation go out at most this often (plus its start and end). */
const PROGRESS_INTERVAL_MS = 250;
/** Finished operations kept for status. */
const RECENT_LIMIT = 20;

/** One operation's handle: report progress, then finish or fail it (once). */
export class Operation {
  #view: OperationView;
  #lastSent = 0;

  constructor(
    view: OperationView,
    private readonly tracker: OperationTracker,
  ) {
    this.#view = view;
  }

  get view(): OperationView {
    return this.#view;
  }

  /** Bytes done so far; never goes back (parts of an upload may finish out of order). */
  progress(bytesDone: number, bytesTotal = this.#view.bytesTotal): void {
    if (this.#view.state !== 'running') return;
    this.#view = { ...this.#view, bytesDone: Math.max(bytesDone, this.#view.bytesDone), bytesTotal };
    const now = Date.now();
    if (now - this.#lastSent >= PROGRESS_INTERVAL_MS) {
      this.#lastSent = now;
      this.tracker.changed(this);
    }
  }

  done(): void {
    if (this.#view.state !== 'running') return;
    this.#view = { ...this.#view, state: 'done', finishedAt: Date.now() };
    this.tracker.finished(this);
  }

  failed(error: unknown): void {
    if (this.#view.state !== 'running') return;
    const message = error instanceof Error ? error.message : String(error);
    this.#view = { ...this.#view, state: 'failed', finishedAt: Date.now(), error: message.split('\n')[0] };
    this.tracker.finished(this);
  }
}

export class OperationTracker {
  readonly #running = new Set<Operation>();
  readonly #recent: OperationView[] = [];
  readonly #listeners = new Set<OperationListener>();
  readonly #totals = new Map<OperationKind, { started: number; done: number; failed: number; bytes: number }>();
  #nextId = 1;

  start(kind: OperationKind, bytesTotal?: number): Operation {
    const operation = new Operation({ id: this.#nextId++, kind, state: 'running', bytesDone: 0, bytesTotal, startedAt: Date.now() }, this);
    this.#running.add(operation);
    this.#totalsOf(kind).started++;
    this.changed(operation);
    return operation;
  }

  /** Runs `task` as an operation: it is done when the task resolves, failed when it throws. */
  async run<T>(kind: OperationKind, bytesTotal: number | undefined, task: (operation: Operation) => Promise<T>): Promise<T> {
    const operation = this.start(kind, bytesTotal);
    try {
      const result = await task(operation);
      operation.done();
      return result;
    } catch (error) {
      operation.failed(error);
      throw error;
    }
  }

  /** Wraps a byte stream as an operation: progress per chunk; done at its end, failed if it throws or stops early. */
  async *track(kind: OperationKind, bytesTotal: number | undefined, chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    const operation = this.start(kind, bytesTotal);
    let bytes = 0;
    let ended = false;
    try {
      for await (const chunk of chunks) {
        bytes += chunk.length;
        operation.progress(bytes);
        yield chunk;
      }
      ended = true;
      operation.done();
    } catch (error) {
      operation.failed(error);
      throw error;
    } finally {
      if (!ended) operation.failed(new Error('stopped before the end (the reader went away)'));
    }
  }

  get running(): OperationView[] {
    return [...this.#running].map((o) => o.view);
  }

  get recent(): readonly OperationView[] {
    return this.#recent;
  }

  totals(kind: OperationKind): OperationTotals {
    return { ...this.#totalsOf(kind) };
  }

  /** Told of every start, progress (throttled) and end. Returns an unsubscribe function. */
  subscribe(listener: OperationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** @internal */
  changed(operation: Operation): void {
    for (const listener of this.#listeners) listener(operation.view);
  }

  /** @internal */
  finished(operation: Operation): void {
    this.#running.delete(operation);
    const view = operation.view;
    const totals = this.#totalsOf(view.kind);
    if (view.state === 'done') totals.done++;
    else totals.failed++;
    totals.bytes += view.bytesDone;
    this.#recent.unshift(view);
    this.#recent.length = Math.min(this.#recent.length, RECENT_LIMIT);
    this.changed(operation);
  }

  #totalsOf(kind: OperationKind): { started: number; done: number; failed: number; bytes: number } {
    let totals = this.#totals.get(kind);
    if (totals === undefined) {
      totals = { started: 0, done: 0, failed: 0, bytes: 0 };
      this.#totals.set(kind, totals);
    }
    return totals;
  }
}
