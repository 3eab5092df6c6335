// What was dropped: plain files, and the files and folders inside dropped folders (read
// through the File and Directory Entries API where the browser offers it).
import type { DroppedFile } from '../stores/uploads-store.js';

export interface Dropped {
  readonly files: DroppedFile[];
  /** folders to make, relative to the drop target, parents first */
  readonly folders: string[];
}

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function walk(entry: FileSystemEntry, parent: string, into: Dropped): Promise<void> {
  if (entry.isFile) {
    into.files.push({ file: await fileOf(entry as FileSystemFileEntry), relativeDirectory: parent });
    return;
  }
  const folder = parent === '' ? entry.name : `${parent}/${entry.name}`;
  into.folders.push(folder);
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries answers in batches until an empty one
  for (let batch = await readEntries(reader); batch.length > 0; batch = await readEntries(reader)) {
    for (const child of batch) await walk(child, folder, into);
  }
}

export async function droppedFilesOf(transfer: DataTransfer): Promise<Dropped> {
  const dropped: Dropped = { files: [], folders: [] };
  const entries = [...transfer.items].map((item) => (item.kind === 'file' ? item.webkitGetAsEntry() : null));
  if (entries.length > 0 && entries.every((entry) => entry !== null)) {
    for (const entry of entries) await walk(entry!, '', dropped);
    return dropped;
  }
  // a drop made by a page script, or a browser without entries: the files themselves
  for (const file of transfer.files) dropped.files.push({ file, relativeDirectory: '' });
  return dropped;
}
