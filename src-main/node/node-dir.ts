import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { base32Decode, base32Encode } from '../../src-shared/base32.js';
import { generateNodeKey, parseNodeKey, peerIdOfKey, serializeNodeKey, type NodePrivateKey } from '../net/keys.js';
import { findFreePort } from './free-port.js';
import { formatGridLink, parseGridLink, type GridLink, type ShareEncoding } from './grid-link.js';
import { ALIASES_FILE, DEFAULT_ALIAS } from './aliases.js';
import { gridRootCap } from './grid-root.js';
import { formatCap } from '../../src-shared/caps/index.js';
import { leaseExpirySettings, type LeaseExpiryConfig } from './lease-expiry-config.js';
import { dialableAddresses, parseListenAddress, pinListenAddress } from './listen-address.js';
import { CONFIG_FILE, privateDir } from './node-files.js';
import { checkBackupJobs, type BackupJobConfig } from '../backup/backup-job.js';
import { durabilitySettings } from '../backup/durability-config.js';

// A node directory:
//   DIR/cairn.json              the config (docs/config.md)
//   DIR/private/                secrets, mode 0700; each file mode 0600
//     node.key                  the libp2p identity (base32 of libp2p's protobuf key bytes)
//     introducer.link           the grid's introducer link (joins a node to the grid)
//     api_auth_token            authenticates the CLI and UI to the node's web API
//     convergence               convergence secret (identical files → identical caps)
//     secret                    lease secret (renews and cancels this node's leases)
//   DIR/storage/                shares this node keeps for the grid
//   DIR/logs/                   logs (no secrets)

export { CONFIG_FILE } from './node-files.js';
export const CONFIG_VERSION = 1;
export const DEFAULT_ENCODING: ShareEncoding = { needed: 3, happy: 5, total: 10 };

export interface NodeConfig {
  readonly version: typeof CONFIG_VERSION;
  readonly nickname: string;
  /** libp2p listen multiaddrs; port 0 is replaced by a fixed free port at creation */
  readonly listen: readonly string[];
  /** this node runs the grid's introducer */
  readonly introducer: boolean;
  readonly storage: {
    readonly enabled: boolean;
    /** bytes of disk always left free */
    readonly reservedSpace: number;
    /** garbage collection of shares whose leases expired; absent: off */
    readonly leaseExpiry?: LeaseExpiryConfig;
  };
  readonly web: {
    /** the localhost port of the web API and UI */
    readonly port: number;
  };
  /** overrides the grid's encoding (from the introducer link) for this node's uploads */
  readonly shares?: ShareEncoding;
  /** scheduled backups (docs/backup.md); absent: none */
  readonly backupJobs?: readonly BackupJobConfig[];
}

export interface NodeDirectory {
  readonly dir: string;
  readonly config: NodeConfig;
  readonly nodeKey: NodePrivateKey;
  readonly gridLink: GridLink;
  readonly apiToken: string;
  readonly convergenceSecret: Uint8Array;
  readonly leaseSecret: Uint8Array;
}

export class NodeDirectoryError extends Error {
  override readonly name = 'NodeDirectoryError';
}

export { privateDir } from './node-files.js';
const privatePath = (dir: string, name: string): string => join(privateDir(dir), name);

async function ensureNewDirectory(dir: string): Promise<void> {
  const existing = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw new NodeDirectoryError(`cannot use ${dir}: ${error.message}`);
  });
  if (existing.length > 0) throw new NodeDirectoryError(`${dir} already exists and is not empty; choose a new directory`);
  await mkdir(join(dir, 'logs'), { recursive: true });
  await mkdir(privateDir(dir), { recursive: true, mode: 0o700 });
  await chmod(privateDir(dir), 0o700);
}

async function writeSecret(dir: string, name: string, text: string): Promise<void> {
  const path = privatePath(dir, name);
  await writeFile(path, `${text}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
}

async function writeConfig(dir: string, config: NodeConfig): Promise<void> {
  await writeFile(join(dir, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
}

async function writeCommonSecrets(dir: string, key: NodePrivateKey, link: GridLink): Promise<void> {
  await writeSecret(dir, 'node.key', base32Encode(serializeNodeKey(key)));
  await writeSecret(dir, 'introducer.link', formatGridLink(link));
  await writeSecret(dir, 'api_auth_token', base32Encode(randomBytes(32)));
  await writeSecret(dir, 'convergence', base32Encode(randomBytes(32)));
  await writeSecret(dir, 'secret', base32Encode(randomBytes(32)));
  await writeSecret(dir, ALIASES_FILE, `${DEFAULT_ALIAS}: ${formatCap(gridRootCap(link))}\n`);
}

export interface CreateIntroducerOptions {
  readonly listen: string;
  readonly nickname?: string;
  readonly encoding?: ShareEncoding;
  readonly gridName?: string;
  readonly webPort?: number;
}

/** Creates a new grid: its key, and the introducer's node (which also stores shares). */
export async function createIntroducerDirectory(dir: string, options: CreateIntroducerOptions): Promise<NodeDirectory> {
  parseListenAddress(options.listen);
  await ensureNewDirectory(dir);
  const listen = await pinListenAddress(options.listen);
  const key = await generateNodeKey();
  const peerId = peerIdOfKey(key).toString();
  const addresses = dialableAddresses(listen).map((a) => `${a}/p2p/${peerId}`);
  if (addresses.length === 0) throw new NodeDirectoryError(`no network interface matches ${listen}`);
  const link: GridLink = {
    introducerPeerId: peerId,
    introducerAddresses: addresses,
    gridKey: randomBytes(32),
    encoding: options.encoding ?? DEFAULT_ENCODING,
    rootSeed: randomBytes(32),
    ...(options.gridName === undefined ? {} : { gridName: options.gridName }),
  };
  const config: NodeConfig = {
    version: CONFIG_VERSION,
    nickname: options.nickname ?? 'introducer',
    listen: [listen],
    introducer: true,
    storage: { enabled: true, reservedSpace: 1_000_000_000 },
    web: { port: options.webPort ?? (await findFreePort()) },
  };
  await writeConfig(dir, config);
  await writeCommonSecrets(dir, key, link);
  return loadNodeDirectory(dir);
}

export interface CreateNodeOptions {
  readonly introducerLink: string;
  readonly listen?: string;
  readonly nickname?: string;
  readonly storage?: boolean;
  readonly reservedSpace?: number;
  readonly webPort?: number;
  readonly encoding?: ShareEncoding;
}

/** Creates a client + storage node that joins the grid named by the introducer link. */
export async function createNodeDirectory(dir: string, options: CreateNodeOptions): Promise<NodeDirectory> {
  const link = parseGridLink(options.introducerLink);
  const requested = options.listen ?? '/ip4/0.0.0.0/tcp/0';
  parseListenAddress(requested);
  await ensureNewDirectory(dir);
  const config: NodeConfig = {
    version: CONFIG_VERSION,
    nickname: options.nickname ?? 'node',
    listen: [await pinListenAddress(requested)],
    introducer: false,
    storage: { enabled: options.storage ?? true, reservedSpace: options.reservedSpace ?? 1_000_000_000 },
    web: { port: options.webPort ?? (await findFreePort()) },
    ...(options.encoding === undefined ? {} : { shares: options.encoding }),
  };
  await writeConfig(dir, config);
  await writeCommonSecrets(dir, await generateNodeKey(), link);
  return loadNodeDirectory(dir);
}

async function readText(dir: string, path: string, what: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    throw new NodeDirectoryError(`${dir} is not a Cairn node directory: cannot read ${what} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

function secretBytes(text: string, name: string, size: number): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = base32Decode(text);
  } catch {
    throw new NodeDirectoryError(`private/${name} is damaged (not base32)`);
  }
  if (bytes.length !== size) throw new NodeDirectoryError(`private/${name} must hold ${size} bytes, found ${bytes.length}`);
  return bytes;
}

function checkConfig(raw: unknown, dir: string): NodeConfig {
  const config = raw as Partial<NodeConfig>;
  const fail = (what: string): never => {
    throw new NodeDirectoryError(`${join(dir, CONFIG_FILE)}: ${what}`);
  };
  if (typeof raw !== 'object' || raw === null) fail('not a JSON object');
  if (config.version !== CONFIG_VERSION) fail(`unsupported config version ${String(config.version)} (this Cairn reads version ${CONFIG_VERSION})`);
  if (typeof config.nickname !== 'string' || config.nickname.length > 64) fail('"nickname" must be a string of at most 64 characters');
  if (!Array.isArray(config.listen)) fail('"listen" must be a list of multiaddrs');
  for (const address of config.listen ?? []) {
    try {
      parseListenAddress(address);
    } catch (error) {
      fail(`"listen": ${(error as Error).message}`);
    }
  }
  if (typeof config.introducer !== 'boolean') fail('"introducer" must be true or false');
  const storage = config.storage;
  if (typeof storage?.enabled !== 'boolean' || !Number.isSafeInteger(storage.reservedSpace) || storage.reservedSpace < 0) {
    fail('"storage" must be { "enabled": true|false, "reservedSpace": bytes }');
  }
  try {
    leaseExpirySettings(storage!.leaseExpiry);
  } catch (error) {
    fail((error as Error).message);
  }
  const port = config.web?.port;
  if (!Number.isInteger(port) || port! < 1 || port! > 65535) fail('"web.port" must be a TCP port from 1 to 65535');
  try {
    checkBackupJobs(config.backupJobs);
    durabilitySettings((config as { backupDurability?: unknown }).backupDurability);
  } catch (error) {
    fail((error as Error).message);
  }
  return config as NodeConfig;
}

/** Reads and checks a node directory; every problem is a clear NodeDirectoryError. */
export async function loadNodeDirectory(dir: string): Promise<NodeDirectory> {
  const configText = await readText(dir, join(dir, CONFIG_FILE), CONFIG_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(configText);
  } catch (error) {
    throw new NodeDirectoryError(`${join(dir, CONFIG_FILE)} is not valid JSON: ${(error as Error).message}`);
  }
  const config = checkConfig(raw, dir);
  const keyText = await readText(dir, privatePath(dir, 'node.key'), 'private/node.key');
  let nodeKey: NodePrivateKey;
  try {
    nodeKey = parseNodeKey(base32Decode(keyText));
  } catch (error) {
    throw new NodeDirectoryError(`private/node.key is damaged: ${(error as Error).message}`);
  }
  let gridLink: GridLink;
  try {
    gridLink = parseGridLink(await readText(dir, privatePath(dir, 'introducer.link'), 'private/introducer.link'));
  } catch (error) {
    if (error instanceof NodeDirectoryError) throw error;
    throw new NodeDirectoryError(`private/introducer.link: ${(error as Error).message}`);
  }
  return {
    dir,
    config,
    nodeKey,
    gridLink,
    apiToken: await readText(dir, privatePath(dir, 'api_auth_token'), 'private/api_auth_token'),
    convergenceSecret: secretBytes(await readText(dir, privatePath(dir, 'convergence'), 'private/convergence'), 'convergence', 32),
    leaseSecret: secretBytes(await readText(dir, privatePath(dir, 'secret'), 'private/secret'), 'secret', 32),
  };
}

/** The encoding this node uploads with: its own override, else the grid's. */
export function uploadEncoding(node: NodeDirectory): ShareEncoding {
  return node.config.shares ?? node.gridLink.encoding;
}
