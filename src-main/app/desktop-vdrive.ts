import { formatCap, immutableFileSizeOf, isWriteCap, parseAnyCap, readOnlyCapOf } from '../../src-shared/caps/index.js';
import type { DirectoryListing, VdriveEntry } from '../../src-shared/ipc/index.js';
import type { DirectoryEntry } from '../grid/vdrive/index.js';
import { gridRootCap } from '../node/grid-root.js';
import type { NodeService } from '../node/node-service.js';

/**
 * The desktop app's Files requests on the grid's shared root (`cairn:`): paths are
 * "/"-separated names below it, already checked by the IPC validators.
 */
export class DesktopVdrive {
  constructor(private readonly service: NodeService) {}

  private get root() {
    return gridRootCap(this.service.node.gridLink);
  }

  async list(path: string): Promise<DirectoryListing> {
    const resolved = await this.service.resolvePath(this.root, path);
    if (resolved.cap.kind !== 'dir') throw new Error(`"${path}" is a file, not a folder`);
    const writable = isWriteCap(resolved.cap);
    const entries = (await this.service.listDirectory(resolved.cap)).map((entry) => entryView(path, entry, writable));
    entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'directory' ? -1 : 1));
    return { path, writable, entries };
  }

  async makeDirectory(path: string): Promise<void> {
    await this.service.makeDirectory(this.root, path);
  }

  async rename(path: string, newName: string): Promise<void> {
    const slash = path.lastIndexOf('/');
    const target = slash < 0 ? newName : `${path.slice(0, slash)}/${newName}`;
    await this.service.move(this.root, path, this.root, target, { overwrite: false });
  }

  async remove(path: string): Promise<void> {
    await this.service.unlink(this.root, path);
  }

  async readOnlyCap(path: string): Promise<string> {
    const resolved = await this.service.resolvePath(this.root, path);
    return formatCap(readOnlyCapOf(resolved.cap));
  }
}

/** An immutable file's size, which its cap tells (a file linked by cap has no size metadata). */
function sizeOfCap(text: string): number | undefined {
  if (!text.startsWith('URI:CHK:') && !text.startsWith('URI:LIT:')) return undefined;
  return immutableFileSizeOf(parseAnyCap(text));
}

export function entryView(parent: string, entry: DirectoryEntry, parentWritable: boolean): VdriveEntry {
  const { metadata } = entry;
  const seconds = typeof metadata.mtime === 'number' ? metadata.mtime : metadata.cairn?.linkmotime;
  return {
    name: entry.name,
    path: parent === '' ? entry.name : `${parent}/${entry.name}`,
    kind: entry.isDirectory ? 'directory' : 'file',
    size: entry.isDirectory ? undefined : (sizeOfCap(entry.readCap) ?? (typeof metadata.size === 'number' ? metadata.size : undefined)),
    modifiedAt: typeof seconds === 'number' ? Math.round(seconds * 1000) : undefined,
    // an immutable file is renamed or removed through its (writable) directory
    writable: entry.writeCap !== undefined || (!entry.isDirectory && parentWritable),
  };
}
