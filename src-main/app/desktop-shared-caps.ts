import { formatCap, immutableFileSizeOf, parseAnyCap, readOnlyCapOf, type Cap } from '../../src-shared/caps/index.js';
import { formatShareLink, type SharedEntryView, type ShareLink } from '../../src-shared/ipc/index.js';
import { gridRootCap } from '../node/grid-root.js';
import type { NodeService } from '../node/node-service.js';
import { entryView } from './desktop-vdrive.js';

/**
 * The desktop app's share links: making one for an entry of `cairn:`, and opening what a
 * friend shared (a read cap, already checked by the IPC validators): what it points at, and
 * linking it into `cairn:`. Saving a shared file's bytes is DesktopTransfers.saveCap.
 */
export class DesktopSharedCaps {
  constructor(private readonly service: NodeService) {}

  private get root() {
    return gridRootCap(this.service.node.gridLink);
  }

  async shareLink(path: string): Promise<ShareLink> {
    const resolved = await this.service.resolvePath(this.root, path);
    const readCap = formatCap(readOnlyCapOf(resolved.cap));
    const name = path.slice(path.lastIndexOf('/') + 1);
    return { name, readCap, link: formatShareLink(readCap, name) };
  }

  /** The cap of the entry at `path` below the shared `readCap` ("" is the cap itself). */
  async resolve(readCap: string, path: string): Promise<Cap> {
    const cap = parseAnyCap(readCap);
    if (path === '') return cap;
    if (cap.kind !== 'dir') throw new Error('the shared cap names a file, not a folder: there is nothing below it');
    return (await this.service.resolvePath(cap, path)).cap;
  }

  async open(readCap: string, path: string): Promise<SharedEntryView> {
    const cap = await this.resolve(readCap, path);
    if (cap.kind === 'dir') {
      // a shared folder is shown read-only, whatever the cap could do
      const entries = (await this.service.listDirectory(cap)).map((entry) => ({ ...entryView(path, entry, false), writable: false }));
      entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'directory' ? -1 : 1));
      return { kind: 'directory', listing: { path, writable: false, entries } };
    }
    return { kind: 'file', size: immutableFileSizeOf(cap) };
  }

  /** Links the shared cap into `cairn:` as `directoryPath/name`; refused if the name exists. */
  async link(readCap: string, directoryPath: string, name: string): Promise<void> {
    const path = directoryPath === '' ? name : `${directoryPath}/${name}`;
    await this.service.link(this.root, path, parseAnyCap(readCap), { overwrite: false });
  }
}
