// Verbs over a whole directory tree: manifest and deep-check (streamed JSON lines).
import type { IncomingMessage } from 'node:http';
import { createInterface } from 'node:readline';
import type { ManifestEntry } from '../../../node/manifest.js';
import type { DeepCheckEntry } from '../../web/node-api.js';
import { callApi, defaultNodeDir, nodeEndpoint } from '../api-client.js';
import { parseGridPath, uriOf } from '../grid-path.js';
import { UsageError, parseCommandArgs, print, type Command } from '../usage.js';
import { gridPathHelp, nodeDirHelp, nodeDirOption } from './node-dir-option.js';

type Line<T> = T | { readonly type: 'error'; readonly error: string };

async function* jsonLines<T>(response: IncomingMessage): AsyncGenerator<T> {
  for await (const line of createInterface({ input: response, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const item = JSON.parse(line) as Line<T>;
    if ((item as { type?: string }).type === 'error') throw new Error((item as { error: string }).error);
    yield item as T;
  }
}

function pathText(path: readonly string[]): string {
  return path.length === 0 ? '<root>' : path.join('/');
}

async function treeResponse(args: { path: string; nodeDir: string }, query: string): Promise<IncomingMessage> {
  const target = await parseGridPath(args.path, args.nodeDir);
  return callApi(await nodeEndpoint(args.nodeDir), 'POST', uriOf(target, query));
}

export const manifestCommand: Command = {
  name: 'manifest',
  usage: `usage: cairn manifest [--node-dir DIR] [--storage-index | --verify-cap | --raw] PATH

Walks the directory at PATH and prints "CAP PATH" for it and everything under it (the
caps are secrets).
  --storage-index   print storage indexes instead of caps (files with no shares: none)
  --verify-cap      print verify caps instead (they can check, never read)
  --raw             one JSON object a line
${gridPathHelp}

${nodeDirHelp}`,
  async run(args) {
    const { values, positionals } = parseCommandArgs(this, args, { ...nodeDirOption, 'storage-index': { type: 'boolean' }, 'verify-cap': { type: 'boolean' }, raw: { type: 'boolean' } });
    if (values.help) return print(this.usage);
    if (positionals.length !== 1) throw new UsageError('expected one PATH', this.usage);
    const response = await treeResponse({ path: positionals[0]!, nodeDir: values['node-dir'] ?? defaultNodeDir() }, 't=stream-manifest');
    for await (const entry of jsonLines<ManifestEntry>(response)) {
      if (values.raw) print(JSON.stringify(entry));
      else if (values['storage-index']) print(`${entry['storage-index'] ?? '-'} ${entry.path.join('/')}`.trimEnd());
      else print(`${values['verify-cap'] ? (entry.verifycap ?? '-') : entry.cap} ${entry.path.join('/')}`.trimEnd());
    }
  },
};

export const deepCheckCommand: Command = {
  name: 'deep-check',
  usage: `usage: cairn deep-check [--node-dir DIR] [--verify] [--repair] [--add-lease] [-v] [--raw] PATH

Checks the directory at PATH and everything under it, then prints the totals.
  --verify      read every share and check its hashes (and a mutable share's signature)
  --repair      put back missing or corrupt shares of unhealthy files and directories
                (mutable ones only where the tree gives their write cap)
  --add-lease   renew this node's leases on every share
  -v            one line per object: its path and health
  --raw         one JSON object a line
${gridPathHelp}

${nodeDirHelp}`,
  async run(args) {
    const { values, positionals } = parseCommandArgs(this, args, {
      ...nodeDirOption,
      verify: { type: 'boolean' },
      repair: { type: 'boolean' },
      'add-lease': { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
      raw: { type: 'boolean' },
    });
    if (values.help) return print(this.usage);
    if (positionals.length !== 1) throw new UsageError('expected one PATH', this.usage);
    const flags = (['verify', 'repair', 'add-lease'] as const).filter((name) => values[name] === true).map((name) => `&${name}=true`);
    const response = await treeResponse({ path: positionals[0]!, nodeDir: values['node-dir'] ?? defaultNodeDir() }, `t=stream-deep-check${flags.join('')}`);
    let [checked, healthy, unrecoverable, repaired] = [0, 0, 0, 0];
    for await (const entry of jsonLines<DeepCheckEntry>(response)) {
      checked++;
      if (entry.results.healthy) healthy++;
      if (!entry.results.recoverable) unrecoverable++;
      if (entry.results.repaired === true) repaired++;
      if (values.raw) print(JSON.stringify(entry));
      else if (values.verbose) print(`${pathText(entry.path)}: ${entry.results.summary}`);
    }
    if (values.raw) return;
    const repairs = values.repair ? `; ${repaired} repaired` : '';
    print(`done: ${checked} objects checked, ${healthy} healthy, ${checked - healthy} not healthy (${unrecoverable} not recoverable)${repairs}`);
  },
};
