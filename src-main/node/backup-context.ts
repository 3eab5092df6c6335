// The grid and vdrive access the backup engine (src-main/backup/) needs, as the node
// provides it: uploads with this node's encoding and convergence secret, its vdrive, and
// its databases under NODEDIR/private/backups.
import { join } from 'node:path';
import type { FileCap } from '../../src-shared/caps/index.js';
import type { BackupContext } from '../backup/backup-request.js';
import type { SegmentWorkerPool } from '../core/workers/segment-worker-pool.js';
import type { GridServer } from '../grid/grid-server.js';
import { createImmutableDirectory } from '../grid/vdrive/index.js';
import { uploadImmutable, type Uploadable } from '../grid/uploader.js';
import { readFileChunks } from './local-files.js';
import { uploadEncoding, type NodeDirectory } from './node-dir.js';
import type { NodeVdrive } from './node-vdrive.js';
import type { VdriveOptions } from '../grid/vdrive/index.js';
import { privateDir } from './node-files.js';

export interface BackupContextParts {
  readonly node: NodeDirectory;
  readonly servers: () => GridServer[];
  readonly vdrive: NodeVdrive;
  readonly vdriveOptions: () => VdriveOptions;
  readonly pool: SegmentWorkerPool;
  readonly download: (cap: FileCap) => AsyncIterable<Uint8Array>;
}

export const BACKUPS_DIR = 'backups';

export function nodeBackupContext(parts: BackupContextParts): BackupContext {
  const { node, vdrive } = parts;
  const upload = async (size: number, open: Uploadable['open'], onProgress?: (done: number) => void): Promise<FileCap> => {
    const result = await uploadImmutable(
      { size, open },
      {
        servers: parts.servers(),
        encoding: uploadEncoding(node),
        leaseSecret: node.leaseSecret,
        convergenceSecret: node.convergenceSecret,
        segmentEncoder: parts.pool,
        ...(onProgress === undefined ? {} : { onProgress }),
      },
    );
    return result.cap;
  };
  return {
    databaseDir: join(privateDir(node.dir), BACKUPS_DIR),
    uploadFile: (path, size, onProgress) => upload(size, (reading) => readFileChunks(path, reading?.chunkSize, reading?.allocate), onProgress),
    uploadBytes: (bytes) => upload(bytes.length, async function* () { yield bytes; }),
    createImmutableDirectory: (children) => createImmutableDirectory(children, parts.vdriveOptions()),
    resolve: (dir, path) => vdrive.resolve(dir, path),
    list: (dir) => vdrive.list(dir),
    mkdir: (dir, path) => vdrive.mkdir(dir, path),
    link: (dir, path, cap, options) => vdrive.link(dir, path, cap, options),
    download: parts.download,
  };
}
