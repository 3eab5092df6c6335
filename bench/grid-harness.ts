// A real grid on 127.0.0.1 for the grid benchmark: an introducer, storage nodes and a client
// node, each a separate `node bin/cairn.js run DIR` process (the built CLI),
// started and stopped by PID. (The logic of test/support/grid-processes.ts; bench/ does not
// import from test/, which is not compiled.)
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CONFIG_FILE, createIntroducerDirectory, createNodeDirectory } from '../src-main/node/node-dir.js';
import { formatGridLink, type ShareEncoding } from '../src-main/node/grid-link.js';

/** bin/cairn.js, from dist/bench/grid-harness.js */
/** Extra Node options for the node processes, e.g. CAIRN_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
function nodeArgs(): string[] {
  return (process.env.CAIRN_BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
}

const benchDir = dirname(fileURLToPath(import.meta.url));
/** The repository root, whether this runs compiled (dist/bench) or as source (bench, under tsx). */
const repoRoot = basename(resolve(benchDir, '..')) === 'dist' ? resolve(benchDir, '..', '..') : resolve(benchDir, '..');
export const cairnBin = join(repoRoot, 'bin', 'cairn.js');

export interface NodeProcess {
  readonly dir: string;
  readonly name: string;
  child: ChildProcess | undefined;
  stderr: string;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `cairn` command as a separate process (in `env`, by default this one's); throws unless it exits 0. */
export function cairn(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(process.execPath, [cairnBin, ...args], { maxBuffer: 64 * 1024 * 1024, env }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`cairn ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolvePromise({ code: 0, stdout, stderr });
    });
  });
}

export class GridHarness {
  readonly nodes: NodeProcess[] = [];

  private constructor(readonly root: string) {}

  /**
   * An introducer (its storage turned off, so that the grid has exactly `storageNodes`
   * servers), `storageNodes` storage nodes and one client node without storage.
   */
  static async create(root: string, storageNodes: number, encoding: ShareEncoding): Promise<GridHarness> {
    const harness = new GridHarness(root);
    const listen = '/ip4/127.0.0.1/tcp/0';
    const introducerDir = join(root, 'introducer');
    const introducer = await createIntroducerDirectory(introducerDir, { listen, nickname: 'introducer', encoding });
    const configPath = join(introducerDir, CONFIG_FILE);
    const config = JSON.parse(await readFile(configPath, 'utf8')) as { storage: { enabled: boolean } };
    config.storage.enabled = false;
    await writeFile(configPath, JSON.stringify(config, null, 2));
    harness.nodes.push({ dir: introducerDir, name: 'introducer', child: undefined, stderr: '' });
    const link = formatGridLink(introducer.gridLink);
    for (let i = 0; i < storageNodes; i++) {
      const dir = join(root, `node-${i}`);
      await createNodeDirectory(dir, { introducerLink: link, listen, nickname: `node-${i}`, reservedSpace: 0 });
      harness.nodes.push({ dir, name: `node-${i}`, child: undefined, stderr: '' });
    }
    const clientDir = join(root, 'client');
    await createNodeDirectory(clientDir, { introducerLink: link, listen, nickname: 'client', storage: false });
    harness.nodes.push({ dir: clientDir, name: 'client', child: undefined, stderr: '' });
    return harness;
  }

  get introducer(): NodeProcess {
    return this.nodes[0]!;
  }

  get client(): NodeProcess {
    return this.nodes[this.nodes.length - 1]!;
  }

  /** The PIDs of the running node processes. */
  pids(): number[] {
    return this.nodes.flatMap((n) => (n.child?.pid === undefined ? [] : [n.child.pid]));
  }

  start(node: NodeProcess, timeoutMs = 30_000): Promise<void> {
    const child = spawn(process.execPath, [...nodeArgs(), cairnBin, 'run', node.dir], { stdio: ['pipe', 'pipe', 'pipe'] });
    node.child = child;
    node.stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      node.stderr = (node.stderr + chunk.toString()).slice(-20_000);
    });
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`${node.name} not ready after ${timeoutMs} ms:\n${node.stderr}`)), timeoutMs);
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        if (line.includes('ready:')) {
          clearTimeout(timer);
          resolvePromise();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${node.name} exited with code ${code} before it was ready:\n${node.stderr}`));
      });
    });
  }

  async startAll(): Promise<void> {
    await this.start(this.introducer);
    await Promise.all(this.nodes.slice(1).map((n) => this.start(n)));
  }

  /** Stops a node by PID (SIGTERM, SIGKILL after 10 s) and starts it again. */
  async restart(node: NodeProcess): Promise<void> {
    const child = node.child;
    node.child = undefined;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await this.start(node);
  }

  /** Stops every node process still running, by PID (SIGTERM, SIGKILL after 5 s), and waits for it to exit. */
  async stopAll(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (node) => {
        const child = node.child;
        node.child = undefined;
        if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  /** Synchronous last resort (process 'exit'): SIGKILL by PID, no waiting. */
  killAllSync(): void {
    for (const node of this.nodes) {
      const child = node.child;
      if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }

  /** Waits until `node` sees `count` connected storage servers (polling cairn status); returns how many it sees. */
  async waitForServers(node: NodeProcess, count: number, timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const { stdout } = await cairn(['status', '--node-dir', node.dir, '--json']);
        const status = JSON.parse(stdout) as { peers: Array<{ connected: boolean }> };
        const connected = status.peers.filter((p) => p.connected).length;
        if (connected >= count) return connected;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${node.name} did not see ${count} connected servers within ${timeoutMs} ms`);
  }
}
