import { formatCap, readOnlyCapOf } from '../../../../src-shared/caps/index.js';
import { AliasError, addAlias, checkAliasName, readAliases } from '../../../node/aliases.js';
import { callApi, defaultNodeDir, nodeEndpoint, readAll } from '../api-client.js';
import { UsageError, parseCommandArgs, print, type Command } from '../usage.js';

const nodeDirOption = { 'node-dir': { type: 'string' } } as const;
const nodeDirHelp = `  --node-dir DIR   the node whose aliases these are (default ${defaultNodeDir()}, or $CAIRN_NODE_DIR)`;

export const addAliasCommand: Command = {
  name: 'add-alias',
  usage: `usage: cairn add-alias [--node-dir DIR] NAME DIRCAP

Stores NAME for the directory cap DIRCAP (URI:DIR2-…) in DIR/private/aliases, so that
paths like NAME:photos/2024 reach into it. An existing alias is never replaced.

${nodeDirHelp}`,
  async run(args) {
    const { values, positionals } = parseCommandArgs(this, args, nodeDirOption);
    if (values.help) return print(this.usage);
    if (positionals.length !== 2) throw new UsageError('expected NAME and DIRCAP', this.usage);
    const [name, cap] = positionals as [string, string];
    await addAlias(values['node-dir'] ?? defaultNodeDir(), name.replace(/:$/, ''), cap);
    print(`Alias "${name.replace(/:$/, '')}" added`);
  },
};

export const listAliasesCommand: Command = {
  name: 'list-aliases',
  usage: `usage: cairn list-aliases [--node-dir DIR] [--readonly-uri] [--json]

Prints each alias and its directory cap. The caps are secrets: a write cap lets anyone
who sees it change the directory.
  --readonly-uri   show read-only caps instead
  --json           one JSON object { NAME: { "readwrite": CAP, "readonly": CAP } }

${nodeDirHelp}`,
  async run(args) {
    const { values, positionals } = parseCommandArgs(this, args, {
      ...nodeDirOption,
      'readonly-uri': { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (values.help) return print(this.usage);
    if (positionals.length !== 0) throw new UsageError('list-aliases takes no arguments', this.usage);
    const aliases = await readAliases(values['node-dir'] ?? defaultNodeDir());
    if (values.json === true) {
      const out: Record<string, { readwrite: string; readonly: string }> = {};
      for (const [name, cap] of aliases) out[name] = { readwrite: formatCap(cap), readonly: formatCap(readOnlyCapOf(cap)) };
      return print(JSON.stringify(out, null, 2));
    }
    const width = Math.max(0, ...[...aliases.keys()].map((n) => n.length + 1));
    for (const [name, cap] of aliases) {
      print(`${`${name}:`.padStart(width)} ${formatCap(values['readonly-uri'] === true ? readOnlyCapOf(cap) : cap)}`);
    }
  },
};

export const createAliasCommand: Command = {
  name: 'create-alias',
  usage: `usage: cairn create-alias [--node-dir DIR] NAME

Makes a new empty directory through the running node and stores its write cap as NAME
in DIR/private/aliases, so that paths like NAME:photos/2024 reach into it. An existing
alias is never replaced (nothing is made then).

${nodeDirHelp}`,
  async run(args) {
    const { values, positionals } = parseCommandArgs(this, args, nodeDirOption);
    if (values.help) return print(this.usage);
    if (positionals.length !== 1) throw new UsageError('expected NAME', this.usage);
    const name = checkAliasName(positionals[0]!.replace(/:$/, ''));
    const nodeDir = values['node-dir'] ?? defaultNodeDir();
    // Checked before the directory is made, so a taken name wastes nothing on the grid.
    if ((await readAliases(nodeDir)).has(name)) throw new AliasError(`the alias "${name}" exists already (see cairn list-aliases)`);
    const cap = (await readAll(await callApi(await nodeEndpoint(nodeDir), 'POST', '/uri?t=mkdir'))).trim();
    await addAlias(nodeDir, name, cap);
    print(`Alias "${name}" created`);
  },
};
