// A download whose consumer stops reading must stop fetching: the downloader reads at most a
// few segments ahead of what was taken from it (bounded in bytes too), and the web API's GET
// stops pulling from the download while the HTTP response is not draining. Otherwise a slow
// reader (1 MiB/s) of a large file makes the node buffer the file in memory.
import { randomBytes } from 'node:crypto';
import { request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { FileCap } from '../src-shared/caps/index.js';
import { decodeChk } from '../src-main/core/immutable/decoder.js';
import type { ShareSource } from '../src-main/core/immutable/share-source.js';
import { downloadImmutable } from '../src-main/grid/downloader.js';
import type { GridServer, ShareReader } from '../src-main/grid/grid-server.js';
import { uploadImmutable } from '../src-main/grid/uploader.js';
import { sendImmutableFile } from '../src-main/frontends/web/file-response.js';
import type { NodeApi } from '../src-main/frontends/web/node-api.js';
import { encodeToMemory, sameBytes } from './support/chk.js';
import { localServers } from './support/local-grid.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Lets pending reads, timers and I/O settle. */
const settle = (ms = 100): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});

describe('the decoder reads a bounded distance ahead of its consumer', () => {
  const segmentSize = 64 * KiB;
  const k = 3;

  async function countedFile(size: number): Promise<{ data: Uint8Array; encoded: Awaited<ReturnType<typeof encodeToMemory>>; read: { bytes: number }; sources: ShareSource[] }> {
    const data = new Uint8Array(randomBytes(size));
    const encoded = await encodeToMemory(data, { neededShares: k, totalShares: 10, maxSegmentSize: segmentSize });
    const read = { bytes: 0 };
    const sources: ShareSource[] = encoded.shares.map((share, j) => ({
      label: `#${j}`,
      claimedShareNumber: j,
      read: (offset, length) => {
        const bytes = share.subarray(offset, offset + length);
        read.bytes += bytes.length;
        return Promise.resolve(bytes);
      },
    }));
    return { data, encoded, read, sources };
  }

  it('stops reading blocks while its consumer does not pull, and reads them all once it does', async () => {
    const { data, encoded, read, sources } = await countedFile(40 * segmentSize);
    const chunks = decodeChk(encoded.cap, sources);
    const first = await chunks.next();
    expect(first.done).toBe(false);
    await settle();
    const stalled = read.bytes;
    await settle();
    expect(read.bytes).toBe(stalled); // nothing more while nobody pulls
    // opening the shares (each one's first 64 KiB, then its 14 KiB of hash trees) plus this segment and at most four ahead
    const blockBytes = segmentSize / k;
    const opening = 10 * 80 * KiB;
    expect(stalled).toBeLessThanOrEqual(opening + 5 * k * blockBytes);
    const rest: Uint8Array[] = [first.value as Uint8Array];
    for await (const chunk of { [Symbol.asyncIterator]: () => chunks }) rest.push(chunk);
    expect(sameBytes(Buffer.concat(rest), data)).toBe('same');
  });

  it('reads ahead no more bytes than its limit, whatever the segment count asked for', async () => {
    const { encoded, read, sources } = await countedFile(40 * segmentSize);
    const blockBytes = segmentSize / k;
    const chunks = decodeChk(encoded.cap, sources, { readAhead: 30, readAheadBytes: 4 * segmentSize });
    await chunks.next();
    await settle();
    const opening = 10 * 80 * KiB;
    // segment 0 and at most 4 segments' worth ahead (not 30)
    expect(read.bytes).toBeLessThanOrEqual(opening + 5 * k * blockBytes);
    await chunks.return(undefined);
  });

  it('reads a default (1 MiB) segment\'s blocks in batches of three, after the first block alone', async () => {
    const data = new Uint8Array(randomBytes(6 * MiB));
    const encoded = await encodeToMemory(data, { neededShares: k, totalShares: 10 }); // 1 MiB maximum: 1048578-byte segments
    const blockLength = Math.ceil(1048578 / k);
    const blockReads: Array<{ share: number; length: number }> = [];
    const sources: ShareSource[] = encoded.shares.map((share, j) => ({
      label: `#${j}`,
      claimedShareNumber: j,
      read: (offset, length) => {
        if (length >= blockLength) blockReads.push({ share: j, length });
        return Promise.resolve(share.subarray(offset, offset + length));
      },
    }));
    const chunks = decodeChk(encoded.cap, sources);
    const first = await chunks.next();
    await settle();
    // from each of the K primary shares: segment 0's block (decoding starts with it), then segments 1 to 3 in one read
    expect(blockReads).toEqual([0, 1, 2].flatMap((share) => [{ share, length: blockLength }, { share, length: 3 * blockLength }]));
    const rest: Uint8Array[] = [first.value as Uint8Array];
    for await (const chunk of { [Symbol.asyncIterator]: () => chunks }) rest.push(chunk);
    expect(sameBytes(Buffer.concat(rest), data)).toBe('same');
    // and segments 4 and 5 in one more read per share, which ends with the shorter tail block
    const tailBlockLength = Math.ceil((data.length - 5 * 1048578) / k);
    expect(blockReads.slice(6)).toEqual([0, 1, 2].map((share) => ({ share, length: blockLength + tailBlockLength })));
  });
});

/** The same servers, with the share reads of downloads counted. */
function counting(servers: readonly GridServer[], read: { bytes: number }): GridServer[] {
  return servers.map((server): GridServer => {
    const api = server.api;
    const countedReader = (reader: ShareReader): ShareReader => ({
      size: reader.size,
      read: async (offset, length) => {
        const bytes = await reader.read(offset, length);
        read.bytes += bytes.length;
        return bytes;
      },
    });
    const wrapped = {
      getBuckets: async (storageIndex: Uint8Array, hints?: { readonly prefetchBytes?: number }) =>
        new Map([...(await api.getBuckets(storageIndex, hints))].map(([n, reader]) => [n, countedReader(reader)])),
      adviseCorruptShare: (...args: Parameters<typeof api.adviseCorruptShare>) => api.adviseCorruptShare(...args),
    } as unknown as typeof api;
    return { ...server, api: wrapped };
  });
}

describe('a download from the grid', () => {
  it('fetches a bounded number of segments ahead of a consumer that stops', async () => {
    const { servers, cleanup } = await localServers(5);
    cleanups.push(cleanup);
    const segmentSize = 128 * KiB;
    const data = new Uint8Array(randomBytes(48 * segmentSize));
    const uploaded = await uploadImmutable(
      { size: data.length, open: async function* () { yield data; } },
      { servers, encoding: { needed: 3, happy: 5, total: 10 }, leaseSecret: randomBytes(32), convergenceSecret: randomBytes(32), maxSegmentSize: segmentSize },
    );
    const read = { bytes: 0 };
    const chunks = downloadImmutable(uploaded.cap, { servers: counting(servers, read) })[Symbol.asyncIterator]();
    const first = await chunks.next();
    expect(first.done).toBe(false);
    await settle(200);
    const stalled = read.bytes;
    await settle(200);
    expect(read.bytes).toBe(stalled);
    // a fraction of the file: the shares' openings and five segments' blocks (the first, and up to four ahead)
    expect(stalled).toBeLessThan(10 * 64 * KiB + 5 * segmentSize + 64 * KiB);
    expect(stalled).toBeLessThan(data.length / 4);
    const rest: Uint8Array[] = [first.value as Uint8Array];
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) rest.push(next.value);
    expect(sameBytes(Buffer.concat(rest), data)).toBe('same');
  });
});

describe("the web API's GET of a file", () => {
  it('stops pulling from the download while the HTTP client does not read, and goes on when it does', async () => {
    const chunkSize = MiB;
    const chunk = new Uint8Array(chunkSize); // the same bytes every time: no memory for a large "file"
    const totalChunks = 1024;
    let pulled = 0;
    const node = {
      download: (): AsyncIterable<Uint8Array> => ({
        async *[Symbol.asyncIterator]() {
          for (let i = 0; i < totalChunks; i++) {
            pulled++;
            yield chunk;
          }
        },
      }),
    } as unknown as NodeApi;
    const cap: FileCap = { kind: 'chk', key: new Uint8Array(16), uebHash: new Uint8Array(32), neededShares: 3, totalShares: 10, size: totalChunks * chunkSize } as unknown as FileCap;
    const server: Server = createServer((req, res) => {
      sendImmutableFile(cap, req, res, node).catch((error: unknown) => res.destroy(error as Error));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/' }, resolve);
      req.on('error', reject);
      req.end();
    });
    expect(response.statusCode).toBe(200);
    response.pause(); // a reader that does not read: the socket buffers fill up
    let stalled = -1;
    for (let i = 0; i < 50 && stalled !== pulled; i++) {
      stalled = pulled;
      await settle(100);
    }
    expect(pulled).toBe(stalled); // pulling stopped
    // what the kernel's socket buffers and Node's stream buffers hold, not the file
    expect(pulled).toBeLessThan(64);
    let received = 0;
    response.on('data', (data: Buffer) => {
      received += data.length;
      if (received >= 100 * chunkSize) response.destroy();
    });
    response.resume();
    await new Promise((resolve) => response.once('close', resolve));
    expect(pulled).toBeGreaterThan(stalled); // it goes on once the reader reads
    await settle();
    expect(pulled).toBeLessThan(totalChunks); // and stops for good once the reader has gone
  });
});
