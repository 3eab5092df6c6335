// The settings part of the web API:
//   GET   /settings     { nickname, reservedSpace, encoding: { needed, happy, total }, launchAtLogin: null }
//   PATCH /settings     body: any of { nickname, reservedSpace, encoding } as JSON; saved to
//                       cairn.json and applied at once; answers the settings as GET does
//   GET   /debug-log    the end of the node's log, secrets redacted, as a text/plain download
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InputError, validateSettingsPatch } from '../../../src-shared/ipc/index.js';
import type { NodeSettingsView } from '../../node/node-settings.js';
import { HttpError } from './http-errors.js';
import type { NodeApi } from './node-api.js';
import { readSmallBody } from './request-body.js';
import { sendJson } from './uri-routes.js';

export const SETTINGS_PATHS: readonly string[] = ['/settings', '/debug-log'];

/** Answers GET/PATCH /settings and GET /debug-log. */
export async function handleSettings(req: IncomingMessage, res: ServerResponse, path: string, node: Pick<NodeApi, 'settings' | 'debugLog'>): Promise<void> {
  if (path === '/debug-log' && req.method === 'GET') return sendDebugLog(res, await node.debugLog());
  if (path === '/settings' && req.method === 'GET') return sendJson(res, 200, browserView(node.settings.view()));
  if (path === '/settings' && req.method === 'PATCH') {
    const body = new TextDecoder().decode(await readSmallBody(req, 16 * 1024, 'the settings'));
    let input: unknown;
    try {
      input = JSON.parse(body);
    } catch {
      throw new HttpError(400, 'the settings are sent as JSON: any of { "nickname", "reservedSpace", "encoding": { "needed", "happy", "total" } }');
    }
    try {
      const patch = validateSettingsPatch(input);
      if (patch.launchAtLogin !== undefined) throw new InputError('"launch at login" is a setting of the desktop app, not of the node');
      if (patch.nickname === undefined && patch.reservedSpace === undefined && patch.encoding === undefined) {
        throw new InputError('the settings name nothing to change: send any of "nickname", "reservedSpace", "encoding"');
      }
      return sendJson(res, 200, browserView(await node.settings.update(patch)));
    } catch (error) {
      if (error instanceof InputError) throw new HttpError(400, error.message);
      throw error;
    }
  }
  throw new HttpError(405, `${req.method} is not allowed on ${path}`);
}

/** The contract's SettingsView: launch at login is null where only the desktop app can set it. */
function browserView(view: NodeSettingsView): unknown {
  return { ...view, reservedSpace: view.reservedSpace ?? null, launchAtLogin: null };
}

function sendDebugLog(res: ServerResponse, text: string): void {
  const body = Buffer.from(text, 'utf8');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  res.writeHead(200, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': body.length,
    'content-disposition': `attachment; filename="cairn-debug-log-${stamp}.txt"`,
    'cache-control': 'no-store',
  });
  res.end(body);
}
