// Directory operations as the node offers them: a starting directory cap and a
// "/"-separated path, on top of grid/vdrive. It also knows the grid's shared root, which
// reads as empty until its first write publishes it.
import type { Cap, DirectoryCap } from '../../src-shared/caps/index.js';
import { equalBytes } from '../core/bytes.js';
import type { MutableWriterKeys } from '../core/mutable/index.js';
import { NotEnoughSharesFoundError } from '../grid/errors.js';
import { MutableConflictError, createMutable } from '../grid/mutable/index.js';
import {
  DirectoryPathError,
  NoSuchChildError,
  NotADirectoryError,
  createDirectory,
  linkChild,
  listDirectory,
  mkdirChild,
  moveChild,
  resolvePath,
  splitPath,
  unlinkChild,
  type DirectoryEntry,
  type LinkMetadata,
  type ResolvedPath,
  type VdriveOptions,
  createDirectoryWithChildren,
  type InitialChild,
} from '../grid/vdrive/index.js';

export interface NodeVdriveContext {
  /** the grid as it is now (servers connected at the time of the call) */
  readonly options: () => VdriveOptions;
  /** the grid's shared root directory and the keys of its first publish */
  readonly root: { readonly cap: DirectoryCap; readonly keys: MutableWriterKeys };
}

/** A path split into the directory that holds its last name, and that name. */
interface ParentAndName {
  readonly parent: DirectoryCap;
  readonly name: string;
}

export class NodeVdrive {
  constructor(private readonly context: NodeVdriveContext) {}

  /** What `path` names from `dir` (the directory itself for ""). */
  async resolve(dir: DirectoryCap, path: string): Promise<ResolvedPath> {
    const names = splitPath(path);
    try {
      return await resolvePath(dir, path, this.context.options());
    } catch (error) {
      if (!this.unpublishedRoot(dir, error)) throw error;
      if (names.length === 0) return { cap: dir, names };
      throw new NoSuchChildError(names[0]!, `no child named ${JSON.stringify(names[0])} in the starting directory (the grid's shared directory is still empty)`);
    }
  }

  async list(dir: DirectoryCap): Promise<DirectoryEntry[]> {
    try {
      return await listDirectory(dir, this.context.options());
    } catch (error) {
      if (this.unpublishedRoot(dir, error)) return [];
      throw error;
    }
  }

  createDirectory(children: readonly InitialChild[] = []): Promise<DirectoryCap> {
    if (children.length === 0) return createDirectory(this.context.options());
    return createDirectoryWithChildren(children, this.context.options());
  }

  /** Makes an empty directory at `path` (its parent must exist); returns its write cap. */
  async mkdir(dir: DirectoryCap, path: string): Promise<DirectoryCap> {
    const { parent, name } = await this.parentOf(dir, path, 'make a directory');
    return this.writing([parent], () => mkdirChild(parent, name, this.context.options()));
  }

  /** Links `cap` at `path` (its parent must exist). */
  async link(dir: DirectoryCap, path: string, cap: Cap, options: { overwrite: boolean; metadata?: LinkMetadata }): Promise<void> {
    const { parent, name } = await this.parentOf(dir, path, 'link');
    await this.writing([parent], () => linkChild(parent, name, cap, { ...this.context.options(), ...options }));
  }

  /** Removes the link at `path`; returns the entry removed. */
  async unlink(dir: DirectoryCap, path: string): Promise<DirectoryEntry> {
    const { parent, name } = await this.parentOf(dir, path, 'unlink');
    return this.writing([parent], () => unlinkChild(parent, name, this.context.options()));
  }

  /** Moves (or renames) the child at `fromPath` to `toPath`; both parents must exist. */
  async move(from: DirectoryCap, fromPath: string, to: DirectoryCap, toPath: string, options: { overwrite: boolean }): Promise<void> {
    const source = await this.parentOf(from, fromPath, 'move');
    const target = await this.parentOf(to, toPath, 'move to');
    await this.writing([source.parent, target.parent], () => moveChild(source.parent, source.name, target.parent, target.name, { ...this.context.options(), ...options }));
  }

  /** Resolves all but the last name of `path` to a directory. */
  async parentOf(dir: DirectoryCap, path: string, what: string): Promise<ParentAndName> {
    const names = splitPath(path);
    const name = names.pop();
    if (name === undefined) throw new DirectoryPathError(`cannot ${what} the starting directory itself: the path needs a child name`);
    const parent = await this.resolve(dir, names.join('/'));
    if (parent.cap.kind !== 'dir') throw new NotADirectoryError(`${JSON.stringify(names.join('/'))} is a file, not a directory: it cannot hold ${JSON.stringify(name)}`);
    return { parent: parent.cap, name };
  }

  /**
   * Whether a check that found no share at all of `cap` only says that the shared root is
   * unpublished (believed, as for reads, only when at least "happy" servers are connected).
   */
  unpublishedRootChecked(cap: Cap, sharesSeen: number): boolean {
    const options = this.context.options();
    return cap.kind === 'dir' && this.isRoot(cap) && sharesSeen === 0 && options.servers.length >= options.encoding.happy;
  }

  private isRoot(dir: DirectoryCap): boolean {
    const root = this.context.root.cap.file;
    return 'fingerprint' in dir.file && 'fingerprint' in root && equalBytes(dir.file.fingerprint, root.fingerprint);
  }

  /**
   * Whether `error` only says that the shared root has no shares yet. Believed only when at
   * least "happy" servers answer: a node that sees too little of the grid must not take
   * the root for empty.
   */
  private unpublishedRoot(dir: DirectoryCap, error: unknown): boolean {
    if (!(error instanceof NotEnoughSharesFoundError) || !this.isRoot(dir)) return false;
    const options = this.context.options();
    return options.servers.length >= options.encoding.happy;
  }

  /** Runs a change; if it failed because the shared root is unpublished, publishes it empty and runs the change again. */
  private async writing<T>(dirs: readonly DirectoryCap[], change: () => Promise<T>): Promise<T> {
    try {
      return await change();
    } catch (error) {
      const root = dirs.find((dir) => this.unpublishedRoot(dir, error));
      if (root === undefined) throw error;
      await this.publishRoot();
      return change();
    }
  }

  private async publishRoot(): Promise<void> {
    try {
      await createMutable(new Uint8Array(0), { ...this.context.options(), keys: this.context.root.keys });
    } catch (error) {
      // Another member published it first: what it wrote is the root now.
      if (!(error instanceof MutableConflictError)) throw error;
    }
  }
}
