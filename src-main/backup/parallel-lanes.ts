// Works through a list with a fixed number of lanes, each taking the next item when it is
// free: at most `lanes` items are in progress, and no task exists before its lane takes it.
// The first failure stops the lanes taking more, aborts the signal the running tasks were
// given, and is thrown once every running task has settled (so none is left writing).

export async function forEachInLanes<T>(items: readonly T[], lanes: number, task: (item: T, signal: AbortSignal) => Promise<void>): Promise<void> {
  const abort = new AbortController();
  let next = 0;
  let failure: { readonly error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await task(item, abort.signal);
      } catch (error) {
        if (failure === undefined) {
          failure = { error };
          abort.abort(error);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, lanes) }, lane));
  if (failure !== undefined) throw failure.error;
}
