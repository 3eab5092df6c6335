import { open, type FileHandle } from 'node:fs/promises';
import { concatBytes } from '../core/bytes.js';
import {
  CONTAINER_HEADER_SIZE,
  LEASE_COUNT_OFFSET,
  SHARE_DATA_OFFSET,
  encodeLeaseCount,
  leaseOffset,
  parseContainerHeader,
  secretStorageOf,
  shareDataLength,
  type ContainerHeader,
} from './immutable-container.js';
import { IMMUTABLE_LEASE_RECORD_SIZE, encodeImmutableLease, parseImmutableLease, type LeaseRecord, type SecretStorage } from './lease-record.js';

/** What a final immutable share file holds, read in one go (header and leases, not the data). */
export interface ShareFileState {
  readonly path: string;
  readonly header: ContainerHeader;
  readonly dataLength: number;
  readonly leases: readonly LeaseRecord[];
  readonly secretStorage: SecretStorage;
}

export async function readShareFileState(path: string): Promise<ShareFileState> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const header = parseContainerHeader(await readAt(handle, 0, CONTAINER_HEADER_SIZE));
    const dataLength = shareDataLength(size, header);
    const area = await readAt(handle, leaseOffset(dataLength, 0), IMMUTABLE_LEASE_RECORD_SIZE * header.leaseCount);
    const leases: LeaseRecord[] = [];
    for (let i = 0; i < header.leaseCount; i++) {
      leases.push(parseImmutableLease(area.subarray(i * IMMUTABLE_LEASE_RECORD_SIZE, (i + 1) * IMMUTABLE_LEASE_RECORD_SIZE)));
    }
    return { path, header, dataLength, leases, secretStorage: secretStorageOf(header.version) };
  } finally {
    await handle.close();
  }
}

/** Share-data length of a file, from its size and lease count alone. */
export async function readShareDataLength(path: string): Promise<number> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    return shareDataLength(size, parseContainerHeader(await readAt(handle, 0, CONTAINER_HEADER_SIZE)));
  } finally {
    await handle.close();
  }
}

/** Reads share data; `dataLength` bounds it so a read never returns lease bytes. */
export async function readShareData(path: string, dataLength: number, offset: number, length: number): Promise<Uint8Array> {
  const end = Math.min(dataLength, offset + length);
  if (offset >= end) return new Uint8Array(0);
  const handle = await open(path, 'r');
  try {
    return await readAt(handle, SHARE_DATA_OFFSET + offset, end - offset);
  } finally {
    await handle.close();
  }
}

/**
 * Replaces the lease area with `leases`. Records go first, then the count, then any
 * truncation: a crash in between leaves at worst stray bytes *after* the share data
 * (which readers never look at), never a share whose data looks shorter.
 */
export async function writeLeases(state: ShareFileState, leases: readonly LeaseRecord[]): Promise<void> {
  const handle = await open(state.path, 'r+');
  try {
    if (leases.length > 0) {
      await writeAt(handle, leaseOffset(state.dataLength, 0), concatBytes(leases.map(encodeImmutableLease)));
      await handle.datasync();
    }
    if (leases.length !== state.leases.length) {
      await writeAt(handle, LEASE_COUNT_OFFSET, encodeLeaseCount(leases.length));
      if (leases.length < state.leases.length) await handle.truncate(leaseOffset(state.dataLength, leases.length));
      await handle.datasync();
    }
  } finally {
    await handle.close();
  }
}

export async function readAt(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(out, done, length - done, position + done);
    if (bytesRead === 0) return out.subarray(0, done);
    done += bytesRead;
  }
  return out;
}

export async function writeAt(handle: FileHandle, position: number, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/** Writes the chunks one after another from `position`, with as few system calls as it can. */
export async function writeChunksAt(handle: FileHandle, position: number, chunks: readonly Uint8Array[]): Promise<void> {
  if (chunks.length === 1) return writeAt(handle, position, chunks[0]!);
  const total = chunks.reduce((sum, c) => sum + c.length, 0);
  const { bytesWritten } = await handle.writev(chunks as Uint8Array[], position);
  if (bytesWritten === total) return;
  // a short writev: write the rest chunk by chunk
  let skip = bytesWritten;
  let at = position + bytesWritten;
  for (const chunk of chunks) {
    if (skip >= chunk.length) {
      skip -= chunk.length;
      continue;
    }
    await writeAt(handle, at, chunk.subarray(skip));
    at += chunk.length - skip;
    skip = 0;
  }
}
