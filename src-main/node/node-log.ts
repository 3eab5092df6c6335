import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

// Caps and links are secrets wherever they appear; the node also registers its own secret
// strings (grid key, API token…). Redaction runs on every line before it is written.
const CAP_PATTERN = /\b(URI:[A-Z][A-Za-z0-9-]*:)[^\s"',)]+/g;
const LINK_PATTERN = /\b(cairn-grid-v1:)[a-z2-7]+/g;
const INVITE_PATTERN = /\b(cairn-invite-v1:)[a-z2-7]+/g;
// a browser login link's one-time code (web-shell.ts: http://127.0.0.1:PORT/#login=CODE)
const LOGIN_CODE_PATTERN = /([#?&]login=)[A-Za-z0-9_-]+/g;

export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(CAP_PATTERN, '$1[redacted]').replace(LINK_PATTERN, '$1[redacted]').replace(INVITE_PATTERN, '$1[redacted]').replace(LOGIN_CODE_PATTERN, '$1[redacted]');
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join('[secret]');
  return out;
}

/** The node's log: DIR/logs/cairn.log and stderr, one line per event, secrets redacted. */
export class NodeLog {
  private readonly secrets: string[] = [];

  private constructor(
    private readonly file: WriteStream | undefined,
    private readonly toStderr: boolean,
    private readonly minimum: LogLevel,
  ) {}

  static async open(logDir: string | undefined, options: { stderr?: boolean; level?: LogLevel } = {}): Promise<NodeLog> {
    let file: WriteStream | undefined;
    if (logDir !== undefined) {
      await mkdir(logDir, { recursive: true });
      file = createWriteStream(join(logDir, 'cairn.log'), { flags: 'a', mode: 0o600 });
    }
    return new NodeLog(file, options.stderr ?? true, options.level ?? 'info');
  }

  /** Strings that must never reach the log (secrets of this node). */
  addSecrets(...secrets: string[]): void {
    this.secrets.push(...secrets);
  }

  /** `text` with every cap, link, code and secret of this node redacted (as log lines are). */
  redactText(text: string): string {
    return redact(text, this.secrets);
  }

  debug(message: string): void {
    this.write('debug', message);
  }
  info(message: string): void {
    this.write('info', message);
  }
  warn(message: string): void {
    this.write('warn', message);
  }
  error(message: string): void {
    this.write('error', message);
  }

  private write(level: LogLevel, message: string): void {
    const order: LogLevel[] = ['debug', 'info', 'warn', 'error'];
    if (order.indexOf(level) < order.indexOf(this.minimum)) return;
    const line = `${new Date().toISOString()} ${level.padEnd(5)} ${redact(message, this.secrets)}\n`;
    this.file?.write(line);
    if (this.toStderr) process.stderr.write(line);
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.file ? this.file.end(resolve) : resolve()));
  }
}
