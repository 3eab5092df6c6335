import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Wrong arguments: the CLI prints the message and the command's usage, and exits 2. */
export class UsageError extends Error {
  constructor(message: string, readonly usage?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Command {
  readonly name: string;
  readonly usage: string;
  run(args: string[]): Promise<void>;
}

/** A command as a list of commands names it: its module is loaded only to run it. */
export interface CommandEntry {
  readonly name: string;
  /** one line for the list of commands */
  readonly summary: string;
  load(): Promise<Command>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs with usage errors that name the command. */
export function parseCommandArgs<T extends Options>(command: Pick<Command, 'usage'>, args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''), command.usage);
  }
}

export function parseInteger(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${name} must be a whole number, got "${value}"`);
  }
  const number = Number(value);
  if (number < min || number > max) throw new UsageError(`${name} must be between ${min} and ${max}, got ${number}`);
  return number;
}

export function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function warn(line: string): void {
  process.stderr.write(`cairn: ${line}\n`);
}
