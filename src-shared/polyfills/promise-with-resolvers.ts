// Node 20 lacks Promise.withResolvers (ES2024); libp2p calls it and fails silently
// without it (../shared/notes/libp2p-v3.md). Every entry point imports this first.
// Newer runtimes (Electron, Chromium) already have it, so this is a no-op there.

interface PromiseWithResolversShape<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const promiseConstructor = Promise as unknown as {
  withResolvers?: <T>() => PromiseWithResolversShape<T>;
};

if (typeof promiseConstructor.withResolvers !== 'function') {
  promiseConstructor.withResolvers = function withResolvers<T>(): PromiseWithResolversShape<T> {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

export {};
