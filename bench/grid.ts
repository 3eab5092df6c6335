// Grid throughput, CPU and memory, end to end through the CLI, with this run's libp2p reference.
//   npm run bench                 (all benchmarks)      node bench/run.js grid    (this one only)
//   CAIRN_BENCH_GRID_MIB=8 CAIRN_BENCH_GRID_RSS_MIB=0 node bench/run.js grid      (a quick smoke test)
// The grid: an introducer (no storage), 5 storage nodes and a client node without storage,
// each a separate `cairn run DIR` process (default timers) on 127.0.0.1, encoding 3/5/10.
import '../src-shared/polyfills/promise-with-resolvers.js';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { arch, cpus, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { multiaddr } from '@multiformats/multiaddr';
import { createCairnHost, type GridMembership } from '../src-main/net/host.js';
import { generateNodeKey } from '../src-main/net/keys.js';
import { sendRequest } from '../src-main/net/request.js';
import { MiB, writeRandomFile } from './files.js';
import { formatStolen, hostCpuSample, stolenShare } from './host-cpu.js';
import { GridHarness, cairn, cairnBin } from './grid-harness.js';
import { loadNodeDirectory } from '../src-main/node/node-dir.js';
import { request as httpRequest } from 'node:http';
import { BULK_LIMITS, SINK_PROTOCOL } from './grid-net-peer.js';

const STORAGE_NODES = 5;
const ENCODING = { needed: 3, happy: 5, total: 10 };
const RUNS = 3;
/** put/get round trips of the workload's size before the measured ones */
const WARM_UP_ROUNDS = 3;
const REFERENCE_MIB = 64;
const RSS_SECONDS = 30;
const READER_RATE = MiB; // bytes per second

const TARGET_PUT_MIBPS = 25;
const TARGET_GET_MIBPS = 80;
const TARGET_RSS_MIB = 150;
const TAHOE_PUT_MIBPS = 3.6;
const TAHOE_GET_MIBPS = 4.0;

const LABEL_WIDTH = 84;

function line(label: string, value: number, unit: string, digits = 1): void {
  console.log(`${label.padEnd(LABEL_WIDTH)} ${value.toFixed(digits).padStart(8)} ${unit}`);
}

function note(text: string): void {
  console.log(text);
}

function mibFromEnv(name: string, fallback: number, min: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number of MiB, at least ${min} (got ${JSON.stringify(text)})`);
  return value;
}

const seconds = (since: number): number => (performance.now() - since) / 1000;
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');

/** Median wall time of `node -e 0` (ms) with the given environment: what every CLI run pays before any Cairn code. */
function nodeStartUpMs(env: NodeJS.ProcessEnv): number {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    execFileSync(process.execPath, ['-e', '0'], { env });
    times.push(performance.now() - started);
  }
  return median(times);
}

// ---------------------------------------------------------------------------------------
// /proc

function clockTicks(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** Fields of /proc/PID/stat from field 3 (state) on: the command name may hold spaces. */
async function statFields(pid: number | 'self'): Promise<string[]> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** utime + stime (fields 14 and 15) in clock ticks. */
async function cpuTicks(pid: number): Promise<number> {
  const f = await statFields(pid);
  return Number(f[14 - 3]) + Number(f[15 - 3]);
}

/** cutime + cstime (fields 16 and 17) of this process: the CPU of its children that have been waited for (the CLI runs). */
async function reapedChildTicks(): Promise<number> {
  const f = await statFields('self');
  return Number(f[16 - 3]) + Number(f[17 - 3]);
}

async function statusKiB(pid: number): Promise<{ rss: number; hwm: number }> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

// ---------------------------------------------------------------------------------------
// the reference: raw libp2p, one stream, this process to a peer process

const children = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function killChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  return exited;
}

async function referenceNet(membership: GridMembership = 'noise-prologue'): Promise<number> {
  const gridKey = new Uint8Array(randomBytes(32));
  const script = fileURLToPath(new URL('./grid-net-peer.js', import.meta.url));
  const peer = track(
    spawn(process.execPath, [script], {
      env: { ...process.env, CAIRN_BENCH_GRID_KEY: Buffer.from(gridKey).toString('hex'), CAIRN_NET_MEMBERSHIP: membership },
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const host = await createCairnHost({ privateKey: await generateNodeKey(), listen: ['/ip4/127.0.0.1/tcp/0'], gridKey, loopbackLimits: true, membership });
  try {
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: peer.stdout! }).once('line', resolve);
      peer.once('exit', (code) => reject(new Error(`the reference peer exited (${code}) before listening`)));
    });
    const addrs = (JSON.parse(first) as { addrs: string[] }).addrs.map((a) => multiaddr(a));
    const chunk = new Uint8Array(randomBytes(MiB));
    const send = async (mib: number): Promise<number> => {
      function* body(): Generator<Uint8Array> {
        for (let i = 0; i < mib; i++) yield chunk;
      }
      const start = performance.now();
      const response = await sendRequest(host, addrs, SINK_PROTOCOL, { head: null, body: body() }, BULK_LIMITS);
      const took = seconds(start);
      if ((response.head as { bytes?: number } | null)?.bytes !== mib * MiB) throw new Error('the reference peer received the wrong byte count');
      return mib / took;
    };
    await send(8); // connection, handshake, JIT
    const rates: number[] = [];
    for (let run = 0; run < RUNS; run++) rates.push(await send(REFERENCE_MIB));
    return median(rates);
  } finally {
    await host.stop();
    await killChild(peer, 'SIGTERM');
  }
}

// ---------------------------------------------------------------------------------------

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: MiB })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface OpCost {
  readonly seconds: number;
  /** CPU-seconds of each node process, in harness order */
  readonly nodeCpu: number[];
  /** CPU-seconds of the CLI process */
  readonly cliCpu: number;
}

/** put and get through the CLI on a running grid, with each node process's CPU. */
function gridOperations(grid: GridHarness, ticks: number) {
  const clientDir = grid.client.dir;
  const measure = async (args: string[], env?: NodeJS.ProcessEnv): Promise<{ cost: OpCost; stdout: string }> => {
    const pids = grid.pids();
    const nodeBefore = await Promise.all(pids.map(cpuTicks));
    const cliBefore = await reapedChildTicks();
    const start = performance.now();
    const { stdout } = await cairn(args, env);
    const took = seconds(start);
    const nodeAfter = await Promise.all(pids.map(cpuTicks));
    const cliAfter = await reapedChildTicks();
    return {
      cost: { seconds: took, nodeCpu: nodeAfter.map((t, i) => (t - nodeBefore[i]!) / ticks), cliCpu: (cliAfter - cliBefore) / ticks },
      stdout,
    };
  };
  const put = async (file: string): Promise<{ cost: OpCost; cap: string }> => {
    const { cost, stdout } = await measure(['put', '--node-dir', clientDir, file]);
    return { cost, cap: stdout.trim() };
  };
  const get = async (cap: string, out: string, expectedHash: string, env?: NodeJS.ProcessEnv): Promise<OpCost> => {
    const { cost } = await measure(['get', '--node-dir', clientDir, cap, out], env);
    const hash = await sha256File(out);
    await rm(out);
    if (hash !== expectedHash) throw new Error(`cairn get returned different bytes (sha256 ${hash}, expected ${expectedHash})`);
    return cost;
  };
  /** The same through the node's web API from this process: no CLI process start-up. */
  const apiCall = async (method: 'PUT' | 'GET', path: string, upload?: string, download?: string): Promise<{ cost: OpCost; body: string }> => {
    const node = await loadNodeDirectory(clientDir);
    const pids = grid.pids();
    const nodeBefore = await Promise.all(pids.map(cpuTicks));
    const start = performance.now();
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: node.config.web.port, method, path, headers: { authorization: `Bearer ${node.apiToken}` } }, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`${method} ${path.slice(0, 20)}… answered ${res.statusCode}`));
          res.resume();
          return;
        }
        if (download !== undefined) {
          const hash = createHash('sha256');
          res.on('data', (chunk: Buffer) => hash.update(chunk));
          res.on('end', () => resolve(hash.digest('hex')));
        } else {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(text.trim()));
        }
        res.on('error', reject);
      });
      req.on('error', reject);
      if (upload !== undefined) createReadStream(upload, { highWaterMark: MiB }).on('error', reject).pipe(req);
      else req.end();
    });
    const took = seconds(start);
    const nodeAfter = await Promise.all(pids.map(cpuTicks));
    return { cost: { seconds: took, nodeCpu: nodeAfter.map((t, i) => (t - nodeBefore[i]!) / ticks), cliCpu: 0 }, body };
  };
  const putApi = async (file: string): Promise<{ cost: OpCost; cap: string }> => {
    const { cost, body } = await apiCall('PUT', '/uri', file);
    return { cost, cap: body };
  };
  /** Hashes the bytes as they arrive (this process does the CLI's work of consuming them). */
  const getApi = async (cap: string, expectedHash: string): Promise<OpCost> => {
    const { cost, body } = await apiCall('GET', `/uri/${encodeURIComponent(cap)}`, undefined, 'hash');
    if (body !== expectedHash) throw new Error(`the web API returned different bytes (sha256 ${body}, expected ${expectedHash})`);
    return cost;
  };
  return { put, get, putApi, getApi };
}

/**
 * Connections, worker start-up and the JIT: the code run once per segment is optimized only
 * after a few hundred segments. Measured here, a fresh grid's 50 MiB put took 2.6, 2.1, 1.7
 * and then 1.5-1.6 s on later runs; a node is a long-running process, so the runs measured
 * are warm ones.
 */
async function warmUp(dir: string, size: number, ops: ReturnType<typeof gridOperations>): Promise<void> {
  for (let round = 0; round < WARM_UP_ROUNDS; round++) {
    const input = join(dir, `warm-up-${round}.bin`);
    await writeRandomFile(input, size);
    const { cap } = await ops.put(input);
    await ops.get(cap, join(dir, `warm-up-${round}.out`), await sha256File(input));
    await rm(input);
  }
}

/** RUNS put/get round trips of fresh random files. */
async function roundTrips(root: string, size: number, ops: ReturnType<typeof gridOperations>): Promise<{ puts: OpCost[]; gets: OpCost[] }> {
  const puts: OpCost[] = [];
  const gets: OpCost[] = [];
  for (let run = 0; run < RUNS; run++) {
    const input = join(root, `input-${run}.bin`);
    await writeRandomFile(input, size);
    const hash = await sha256File(input);
    const { cost, cap } = await ops.put(input);
    puts.push(cost);
    gets.push(await ops.get(cap, join(root, `output-${run}.bin`), hash));
    await rm(input);
  }
  return { puts, gets };
}

/**
 * The same grid and workload with libp2p's private-network protector (pnet) as the gate
 * instead of the Noise prologue, for the choice the network docs explain.
 */
async function pnetComparison(root: string, size: number, ticks: number): Promise<{ net: number; put: number; get: number; putCpu: number; getCpu: number }> {
  // a pnet failure is reported as a result (libp2p's pnet alone aborted large transfers: src-main/net/grid-pnet.ts)
  const net = await referenceNet('pnet').catch((error: unknown) => {
    note(`  pnet: the libp2p reference transfer failed: ${(error as Error).message.split('\n')[0]}`);
    return Number.NaN;
  });
  const dir = join(root, 'pnet');
  await mkdir(dir);
  const grid = await GridHarness.create(dir, STORAGE_NODES, ENCODING);
  process.env.CAIRN_NET_MEMBERSHIP = 'pnet'; // inherited by the node processes
  try {
    await grid.startAll();
    await grid.waitForServers(grid.client, STORAGE_NODES);
    const ops = gridOperations(grid, ticks);
    await warmUp(dir, size, ops);
    const { puts, gets } = await roundTrips(dir, size, ops);
    const mib = size / MiB;
    const total = (o: OpCost): number => o.nodeCpu.reduce((a, b) => a + b, 0);
    return {
      net,
      put: median(puts.map((o) => mib / o.seconds)),
      get: median(gets.map((o) => mib / o.seconds)),
      putCpu: median(puts.map((o) => total(o) / mib)),
      getCpu: median(gets.map((o) => total(o) / mib)),
    };
  } finally {
    delete process.env.CAIRN_NET_MEMBERSHIP;
    await grid.stopAll();
  }
}

export async function main(): Promise<void> {
  const mib = mibFromEnv('CAIRN_BENCH_GRID_MIB', 50, 1);
  const rssMiB = mibFromEnv('CAIRN_BENCH_GRID_RSS_MIB', 1024, 0);
  const size = Math.round(mib * MiB);
  const ticks = clockTicks();

  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-grid-'));
  let harness: GridHarness | undefined;
  const cleanUp = (): void => {
    harness?.killAllSync();
    for (const child of children) child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  const onSignal = (): void => process.exit(130);
  process.once('exit', cleanUp);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const cpu = cpus();
    note('');
    note(`Cairn grid bench: node ${process.version}, ${platform()} ${arch()}, ${cpu.length} CPUs (${cpu[0]?.model.trim() ?? 'unknown'})`);
    note(`grid: introducer (no storage) + ${STORAGE_NODES} storage nodes + 1 client node (no storage), each a \`cairn run\` process on 127.0.0.1, encoding ${ENCODING.needed}/${ENCODING.happy}/${ENCODING.total}, in ${root}`);
    note(`workload: ${+mib.toFixed(2)} MiB random files, a fresh file per run (convergent encryption would find the shares already placed), median of ${RUNS}, after ${WARM_UP_ROUNDS} unmeasured round trips (JIT)`);
    note('MiB/s are of plaintext, end to end through the CLI (`cairn put --node-dir CLIENT FILE`, `cairn get --node-dir CLIENT CAP OUT`), page-cache warm');
    note('');

    // the reference first, before the grid's processes start
    const beforeReference = hostCpuSample();
    const netMiBps = await referenceNet();
    const referenceStolen = stolenShare(beforeReference, hostCpuSample());
    line(`libp2p, one stream, two processes, ${REFERENCE_MIB} MiB in 1 MiB chunks (median of ${RUNS})`, netMiBps, 'MiB/s');
    line('Node start-up, `node -e 0` (median of 7), which every CLI run pays', nodeStartUpMs(process.env), 'ms', 0);
    // Node 20 reads and parses that certificate file as it starts, before any script runs.
    const withoutExtraCerts = process.env.NODE_EXTRA_CA_CERTS ? { ...process.env, NODE_EXTRA_CA_CERTS: undefined } : undefined;
    if (withoutExtraCerts !== undefined) {
      line('  the same without NODE_EXTRA_CA_CERTS (set here; Cairn makes no TLS connection)', nodeStartUpMs(withoutExtraCerts), 'ms', 0);
    }

    harness = await GridHarness.create(root, STORAGE_NODES, ENCODING);
    const grid = harness;
    const startedAt = performance.now();
    await grid.startAll();
    const servers = await grid.waitForServers(grid.client, STORAGE_NODES);
    note(`  (grid up in ${seconds(startedAt).toFixed(1)} s; the client sees ${servers} storage servers)`);
    const clientDir = grid.client.dir;

    const ops = gridOperations(grid, ticks);
    const { put } = ops;

    await warmUp(root, size, ops);

    // the grid's background CPU (timers, pings, announcements), over a quiet spell
    const idlePids = grid.pids();
    const idleBefore = await Promise.all(idlePids.map(cpuTicks));
    const idleStart = performance.now();
    await sleep(5000);
    const idleAfter = await Promise.all(idlePids.map(cpuTicks));
    const idleCpus = idleAfter.reduce((a, t, i) => a + (t - idleBefore[i]!), 0) / ticks / seconds(idleStart);
    line('idle grid: CPU busy, all node processes, over 5 s with no operation', idleCpus, 'CPUs', 3);

    const beforeRoundTrips = hostCpuSample();
    const { puts, gets } = await roundTrips(root, size, ops);
    const roundTripsStolen = stolenShare(beforeRoundTrips, hostCpuSample());
    const apiPuts: OpCost[] = [];
    const apiGets: OpCost[] = [];
    // Node 20 parses the file NODE_EXTRA_CA_CERTS names as every process starts (~85 ms here),
    // though Cairn makes no TLS connection: the CLI gets again without it show what that costs.
    const cliGetsWithoutCerts: OpCost[] = [];
    for (let run = 0; run < RUNS; run++) {
      const input = join(root, `api-input-${run}.bin`);
      await writeRandomFile(input, size);
      const hash = await sha256File(input);
      const { cost, cap } = await ops.putApi(input);
      apiPuts.push(cost);
      apiGets.push(await ops.getApi(cap, hash));
      if (withoutExtraCerts !== undefined) cliGetsWithoutCerts.push(await ops.get(cap, join(root, `api-output-${run}.bin`), hash, withoutExtraCerts));
      await rm(input);
    }

    const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
    const mibps = (ops: OpCost[]): number => median(ops.map((o) => mib / o.seconds));
    const perMiB = (ops: OpCost[], pick: (o: OpCost) => number): number => median(ops.map((o) => pick(o) / mib));
    const clientIndex = grid.nodes.length - 1;
    const storageOf = (o: OpCost): number => sum(o.nodeCpu.slice(1, clientIndex));
    const putMiBps = mibps(puts);
    const getMiBps = mibps(gets);
    line(`put ${+mib.toFixed(2)} MiB through the CLI (median of ${RUNS}: ${puts.map((o) => (mib / o.seconds).toFixed(1)).join(', ')})`, putMiBps, 'MiB/s');
    line(`get ${+mib.toFixed(2)} MiB through the CLI, bytes verified (median of ${RUNS}: ${gets.map((o) => (mib / o.seconds).toFixed(1)).join(', ')})`, getMiBps, 'MiB/s');
    line(`put ${+mib.toFixed(2)} MiB through the web API, no CLI process (median of ${RUNS}: ${apiPuts.map((o) => (mib / o.seconds).toFixed(1)).join(', ')})`, mibps(apiPuts), 'MiB/s');
    line(`get ${+mib.toFixed(2)} MiB through the web API, no CLI process, hashed (median of ${RUNS}: ${apiGets.map((o) => (mib / o.seconds).toFixed(1)).join(', ')})`, mibps(apiGets), 'MiB/s');
    if (cliGetsWithoutCerts.length > 0) {
      line(`  get through the CLI as above, NODE_EXTRA_CA_CERTS unset (median of ${RUNS}: ${cliGetsWithoutCerts.map((o) => (mib / o.seconds).toFixed(1)).join(', ')})`, mibps(cliGetsWithoutCerts), 'MiB/s');
    }
    note(`  (host: the hypervisor took ${formatStolen(referenceStolen)} of the CPU time this machine wanted during the libp2p reference, ${formatStolen(roundTripsStolen)} during the CLI round trips)`);
    note('  (the "of which" lines are medians of their own: they need not add up exactly)');
    line('put: grid CPU per MiB (all node processes, utime+stime)', perMiB(puts, (o) => sum(o.nodeCpu)), 'CPU-s/MiB', 3);
    line('  of which the client node', perMiB(puts, (o) => o.nodeCpu[clientIndex]!), 'CPU-s/MiB', 3);
    line(`  of which the ${STORAGE_NODES} storage nodes together`, perMiB(puts, storageOf), 'CPU-s/MiB', 3);
    line('  of which the introducer', perMiB(puts, (o) => o.nodeCpu[0]!), 'CPU-s/MiB', 3);
    line('  (not in the grid figure: the `cairn put` CLI process)', perMiB(puts, (o) => o.cliCpu), 'CPU-s/MiB', 3);
    line('get: grid CPU per MiB (all node processes, utime+stime)', perMiB(gets, (o) => sum(o.nodeCpu)), 'CPU-s/MiB', 3);
    line('  of which the client node', perMiB(gets, (o) => o.nodeCpu[clientIndex]!), 'CPU-s/MiB', 3);
    line(`  of which the ${STORAGE_NODES} storage nodes together`, perMiB(gets, storageOf), 'CPU-s/MiB', 3);
    line('  of which the introducer', perMiB(gets, (o) => o.nodeCpu[0]!), 'CPU-s/MiB', 3);
    line('  (not in the grid figure: the `cairn get` CLI process)', perMiB(gets, (o) => o.cliCpu), 'CPU-s/MiB', 3);
    const wall = (ops: OpCost[], pick: (o: OpCost) => number): number => median(ops.map((o) => pick(o) / o.seconds));
    line(`put: CPU busy during the put, all processes incl. the CLI (${cpu.length} CPUs = ${cpu.length.toFixed(1)})`, wall(puts, (o) => sum(o.nodeCpu) + o.cliCpu), 'CPUs', 2);
    line(`get: CPU busy during the get, all processes incl. the CLI (${cpu.length} CPUs = ${cpu.length.toFixed(1)})`, wall(gets, (o) => sum(o.nodeCpu) + o.cliCpu), 'CPUs', 2);

    // memory: a slow reader on a large download
    let peakRssMiB: number | undefined;
    let rssNote = '';
    if (rssMiB > 0) {
      const rssSize = Math.round(rssMiB * MiB);
      const rssInput = join(root, 'rss-input.bin');
      await writeRandomFile(rssInput, rssSize);
      const { cost, cap } = await put(rssInput);
      await rm(rssInput);
      note('');
      line(`  (setup: put ${+rssMiB.toFixed(2)} MiB through the CLI)`, rssMiB / cost.seconds, 'MiB/s');
      // a fresh client process, so that the figure is the get's and not what the put left behind
      const afterPut = await statusKiB(grid.client.child!.pid!);
      line('  (client node RSS after that put; the node is restarted for the get)', afterPut.rss / 1024, 'MiB');
      await grid.restart(grid.client);
      await grid.waitForServers(grid.client, STORAGE_NODES);
      await sleep(1000);
      const clientPid = grid.client.child!.pid!;
      let hwmReset = true;
      try {
        await writeFile(`/proc/${clientPid}/clear_refs`, '5'); // resets VmHWM to the current RSS
      } catch {
        hwmReset = false;
      }
      const before = await statusKiB(clientPid);
      const readerScript = fileURLToPath(new URL('./grid-reader.js', import.meta.url));
      const reader = track(spawn(process.execPath, [readerScript, String(READER_RATE)], { stdio: ['pipe', 'pipe', 'inherit'] }));
      const cli = track(spawn(process.execPath, [cairnBin, 'get', '--node-dir', clientDir, cap, '-'], { stdio: ['ignore', reader.stdin!, 'pipe'] }));
      reader.stdin!.destroy(); // the CLI holds the pipe's write end now
      let cliStderr = '';
      cli.stderr!.on('data', (chunk: Buffer) => (cliStderr = (cliStderr + chunk.toString()).slice(-4000)));
      let readerOutput = '';
      reader.stdout!.on('data', (chunk: Buffer) => (readerOutput += chunk.toString()));
      const readerDone = new Promise<void>((r) => reader.once('exit', () => r()));
      let peakRss = before.rss;
      let hwm = before.hwm;
      const start = performance.now();
      for (let s = 0; s < RSS_SECONDS && cli.exitCode === null; s++) {
        await sleep(1000);
        const now = await statusKiB(clientPid);
        peakRss = Math.max(peakRss, now.rss);
        hwm = now.hwm;
      }
      const ranFor = seconds(start);
      reader.kill('SIGTERM');
      await readerDone;
      await killChild(cli);
      const readBytes = Number(readerOutput.trim() || 0);
      if (readBytes === 0) throw new Error(`the slow reader got no bytes; cairn get said:\n${cliStderr}`);
      peakRssMiB = Math.max(peakRss, hwmReset ? hwm : 0) / 1024;
      line(`client node RSS before the get (restarted)`, before.rss / 1024, 'MiB');
      line(`client node peak RSS, sampled VmRSS every 1 s, get of ${+rssMiB.toFixed(2)} MiB into a 1 MiB/s reader`, peakRss / 1024, 'MiB');
      line(`client node VmHWM at the end${hwmReset ? ' (reset via clear_refs before the get)' : ' (NOT reset: includes the earlier operations)'}`, hwm / 1024, 'MiB');
      line('  (bytes the reader consumed)', readBytes / MiB, 'MiB');
      rssNote = `ran ${ranFor.toFixed(0)} s of the ${+rssMiB.toFixed(2)} MiB download (all of it would take ${(rssMiB / (READER_RATE / MiB) / 60).toFixed(0)} min at 1 MiB/s), then killed the reader`;
      note(`  (${rssNote})`);
    }

    // the other membership gate, on a fresh grid (this one stops first)
    let pnet: Awaited<ReturnType<typeof pnetComparison>> | undefined;
    if (process.env.CAIRN_BENCH_GRID_PNET !== '0') {
      await grid.stopAll();
      pnet = await pnetComparison(root, size, ticks).catch((error: unknown) => {
        note(`the pnet comparison failed: ${(error as Error).message.split('\n')[0]}`);
        return undefined;
      });
    }
    if (pnet !== undefined) {
      note('');
      note('the same with @libp2p/pnet (XSalsa20 over every byte) as the grid gate instead of the Noise prologue:');
      line(`  libp2p, one stream, two processes, pnet (median of ${RUNS})`, pnet.net, 'MiB/s');
      line(`  put ${+mib.toFixed(2)} MiB, pnet (median of ${RUNS})`, pnet.put, 'MiB/s');
      line(`  get ${+mib.toFixed(2)} MiB, pnet (median of ${RUNS})`, pnet.get, 'MiB/s');
      line('  put: grid CPU per MiB, pnet', pnet.putCpu, 'CPU-s/MiB', 3);
      line('  get: grid CPU per MiB, pnet', pnet.getCpu, 'CPU-s/MiB', 3);
    }

    // targets
    note('');
    note(`context: Tahoe-LAFS 1.20 on the same grid shape, measured here: put ${TAHOE_PUT_MIBPS} MiB/s, get ${TAHOE_GET_MIBPS} MiB/s`);
    note(`put = ${putMiBps.toFixed(1)} MiB/s (target ≥ ${TARGET_PUT_MIBPS} MiB/s; ${(putMiBps / TAHOE_PUT_MIBPS).toFixed(1)}× Tahoe; ${((100 * putMiBps) / netMiBps).toFixed(1)} % of one libp2p stream): ${verdict(putMiBps >= TARGET_PUT_MIBPS)}`);
    note(`get = ${getMiBps.toFixed(1)} MiB/s (target ≥ ${TARGET_GET_MIBPS} MiB/s; ${(getMiBps / TAHOE_GET_MIBPS).toFixed(1)}× Tahoe; ${((100 * getMiBps) / netMiBps).toFixed(1)} % of one libp2p stream): ${verdict(getMiBps >= TARGET_GET_MIBPS)}`);
    if (pnet !== undefined) {
      note(`membership gate: Noise prologue put ${putMiBps.toFixed(1)}, get ${getMiBps.toFixed(1)} MiB/s; pnet put ${pnet.put.toFixed(1)}, get ${pnet.get.toFixed(1)} MiB/s (CPU per MiB put ${(pnet.putCpu / perMiB(puts, (o) => sum(o.nodeCpu))).toFixed(2)}×, get ${(pnet.getCpu / perMiB(gets, (o) => sum(o.nodeCpu))).toFixed(2)}× the prologue's)`);
    }
    if (peakRssMiB === undefined) note(`client RSS on a slow reader: skipped (CAIRN_BENCH_GRID_RSS_MIB=0)`);
    else note(`client node peak RSS = ${peakRssMiB.toFixed(1)} MiB over ${rssNote.replace(/^ran /, '')} (target < ${TARGET_RSS_MIB} MiB): ${verdict(peakRssMiB < TARGET_RSS_MIB)}`);
  } catch (error) {
    for (const node of harness?.nodes ?? []) {
      if (node.stderr.trim() !== '') process.stderr.write(`--- ${node.name} stderr (tail) ---\n${node.stderr.slice(-2000)}\n`);
    }
    throw error;
  } finally {
    await harness?.stopAll();
    await Promise.all([...children].map((c) => killChild(c)));
    await rm(root, { recursive: true, force: true });
    process.off('exit', cleanUp);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
