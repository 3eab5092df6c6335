/** Rejects with `${what} timed out after ${ms} ms` unless `promise` settles first. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** How long one server may take to answer a mutable-slot call, unless the caller says. */
export const DEFAULT_QUERY_TIMEOUT_MS = 15_000;

/** The caller's query timeout as an option to pass on, or nothing (the callee's default). */
export function queryTimeoutOf(options: { readonly queryTimeoutMs?: number }): { queryTimeoutMs?: number } {
  return options.queryTimeoutMs === undefined ? {} : { queryTimeoutMs: options.queryTimeoutMs };
}
