import { defaultNodeDir } from '../api-client.js';

export const nodeDirOption = { 'node-dir': { type: 'string' } } as const;
export const nodeDirHelp = `  --node-dir DIR   the running node to use (default ${defaultNodeDir()}, or $CAIRN_NODE_DIR)`;
export const gridPathHelp = `PATH is alias:dir/name (aliases: "cairn list-aliases"), URI:DIR2-…/dir/name, a bare cap,
or dir/name under the default alias "cairn:".`;
