// `cairn cp [-r] SRC… DEST`: copies between local files and the grid, both ways (and
// within the grid, where an immutable file is copied by linking its cap).
import { mkdir, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseAnyCap } from '../../../../src-shared/caps/index.js';
import { callApi, defaultNodeDir, nodeEndpoint, readAll, type NodeEndpoint } from '../api-client.js';
import { uploadLocalFile } from '../local-upload.js';
import { childPath, isGridArgument, lastName, parseGridPath, uriOf, type GridPath } from '../grid-path.js';
import { downloadFile } from '../download.js';
import { capOfNode, nodeInfo, nodeInfoIfAny, type NodeJson } from '../grid-nodes.js';
import { UsageError, parseCommandArgs, print, type Command } from '../usage.js';
import { gridPathHelp, nodeDirHelp, nodeDirOption } from './node-dir-option.js';

type Place = { readonly kind: 'local'; readonly path: string } | { readonly kind: 'grid'; readonly at: GridPath };

interface Copier {
  readonly endpoint: NodeEndpoint;
  readonly recursive: boolean;
}

function describe(place: Place): string {
  return place.kind === 'local' ? place.path : place.at.text;
}

function nameOf(place: Place): string {
  const name = place.kind === 'local' ? basename(place.path.replace(/\/+$/, '')) : lastName(place.at.path);
  if (name === '' || name === '.' || name === '..') throw new UsageError(`${describe(place)} has no name to copy it under: give DEST the name to use`);
  return name;
}

function inside(place: Place, name: string): Place {
  if (place.kind === 'local') return { kind: 'local', path: join(place.path, name) };
  return { kind: 'grid', at: { ...place.at, path: childPath(place.at.path, name), text: `${place.at.text.replace(/\/+$/, '')}/${name}` } };
}

/** 'dir', 'file', or undefined when nothing is there. */
async function kindAt(copier: Copier, place: Place): Promise<'dir' | 'file' | undefined> {
  if (place.kind === 'local') {
    const info = await stat(place.path).catch(() => undefined);
    return info === undefined ? undefined : info.isDirectory() ? 'dir' : 'file';
  }
  if (place.at.path === '') return parseAnyCap(place.at.cap).kind === 'dir' ? 'dir' : 'file';
  const info = await nodeInfoIfAny(copier.endpoint, place.at);
  return info === undefined ? undefined : info[0] === 'dirnode' ? 'dir' : 'file';
}

async function copyFile(copier: Copier, from: Place, to: Place, info: NodeJson | undefined): Promise<void> {
  const { endpoint } = copier;
  if (from.kind === 'local' && to.kind === 'local') throw new UsageError('cp copies to or from the grid: SRC or DEST must be a grid path (alias:… or URI:…)');
  if (from.kind === 'local' && to.kind === 'grid') {
    await readAll(await uploadLocalFile(endpoint, from.path, (query) => uriOf(to.at, query)));
  } else if (from.kind === 'grid' && to.kind === 'local') {
    await downloadFile(endpoint, from.at, to.path);
  } else if (from.kind === 'grid' && to.kind === 'grid') {
    const fields = (info ?? (await nodeInfo(endpoint, from.at)))[1];
    if (fields.mutable === true) throw new Error(`${from.at.text} is a mutable file: "cairn ln" links it, or copy it through a local file`);
    await readAll(await callApi(endpoint, 'PUT', uriOf(to.at, 't=uri'), { data: from.at.path === '' ? from.at.cap : capOfNode([ 'filenode', fields ]) }));
  }
}

async function makeDirectory(copier: Copier, place: Place): Promise<void> {
  const existing = await kindAt(copier, place);
  if (existing === 'dir') return;
  if (existing === 'file') throw new Error(`${describe(place)} is a file: cannot copy a directory onto it`);
  if (place.kind === 'local') await mkdir(place.path);
  else await readAll(await callApi(copier.endpoint, 'PUT', uriOf(place.at, 't=mkdir')));
}

/** The children of a directory, with what is known of each without asking again. */
async function childrenOf(copier: Copier, place: Place): Promise<Array<[string, NodeJson | undefined]>> {
  if (place.kind === 'local') return (await readdir(place.path)).sort().map((name) => [name, undefined]);
  return Object.entries((await nodeInfo(copier.endpoint, place.at))[1].children ?? {});
}

async function copy(copier: Copier, from: Place, to: Place, info?: NodeJson): Promise<void> {
  const kind = info === undefined ? await kindAt(copier, from) : info[0] === 'dirnode' ? 'dir' : 'file';
  if (kind === undefined) throw new Error(`${describe(from)}: no such file or directory`);
  if (kind === 'file') return copyFile(copier, from, to, info);
  if (!copier.recursive) throw new UsageError(`${describe(from)} is a directory: copy it with "cp -r"`);
  await makeDirectory(copier, to);
  for (const [name, child] of await childrenOf(copier, from)) await copy(copier, inside(from, name), inside(to, name), child);
}

export const cpCommand: Command = {
  name: 'cp',
  usage: `usage: cairn cp [--node-dir DIR] [-r] SRC… DEST

Copies local files to the grid, grid files to local files, or grid files to other grid
paths (an immutable file is copied by linking its cap). A path that starts with an alias
("cairn:…") or "URI:" is on the grid; anything else is local ("./a:b" for a local name
with a colon). When DEST is an existing directory, or ends with "/", or there are several
SRCs, each goes into DEST under its own name.
  -r, --recursive   copy directories and everything in them
${gridPathHelp}

${nodeDirHelp}`,
  async run(args) {
    const { values, positionals } = parseCommandArgs(this, args, { ...nodeDirOption, recursive: { type: 'boolean', short: 'r' } });
    if (values.help) return print(this.usage);
    if (positionals.length < 2) throw new UsageError('expected SRC and DEST', this.usage);
    const nodeDir = values['node-dir'] ?? defaultNodeDir();
    const place = async (text: string): Promise<Place> => (isGridArgument(text) ? { kind: 'grid', at: await parseGridPath(text, nodeDir) } : { kind: 'local', path: text });
    const places = await Promise.all(positionals.map(place));
    const dest = places.pop()!;
    if (places.every((p) => p.kind === 'local') && dest.kind === 'local') throw new UsageError('cp copies to or from the grid: SRC or DEST must be a grid path (alias:… or URI:…)', this.usage);
    const copier: Copier = { endpoint: await nodeEndpoint(nodeDir), recursive: values.recursive === true };
    const destText = positionals.at(-1)!;
    const into = places.length > 1 || destText.endsWith('/') || (dest.kind === 'grid' && dest.at.path === '') || (await kindAt(copier, dest)) === 'dir';
    if (into && (await kindAt(copier, dest)) !== 'dir') throw new Error(`${destText} is not an existing directory: the copies have nowhere to go`);
    for (const from of places) await copy(copier, from, into ? inside(dest, nameOf(from)) : dest);
  },
};
