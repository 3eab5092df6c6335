// cairn.json is rewritten by more than one part of a running node (settings, backup jobs),
// each reading the file, changing its keys and writing it back. Run those one at a time per
// node directory, so one cannot overwrite what the other just wrote.
const queues = new Map<string, Promise<unknown>>();

/** Runs `change` after every earlier change to `dir`'s cairn.json has finished. */
export function withConfigFileLock<T>(dir: string, change: () => Promise<T>): Promise<T> {
  const next = (queues.get(dir) ?? Promise.resolve()).then(change);
  const settled = next.catch(() => undefined);
  queues.set(dir, settled);
  void settled.then(() => {
    if (queues.get(dir) === settled) queues.delete(dir);
  });
  return next;
}
