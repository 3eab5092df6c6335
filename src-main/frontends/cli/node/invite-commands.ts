import { createInterface } from 'node:readline/promises';
import { defaultNodeDir } from '../api-client.js';
import { UsageError, parseCommandArgs, print, type Command } from '../usage.js';
import { createNodeOptionSpec, createNodeOptionsHelp, createNodeOptionsOf } from './create-node-options.js';

const inviteUsage = `usage: cairn invite [--node-dir DIR]

Prints an invite code to this node's grid and, separately, the passphrase that opens it.
Send the code one way (a message) and tell the passphrase another way (a call): together
they let anyone join the grid. The node does not need to be running.

  -d, --node-dir DIR   the node whose grid to invite to (default ${defaultNodeDir()}, or $CAIRN_NODE_DIR)`;

export const inviteCommand: Command = {
  name: 'invite',
  usage: inviteUsage,
  async run(args) {
    const { values, positionals } = parseCommandArgs({ usage: inviteUsage }, args, { 'node-dir': { type: 'string', short: 'd' } });
    if (values.help) return print(inviteUsage);
    if (positionals.length !== 0) throw new UsageError('cairn invite takes no arguments', inviteUsage);
    // loaded here: the node directory code brings libp2p's key handling
    const { createInvite } = await import('../../../node/node-invite.js');
    const invite = await createInvite(values['node-dir'] ?? defaultNodeDir());
    print('Invite code (send it to your friend):');
    print(invite.code);
    print('');
    print('Passphrase (tell it separately, not in the same message):');
    print(invite.passphrase);
    print('');
    print('Your friend joins with: cairn join CODE DIR  (or "Join a grid" in the app)');
  },
};

const joinUsage = `usage: cairn join CODE DIR [--passphrase P] [options]

Creates in DIR a node that joins the grid of an invite code (from "cairn invite").
Asks for the passphrase when --passphrase is not given. A wrong passphrase or a
damaged code creates nothing.

  --passphrase P           the invite's passphrase (e.g. abcd-efgh-ijkl)
${createNodeOptionsHelp}`;

async function askPassphrase(): Promise<string> {
  if (!process.stdin.isTTY) throw new UsageError('--passphrase is required when the input is not a terminal', joinUsage);
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await prompt.question('Passphrase: ');
  } finally {
    prompt.close();
  }
}

export const joinCommand: Command = {
  name: 'join',
  usage: joinUsage,
  async run(args) {
    const { values, positionals } = parseCommandArgs({ usage: joinUsage }, args, { passphrase: { type: 'string' }, ...createNodeOptionSpec });
    if (values.help) return print(joinUsage);
    if (positionals.length !== 2) throw new UsageError('expected CODE and DIR', joinUsage);
    const [code, dir] = positionals as [string, string];
    const options = createNodeOptionsOf(values);
    const { checkInviteCode } = await import('../../../../src-shared/invite/invite-code.js');
    checkInviteCode(code);
    const passphrase = values.passphrase ?? (await askPassphrase());
    const { joinByInvite } = await import('../../../node/node-invite.js');
    const node = await joinByInvite(dir, code, passphrase, options);
    const name = node.gridLink.gridName === undefined ? 'the grid' : `the grid "${node.gridLink.gridName}"`;
    print(`Created node "${node.config.nickname}" in ${dir}, a member of ${name} (storage ${node.config.storage.enabled ? 'on' : 'off'}; web API on 127.0.0.1:${node.config.web.port})`);
    print(`Start it with: cairn run ${dir}`);
  },
};
