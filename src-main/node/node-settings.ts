// The node's own settings as the Settings screen sees them: nickname, reserved space and the
// upload encoding. A change is written to cairn.json atomically (every other key kept as it
// was) and then applied to the running node at once: the next upload uses the new encoding,
// the storage server keeps the new reserved space free, and the next announcement carries
// the new nickname. The web API (PATCH /settings) and the desktop app both come here.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../src-shared/ipc/index.js';
import type { EncodingView, SettingsPatch } from '../../src-shared/ipc/index.js';
import { writeFileAtomically } from './atomic-write.js';
import { withConfigFileLock } from './config-file-lock.js';
import { uploadEncoding, type NodeConfig, type NodeDirectory } from './node-dir.js';
import { CONFIG_FILE } from './node-files.js';

/** The node-level part of the contract's SettingsView (launch at login is the desktop app's). */
export interface NodeSettingsView {
  readonly nickname: string;
  /** bytes kept free on this disk; undefined when this node stores no shares */
  readonly reservedSpace: number | undefined;
  readonly encoding: EncodingView;
}

export type NodeSettingsPatch = Pick<SettingsPatch, 'nickname' | 'reservedSpace' | 'encoding'>;

/** What NodeSettings changes: the running node's directory, and how to apply a new config to it. */
export interface SettingsTarget {
  readonly node: NodeDirectory;
  applyConfig(config: NodeConfig): void;
}

export class NodeSettings {
  constructor(private readonly target: SettingsTarget) {}

  view(): NodeSettingsView {
    const { node } = this.target;
    const encoding = uploadEncoding(node);
    return {
      nickname: node.config.nickname,
      reservedSpace: node.config.storage.enabled ? node.config.storage.reservedSpace : undefined,
      encoding: { needed: encoding.needed, happy: encoding.happy, total: encoding.total },
    };
  }

  /**
   * Saves and applies a patch already checked by the contract's validateSettingsPatch.
   * Throws InputError (and changes nothing) for what this node cannot take.
   */
  update(patch: NodeSettingsPatch): Promise<NodeSettingsView> {
    // one change of cairn.json at a time (also against backup jobs' changes)
    return withConfigFileLock(this.target.node.dir, () => this.apply(patch));
  }

  private async apply(patch: NodeSettingsPatch): Promise<NodeSettingsView> {
    const { config, dir } = this.target.node;
    if (patch.reservedSpace !== undefined && !config.storage.enabled) {
      throw new InputError('this node stores no shares for the grid, so it has no reserved space to set');
    }
    if (patch.nickname === undefined && patch.reservedSpace === undefined && patch.encoding === undefined) return this.view();
    const changed: NodeConfig = {
      ...config,
      ...(patch.nickname === undefined ? {} : { nickname: patch.nickname }),
      ...(patch.reservedSpace === undefined ? {} : { storage: { ...config.storage, reservedSpace: patch.reservedSpace } }),
      ...(patch.encoding === undefined ? {} : { shares: patch.encoding }),
    };
    // Rewrite the file as it is on disk (it may hold keys this version does not model).
    const path = join(dir, CONFIG_FILE);
    const onDisk = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    const storage = (typeof onDisk.storage === 'object' && onDisk.storage !== null ? onDisk.storage : {}) as Record<string, unknown>;
    const written = {
      ...onDisk,
      nickname: changed.nickname,
      storage: { ...storage, reservedSpace: changed.storage.reservedSpace },
      ...(changed.shares === undefined ? {} : { shares: changed.shares }),
    };
    await writeFileAtomically(path, [new TextEncoder().encode(`${JSON.stringify(written, null, 2)}\n`)]);
    this.target.applyConfig(changed);
    return this.view();
  }
}
