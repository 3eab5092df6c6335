import { access, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CONFIG_FILE } from './node-files.js';
import { createIntroducerDirectory, type NodeDirectory } from './node-dir.js';
import { createInvite, joinByInvite, type Invite } from './node-invite.js';
import { NodeLog } from './node-log.js';
import { NodeService } from './node-service.js';
import type { ShareEncoding } from './grid-link.js';

/**
 * The desktop app's node, first run included. The app's data folder either holds a node
 * (it starts at once: "running") or not yet ("needs-setup"), and then the user either
 * creates a new grid, whose introducer this node becomes (it also stores shares), or joins
 * a grid with an invite code. No Electron here: the app and the web shell both use it.
 */
export type SetupState = 'needs-setup' | 'starting' | 'running' | 'stopped';

export interface CreateGridRequest {
  readonly nickname: string;
  readonly gridName?: string;
  readonly encoding?: ShareEncoding;
  /** where the introducer listens; friends must reach it (default all interfaces, a fixed free port) */
  readonly listen?: string;
  readonly reservedSpace?: number;
}

export interface JoinGridRequest {
  readonly code: string;
  readonly passphrase: string;
  readonly nickname: string;
  readonly listen?: string;
  readonly reservedSpace?: number;
}

export interface AppNodeOptions {
  /** log to stderr too (the CLI and tests); the app logs to its file only */
  readonly logToStderr?: boolean;
  readonly fastTimers?: boolean;
  readonly onStateChange?: (state: SetupState) => void;
}

export class SetupError extends Error {
  override readonly name = 'SetupError';
}

const DEFAULT_LISTEN = '/ip4/0.0.0.0/tcp/0';

export class AppNode {
  private current: SetupState = 'needs-setup';
  private running: { service: NodeService; log: NodeLog } | undefined;

  private constructor(
    /** the node's directory inside the app's data folder */
    readonly nodeDir: string,
    private readonly options: AppNodeOptions,
  ) {}

  /** Opens the app's data folder: starts its node if it has one. */
  static async open(dataDir: string, options: AppNodeOptions = {}): Promise<AppNode> {
    const app = new AppNode(join(dataDir, 'node'), options);
    if (await exists(join(app.nodeDir, CONFIG_FILE))) await app.startNode();
    return app;
  }

  /** Opens a node directory itself (`cairn app DIR`): starts its node if it has one. */
  static async openNodeDirectory(nodeDir: string, options: AppNodeOptions = {}): Promise<AppNode> {
    const app = new AppNode(nodeDir, options);
    if (await exists(join(app.nodeDir, CONFIG_FILE))) await app.startNode();
    return app;
  }

  get state(): SetupState {
    return this.current;
  }

  /** The running node; undefined before setup and after stop. */
  get service(): NodeService | undefined {
    return this.running?.service;
  }

  /** Creates a new grid: this node becomes its introducer and a storage server. */
  async createGrid(request: CreateGridRequest): Promise<void> {
    const nickname = checkNickname(request.nickname);
    const gridName = request.gridName?.trim();
    if (gridName !== undefined && (gridName.length === 0 || gridName.length > 64)) throw new SetupError('the grid name must be 1 to 64 characters');
    await this.setUp(() =>
      createIntroducerDirectory(this.nodeDir, {
        listen: request.listen ?? DEFAULT_LISTEN,
        nickname,
        ...(gridName === undefined ? {} : { gridName }),
        ...(request.encoding === undefined ? {} : { encoding: request.encoding }),
      }),
    );
  }

  /** Joins a grid by invite code; a wrong passphrase or damaged code changes nothing. */
  async joinGrid(request: JoinGridRequest): Promise<void> {
    const nickname = checkNickname(request.nickname);
    await this.setUp(() =>
      joinByInvite(this.nodeDir, request.code, request.passphrase, {
        nickname,
        listen: request.listen ?? DEFAULT_LISTEN,
        ...(request.reservedSpace === undefined ? {} : { reservedSpace: request.reservedSpace }),
      }),
    );
  }

  /** A fresh invite code and passphrase to this node's grid. */
  async invite(): Promise<Invite> {
    if (this.running === undefined) throw new SetupError('there is no grid to invite to yet: create or join one first');
    return createInvite(this.running.service.node);
  }

  /** Stops the node cleanly (the app's Quit); safe to call twice. */
  async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    if (running !== undefined) {
      await running.service.stop();
      running.log.info('stopped');
      await running.log.close();
    }
    this.setState('stopped');
  }

  private async setUp(create: () => Promise<NodeDirectory>): Promise<void> {
    if (this.current !== 'needs-setup') throw new SetupError(this.current === 'starting' ? 'setup is already in progress' : 'this app already has a node');
    this.setState('starting');
    const existed = await exists(this.nodeDir);
    try {
      await create();
    } catch (error) {
      // a half-made node folder would block the next attempt
      if (!existed) await rm(this.nodeDir, { recursive: true, force: true });
      this.setState('needs-setup');
      throw error;
    }
    await this.startNode();
  }

  private async startNode(): Promise<void> {
    this.setState('starting');
    const log = await NodeLog.open(join(this.nodeDir, 'logs'), { stderr: this.options.logToStderr ?? false });
    try {
      const service = await NodeService.start(this.nodeDir, { log, fastTimers: this.options.fastTimers === true });
      this.running = { service, log };
    } catch (error) {
      log.error(`the node did not start: ${(error as Error).message}`);
      await log.close();
      this.setState('stopped');
      throw error;
    }
    this.setState('running');
  }

  private setState(state: SetupState): void {
    if (state === this.current) return;
    this.current = state;
    this.options.onStateChange?.(state);
  }
}

function checkNickname(nickname: unknown): string {
  const trimmed = typeof nickname === 'string' ? nickname.trim() : '';
  if (trimmed.length === 0 || trimmed.length > 64) throw new SetupError('a nickname must be 1 to 64 characters');
  return trimmed;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
