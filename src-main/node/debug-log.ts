// The debug log a user exports to send with a bug report: the end of DIR/logs/cairn.log,
// redacted once more on the way out. Lines are redacted when written, but a log may hold
// lines from before a secret was known (or written by an older version), so export never
// trusts the file.
import { open } from 'node:fs/promises';
import { join } from 'node:path';

/** How much of the log's end is exported. */
export const DEBUG_LOG_BYTES = 256 * 1024;

/** The last `maxBytes` of the node's log (from a whole line), passed through `redact`; '' when there is no log. */
export async function readDebugLog(nodeDir: string, redact: (text: string) => string, maxBytes = DEBUG_LOG_BYTES): Promise<string> {
  let handle;
  try {
    handle = await open(join(nodeDir, 'logs', 'cairn.log'), 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    let text = buffer.toString('utf8');
    // drop a partial first line (and any secret cut in half with it)
    if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    return redact(text);
  } finally {
    await handle.close();
  }
}
