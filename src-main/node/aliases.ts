// Aliases: short names for directory caps, kept in DIR/private/aliases (it holds write caps:
// mode 0600). One alias per line, "NAME: CAP", as Tahoe writes them. The default alias
// `cairn` names the grid's shared root directory and is written when the node is made.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatCap, parseAnyCap, type DirectoryCap } from '../../src-shared/caps/index.js';
import { writeFileAtomically } from './atomic-write.js';

export const ALIASES_FILE = 'aliases';
export const DEFAULT_ALIAS = 'cairn';

export class AliasError extends Error {
  override readonly name = 'AliasError';
}

const aliasesPath = (dir: string): string => join(dir, 'private', ALIASES_FILE);

/** A name usable before ":" in a path: letters, digits, "-", "_" and "."; not a cap prefix. */
export function checkAliasName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
    throw new AliasError(`"${name}" is not a usable alias name: use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
  }
  if (name.toUpperCase() === 'URI') throw new AliasError('"URI" cannot be an alias: it starts every cap');
  return name;
}

function directoryCap(text: string, where: string): DirectoryCap {
  let cap;
  try {
    cap = parseAnyCap(text);
  } catch (error) {
    throw new AliasError(`${where}: ${(error as Error).message}`);
  }
  if (cap.kind !== 'dir') throw new AliasError(`${where}: an alias must name a directory cap (URI:DIR2-…), not a file cap`);
  return cap;
}

/** The node's aliases, in file order. A missing file means none. */
export async function readAliases(dir: string): Promise<Map<string, DirectoryCap>> {
  let text: string;
  try {
    text = await readFile(aliasesPath(dir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  const aliases = new Map<string, DirectoryCap>();
  text.split('\n').forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const colon = trimmed.indexOf(':');
    const where = `${aliasesPath(dir)} line ${i + 1}`;
    if (colon <= 0) throw new AliasError(`${where}: expected "NAME: CAP"`);
    const name = trimmed.slice(0, colon).trim();
    try {
      checkAliasName(name);
    } catch (error) {
      throw new AliasError(`${where}: ${(error as Error).message}`);
    }
    aliases.set(name, directoryCap(trimmed.slice(colon + 1).trim(), where));
  });
  return aliases;
}

async function writeAliases(dir: string, aliases: ReadonlyMap<string, DirectoryCap>): Promise<void> {
  const lines = [...aliases].map(([name, cap]) => `${name}: ${formatCap(cap)}\n`);
  await writeFileAtomically(aliasesPath(dir), [new TextEncoder().encode(lines.join(''))], 0o600);
}

/** Adds an alias; refuses to replace an existing one. */
export async function addAlias(dir: string, name: string, capText: string): Promise<DirectoryCap> {
  checkAliasName(name);
  const cap = directoryCap(capText.trim(), 'the cap');
  const aliases = await readAliases(dir);
  if (aliases.has(name)) throw new AliasError(`the alias "${name}" exists already (see cairn list-aliases)`);
  aliases.set(name, cap);
  await writeAliases(dir, aliases);
  return cap;
}
