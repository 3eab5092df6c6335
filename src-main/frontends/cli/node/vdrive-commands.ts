// Directory verbs, as Tahoe names them: ls, mkdir, rm, ln, mv.
import { formatSize } from '../../../node/sizes.js';
import { callApi, defaultNodeDir, nodeEndpoint, readAll, type NodeEndpoint } from '../api-client.js';
import { childPath, lastName, parseGridPath, uriOf, type GridPath } from '../grid-path.js';
import { capOfNode, nodeInfo, nodeInfoIfAny, type NodeJson } from '../grid-nodes.js';
import { UsageError, parseCommandArgs, print, type Command } from '../usage.js';
import { gridPathHelp, nodeDirHelp, nodeDirOption } from './node-dir-option.js';

function formatTime(seconds: number | undefined): string {
  return seconds === undefined ? '-'.padEnd(19) : new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/** One `ls -l` line: type and access, size, link time, name. */
function longLine(name: string, [type, fields]: NodeJson): string {
  const access = `${type === 'dirnode' ? 'd' : '-'}${fields.rw_uri === undefined ? 'r-' : 'rw'}`;
  const size = type === 'dirnode' ? '-' : formatSize(fields.size ?? fields.metadata?.size ?? 0);
  return `${access} ${size.padStart(9)} ${formatTime(fields.metadata?.cairn?.linkmotime ?? fields.metadata?.mtime)} ${name}`;
}

export const lsCommand: Command = {
  name: 'ls',
  usage: `usage: cairn ls [--node-dir DIR] [-l] [--json] [PATH]

Lists the directory at PATH (default "cairn:"), one name a line; a file lists as its name.
  -l       also type and access (d: directory, rw: writable), size and link time
  --json   the web API's t=json answer (caps included: they are secrets)
${gridPathHelp}

${nodeDirHelp}`,
  async run(args) {
    const { values, positionals } = parseCommandArgs(this, args, { ...nodeDirOption, long: { type: 'boolean', short: 'l' }, json: { type: 'boolean' } });
    if (values.help) return print(this.usage);
    if (positionals.length > 1) throw new UsageError('expected at most one PATH', this.usage);
    const nodeDir = values['node-dir'] ?? defaultNodeDir();
    const target = await parseGridPath(positionals[0] ?? 'cairn:', nodeDir);
    const info = await nodeInfo(await nodeEndpoint(nodeDir), target);
    if (values.json) return print(JSON.stringify(info, null, 2));
    const entries: Array<[string, NodeJson]> = info[0] === 'dirnode' ? Object.entries(info[1].children ?? {}) : [[lastName(target.path) || target.cap, info]];
    for (const [name, child] of entries) print(values.long ? longLine(name, child) : name);
  },
};

export const mkdirCommand: Command = {
  name: 'mkdir',
  usage: `usage: cairn mkdir [--node-dir DIR] [PATH]

Makes an empty directory at PATH (the directory holding it must exist) and prints its
write cap. Without PATH the new directory is linked nowhere: keep the cap (or use
"cairn create-alias").
${gridPathHelp}

${nodeDirHelp}`,
  async run(args) {
    const { values, positionals } = parseCommandArgs(this, args, nodeDirOption);
    if (values.help) return print(this.usage);
    if (positionals.length > 1) throw new UsageError('expected at most one PATH', this.usage);
    const nodeDir = values['node-dir'] ?? defaultNodeDir();
    const target = positionals[0] === undefined ? undefined : await parseGridPath(positionals[0], nodeDir);
    if (target !== undefined && target.path === '') throw new UsageError(`"${target.text}" names an existing directory: give alias:dir/newname`, this.usage);
    const endpoint = await nodeEndpoint(nodeDir);
    const response = target === undefined ? await callApi(endpoint, 'POST', '/uri?t=mkdir') : await callApi(endpoint, 'PUT', uriOf(target, 't=mkdir'));
    print((await readAll(response)).trim());
  },
};

export const rmCommand: Command = {
  name: 'rm',
  usage: `usage: cairn rm [--node-dir DIR] PATH

Removes the name at PATH from its directory. What it named stays on the grid (anyone
holding its cap still reads it) until no lease keeps it.
${gridPathHelp}

${nodeDirHelp}`,
  async run(args) {
    const { values, positionals } = parseCommandArgs(this, args, nodeDirOption);
    if (values.help) return print(this.usage);
    if (positionals.length !== 1) throw new UsageError('expected one PATH', this.usage);
    const nodeDir = values['node-dir'] ?? defaultNodeDir();
    const target = await parseGridPath(positionals[0]!, nodeDir);
    if (target.path === '') throw new UsageError(`"${target.text}" is not a name in a directory: give alias:dir/name`, this.usage);
    await readAll(await callApi(await nodeEndpoint(nodeDir), 'DELETE', uriOf(target)));
  },
};

/** Where FROM goes for ln and mv: into TO when TO is a directory, else at TO itself. */
async function destinationOf(endpoint: NodeEndpoint, from: GridPath, to: GridPath): Promise<GridPath> {
  const existing = await nodeInfoIfAny(endpoint, to);
  if (to.text.endsWith('/') && existing?.[0] !== 'dirnode') throw new Error(`${to.text} is not an existing directory`);
  if (existing?.[0] === 'dirnode' || to.path === '') {
    const name = lastName(from.path);
    if (name === '') throw new UsageError(`"${from.text}" is not a name in a directory: there is no name to give it in "${to.text}"`);
    return { ...to, path: childPath(to.path, name) };
  }
  return to;
}

function parentOf(target: GridPath): GridPath {
  const names = target.path.replace(/\/+$/, '').split('/');
  names.pop();
  return { ...target, path: names.join('/') };
}

export const lnCommand: Command = {
  name: 'ln',
  usage: `usage: cairn ln [--node-dir DIR] FROM TO

Links the file or directory at FROM (a path or a cap) at TO as well; when TO is a
directory it goes in under FROM's name. Nothing is copied: both names lead to the same cap.
${gridPathHelp}

${nodeDirHelp}`,
  async run(args) {
    const { values, positionals } = parseCommandArgs(this, args, nodeDirOption);
    if (values.help) return print(this.usage);
    if (positionals.length !== 2) throw new UsageError('expected FROM and TO', this.usage);
    const nodeDir = values['node-dir'] ?? defaultNodeDir();
    const [from, to] = await Promise.all(positionals.map((p) => parseGridPath(p, nodeDir)));
    const endpoint = await nodeEndpoint(nodeDir);
    const cap = from!.path === '' ? from!.cap : capOfNode(await nodeInfo(endpoint, from!));
    const target = await destinationOf(endpoint, from!, to!);
    await readAll(await callApi(endpoint, 'PUT', uriOf(target, 't=uri'), { data: cap }));
  },
};

export const mvCommand: Command = {
  name: 'mv',
  usage: `usage: cairn mv [--node-dir DIR] FROM TO

Moves the name at FROM to TO (in one directory, a rename); when TO is a directory it
goes in under its own name. It is linked at TO before it is unlinked from FROM, so a
failure between the two leaves it in both places, never in neither.
${gridPathHelp}

${nodeDirHelp}`,
  async run(args) {
    const { values, positionals } = parseCommandArgs(this, args, nodeDirOption);
    if (values.help) return print(this.usage);
    if (positionals.length !== 2) throw new UsageError('expected FROM and TO', this.usage);
    const nodeDir = values['node-dir'] ?? defaultNodeDir();
    const [from, to] = await Promise.all(positionals.map((p) => parseGridPath(p, nodeDir)));
    if (from!.path === '') throw new UsageError(`"${from!.text}" is not a name in a directory: nothing to move`, this.usage);
    const endpoint = await nodeEndpoint(nodeDir);
    const target = await destinationOf(endpoint, from!, to!);
    const targetParent = parentOf(target);
    const toDir = targetParent.path === '' ? targetParent.cap : `${targetParent.cap}/${targetParent.path}`;
    const query = new URLSearchParams({ t: 'relink', from_name: lastName(from!.path), to_dir: toDir, to_name: lastName(target.path) });
    await readAll(await callApi(endpoint, 'POST', uriOf(parentOf(from!), query.toString())));
  },
};
