// Raw node:crypto throughput, the reference the CHK figures are compared with. Loaded as a
// worker (with workerData) it measures once and posts the figure, so that two threads can
// be measured at once.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const MiB = 1024 * 1024;

export type Primitive = 'aes-128-ctr' | 'sha-256';

interface RateRequest {
  readonly primitive: Primitive;
  readonly mib: number;
}

/** MiB/s of `primitive` over `mib` MiB fed in 1 MiB chunks (AES output allocated per chunk, as in CHK). */
export function cryptoRate(primitive: Primitive, mib: number): number {
  const chunk = randomBytes(MiB);
  let sink = 0;
  const start = performance.now();
  if (primitive === 'aes-128-ctr') {
    const cipher = createCipheriv('aes-128-ctr', randomBytes(16), Buffer.alloc(16));
    for (let i = 0; i < mib; i++) sink ^= cipher.update(chunk)[0]!;
  } else {
    const hash = createHash('sha256');
    for (let i = 0; i < mib; i++) hash.update(chunk);
    sink ^= hash.digest()[0]!;
  }
  const rate = mib / ((performance.now() - start) / 1000);
  return sink === -1 ? 0 : rate; // never 0: `sink` is a byte; this only keeps the loop's results live
}

/**
 * The summed MiB/s of `threads` worker threads measuring `mib` MiB each, all at once: each
 * warms up, says it is ready, and starts only when every one is.
 */
export async function parallelCryptoRate(primitive: Primitive, mib: number, threads: number): Promise<number> {
  const workers = Array.from({ length: threads }, () => new Worker(new URL(import.meta.url), { workerData: { primitive, mib } satisfies RateRequest }));
  try {
    const settled = (worker: Worker): Promise<unknown> =>
      new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    await Promise.all(workers.map(settled)); // 'ready'
    const rates = workers.map(settled);
    for (const worker of workers) worker.postMessage('go');
    return ((await Promise.all(rates)) as number[]).reduce((sum, rate) => sum + rate, 0);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

const port = parentPort;
if (!isMainThread && port !== null && typeof workerData === 'object' && workerData !== null && 'primitive' in workerData) {
  const { primitive, mib } = workerData as RateRequest;
  cryptoRate(primitive, Math.min(8, mib)); // warm-up
  port.once('message', () => port.postMessage(cryptoRate(primitive, mib)));
  port.postMessage('ready');
}
