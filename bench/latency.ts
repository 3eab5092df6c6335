// Small-operation latency on the benchmark grid (introducer + 5 storage nodes + client,
// 3/5/10, real processes): 1 KiB put and get through the node's web API, the CLI's
// start-up time, and listing a 10 000-entry directory. Targets from the virtual-drive issue, with Tahoe-LAFS 1.20 measured here.
//   node bench/run.js latency
import '../src-shared/polyfills/promise-with-resolvers.js';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNodeDirectory } from '../src-main/node/node-dir.js';
import { GridHarness, cairnBin } from './grid-harness.js';

const SAMPLES = 30;
const TARGET_PUT_MS = 40;
const TARGET_GET_MS = 20;
const TARGET_CLI_MS = 300;
const TARGET_LIST_MS = 1000;
const DIRECTORY_ENTRIES = 10_000;
const TAHOE = { put: 405, get: 164, cli: 4000 };
const LABEL_WIDTH = 84;

function line(label: string, value: number, unit: string, digits = 1): void {
  console.log(`${label.padEnd(LABEL_WIDTH)} ${value.toFixed(digits).padStart(8)} ${unit}`);
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');

interface Api {
  readonly port: number;
  readonly token: string;
}

function call(api: Api, method: 'PUT' | 'GET' | 'POST', path: string, body?: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: api.port, method, path, headers: { authorization: `Bearer ${api.token}` } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(parts)) : reject(new Error(`${method} answered ${res.statusCode}: ${Buffer.concat(parts).toString()}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function cliStartMs(): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cairnBin, 'list-aliases', '--help'], (error) => (error === null ? resolve(performance.now() - start) : reject(error)));
  });
}

export async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-latency-'));
  const grid = await GridHarness.create(root, 5, { needed: 3, happy: 5, total: 10 });
  try {
    console.log('');
    console.log('Cairn latency bench: introducer + 5 storage nodes + client (3/5/10), real processes on 127.0.0.1');
    await grid.startAll();
    await grid.waitForServers(grid.client, 5);
    const node = await loadNodeDirectory(grid.client.dir);
    const api: Api = { port: node.config.web.port, token: node.apiToken };

    // warm-up: streams to every server, JIT
    for (let i = 0; i < 5; i++) await call(api, 'GET', `/uri/${encodeURIComponent((await call(api, 'PUT', '/uri', randomBytes(1024))).toString())}`);

    const puts: number[] = [];
    const gets: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const data = randomBytes(1024);
      let start = performance.now();
      const cap = (await call(api, 'PUT', '/uri', data)).toString().trim();
      puts.push(performance.now() - start);
      start = performance.now();
      const back = await call(api, 'GET', `/uri/${encodeURIComponent(cap)}`);
      gets.push(performance.now() - start);
      if (!back.equals(data)) throw new Error('the web API returned different bytes');
    }
    const starts: number[] = [];
    for (let i = 0; i < 10; i++) starts.push(await cliStartMs());

    // a directory of 10 000 entries, made in one request, then listed
    const fileCap = (await call(api, 'PUT', '/uri', randomBytes(1024))).toString().trim();
    const children: Record<string, unknown> = {};
    for (let i = 0; i < DIRECTORY_ENTRIES; i++) children[`photo-${String(i).padStart(5, '0')}.jpg`] = ['filenode', { ro_uri: fileCap, metadata: { size: 1024, mtime: 1_700_000_000 + i } }];
    const dirCap = (await call(api, 'POST', '/uri?t=mkdir-with-children', new TextEncoder().encode(JSON.stringify(children)))).toString().trim();
    const lists: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      const listing = JSON.parse((await call(api, 'GET', `/uri/${encodeURIComponent(dirCap)}?t=json`)).toString()) as [string, { children: Record<string, unknown> }];
      lists.push(performance.now() - start);
      if (Object.keys(listing[1].children).length !== DIRECTORY_ENTRIES) throw new Error('the listing lost entries');
    }
    const cliLists: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      const lines = await new Promise<number>((resolve, reject) => {
        execFile(process.execPath, [cairnBin, 'ls', '--node-dir', grid.client.dir, dirCap], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout) =>
          error === null ? resolve(stdout.trim().split('\n').length) : reject(error),
        );
      });
      cliLists.push(performance.now() - start);
      if (lines !== DIRECTORY_ENTRIES) throw new Error(`cairn ls printed ${lines} lines`);
    }

    line(`1 KiB put through the web API (median of ${SAMPLES}; p90 ${percentile(puts, 0.9).toFixed(1)} ms)`, median(puts), 'ms');
    line(`1 KiB get through the web API (median of ${SAMPLES}; p90 ${percentile(gets, 0.9).toFixed(1)} ms)`, median(gets), 'ms');
    line('CLI start-up: `cairn list-aliases --help`, a fresh process (median of 10)', median(starts), 'ms');
    line(`list a ${DIRECTORY_ENTRIES}-entry directory with its write cap, GET ?t=json (median of 5)`, median(lists), 'ms');
    line(`\`cairn ls\` of that directory, a fresh CLI process (median of 3)`, median(cliLists), 'ms');
    console.log(`context: Tahoe-LAFS 1.20 measured here: put ${TAHOE.put} ms, get ${TAHOE.get} ms, CLI start-up ${TAHOE.cli} ms`);
    console.log(`put = ${median(puts).toFixed(1)} ms (target ≤ ${TARGET_PUT_MS} ms): ${verdict(median(puts) <= TARGET_PUT_MS)}`);
    console.log(`get = ${median(gets).toFixed(1)} ms (target ≤ ${TARGET_GET_MS} ms): ${verdict(median(gets) <= TARGET_GET_MS)}`);
    console.log(`CLI start-up = ${median(starts).toFixed(0)} ms (target ≤ ${TARGET_CLI_MS} ms): ${verdict(median(starts) <= TARGET_CLI_MS)}`);
    console.log(`ls of ${DIRECTORY_ENTRIES} entries = ${median(cliLists).toFixed(0)} ms through the CLI (target < ${TARGET_LIST_MS} ms): ${verdict(median(cliLists) < TARGET_LIST_MS)}`);
  } finally {
    await grid.stopAll();
    await rm(root, { recursive: true, force: true });
  }
}
