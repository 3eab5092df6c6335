import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CONFIG_FILE, createIntroducerDirectory, createNodeDirectory, type NodeConfig } from '../../src-main/node/node-dir.js';
import type { NodeStatus } from '../../src-main/frontends/web/node-api.js';
import { formatGridLink, type ShareEncoding } from '../../src-main/node/grid-link.js';
import { findFreePort } from '../../src-main/node/free-port.js';
import { cairnBin } from './cli.js';

/** One `cairn run DIR` process. */
export interface NodeProcess {
  readonly dir: string;
  readonly name: string;
  child: ChildProcess | undefined;
  stderr: string;
}

/**
 * A real grid on 127.0.0.1: an introducer and N storage nodes, each a separate
 * `cairn run` process (the built CLI), started and stopped by PID.
 */
export class GridHarness {
  readonly nodes: NodeProcess[] = [];

  private constructor(readonly root: string) {}

  static async create(storageNodes: number, encoding: ShareEncoding): Promise<GridHarness> {
    const harness = new GridHarness(await mkdtemp(join(tmpdir(), 'cairn-gridproc-')));
    const introducerDir = join(harness.root, 'introducer');
    const introducer = await createIntroducerDirectory(introducerDir, { listen: '/ip4/127.0.0.1/tcp/0', nickname: 'introducer', encoding });
    harness.nodes.push({ dir: introducerDir, name: 'introducer', child: undefined, stderr: '' });
    const link = formatGridLink(introducer.gridLink);
    for (let i = 0; i < storageNodes; i++) {
      const dir = join(harness.root, `node-${i}`);
      await createNodeDirectory(dir, { introducerLink: link, listen: '/ip4/127.0.0.1/tcp/0', nickname: `node-${i}`, reservedSpace: 0 });
      harness.nodes.push({ dir, name: `node-${i}`, child: undefined, stderr: '' });
    }
    return harness;
  }

  get introducer(): NodeProcess {
    return this.nodes[0]!;
  }

  get storageNodes(): NodeProcess[] {
    return this.nodes.slice(1);
  }

  /** Rewrites a node's cairn.json (before it starts). */
  async editConfig(node: NodeProcess, edit: (config: NodeConfig) => NodeConfig): Promise<void> {
    const path = join(node.dir, CONFIG_FILE);
    const config = JSON.parse(await readFile(path, 'utf8')) as NodeConfig;
    await writeFile(path, `${JSON.stringify(edit(config), null, 2)}\n`);
  }

  /** Paths of the complete share files a node holds, optionally only those of one storage index (base32). */
  async shareFiles(node: NodeProcess, storageIndex?: string): Promise<string[]> {
    const root = join(node.dir, 'storage', 'shares');
    const files: string[] = [];
    for (const prefix of await readdir(root).catch(() => [])) {
      if (prefix === 'incoming') continue;
      for (const si of await readdir(join(root, prefix))) {
        if (storageIndex !== undefined && si !== storageIndex) continue;
        for (const n of await readdir(join(root, prefix, si))) files.push(join(root, prefix, si, n));
      }
    }
    return files;
  }

  /**
   * Starts a node's process and waits for its "ready" line. Test files run in parallel, and
   * each node's web port was picked free when its directory was made: another file's node,
   * made at the same moment, can have picked the same one. The node then stops with "the
   * port is in use", and it is started again on a new port (the only retry).
   */
  async start(node: NodeProcess, timeoutMs = 30_000): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.startOnce(node, timeoutMs);
      } catch (error) {
        if (attempt >= 3 || !/the web API cannot listen on .* the port is in use/.test(node.stderr)) throw error;
        const port = await findFreePort();
        await this.editConfig(node, (config) => ({ ...config, web: { ...config.web, port } }));
      }
    }
  }

  private startOnce(node: NodeProcess, timeoutMs: number): Promise<void> {
    const child = spawn(process.execPath, [cairnBin, 'run', node.dir, '--fast-timers'], { stdio: ['pipe', 'pipe', 'pipe'] });
    node.child = child;
    node.stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (node.stderr += chunk.toString()));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${node.name} not ready after ${timeoutMs} ms:\n${node.stderr}`)), timeoutMs);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.includes('ready:')) {
          clearTimeout(timer);
          resolve();
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
    await Promise.all(this.storageNodes.map((n) => this.start(n)));
  }

  /** Stops a node by PID: SIGTERM (clean) or SIGKILL (a crash). */
  async stop(node: NodeProcess, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<number | null> {
    const child = node.child;
    node.child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }

  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.stop(n, 'SIGKILL')));
    await rm(this.root, { recursive: true, force: true });
  }

  /** GET /status?t=json from a running node's web API (quicker than running `cairn status`). */
  async status(node: NodeProcess): Promise<NodeStatus> {
    const config = JSON.parse(await readFile(join(node.dir, CONFIG_FILE), 'utf8')) as NodeConfig;
    const token = (await readFile(join(node.dir, 'private', 'api_auth_token'), 'utf8')).trim();
    const response = await fetch(`http://127.0.0.1:${config.web.port}/status?t=json`, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`${node.name}: GET /status answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as NodeStatus;
  }

  /** Waits until `node` sees `count` connected storage servers (polling cairn status). */
  async waitForServers(node: NodeProcess, count: number, cli: (args: string[]) => Promise<{ stdout: string }>, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { stdout } = await cli(['status', '--node-dir', node.dir, '--json']);
      try {
        const status = JSON.parse(stdout) as { peers: Array<{ connected: boolean }> };
        if (status.peers.filter((p) => p.connected).length >= count) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${node.name} did not see ${count} connected servers within ${timeoutMs} ms`);
  }
}
