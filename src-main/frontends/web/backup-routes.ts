// POST /backup and POST /restore: the node runs the backup or restore and answers JSON lines,
// one progress or problem event a line, and the summary last ({"type": "summary", …}). Bad
// input (a missing folder, a target that is a file) is a 400 with a JSON error before any line.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAbsolute } from 'node:path';
import { parseAnyCap, type DirectoryCap } from '../../../src-shared/caps/index.js';
import type { BackupEvent, BackupRequest, RestoreRequest } from '../../backup/backup-request.js';
import { HttpError } from './http-errors.js';
import { sendJsonLines } from './json-lines.js';
import type { NodeApi } from './node-api.js';
import { readSmallBody } from './request-body.js';

const MAX_REQUEST_BYTES = 1024 * 1024;

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await readSmallBody(req, MAX_REQUEST_BYTES, 'the request (JSON)')));
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, 'the request body must be a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HttpError(400, 'the request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

function text(body: Record<string, unknown>, key: string, required: true): string;
function text(body: Record<string, unknown>, key: string, required: false): string | undefined;
function text(body: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const value = body[key];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string') throw new HttpError(400, `"${key}" must be a string`);
  return value;
}

function directoryCap(body: Record<string, unknown>, key: string): DirectoryCap {
  const cap = parseAnyCap(text(body, key, true));
  if (cap.kind !== 'dir') throw new HttpError(400, `"${key}" must be a directory cap (URI:DIR2-…)`);
  return cap;
}

function localPath(body: Record<string, unknown>, key: string): string {
  const path = text(body, key, true);
  if (!isAbsolute(path)) throw new HttpError(400, `"${key}" must be an absolute path on the node's computer`);
  return path;
}

/** Body: { "source": "/abs/folder", "target": DIRCAP, "path"?: "sub/dir", "exclude"?: [GLOB…], "excludeVcs"?: bool } */
function backupRequestOf(body: Record<string, unknown>): BackupRequest {
  const exclude = body.exclude ?? [];
  if (!Array.isArray(exclude) || !exclude.every((p) => typeof p === 'string')) throw new HttpError(400, '"exclude" must be a list of glob patterns');
  return { source: localPath(body, 'source'), target: { cap: directoryCap(body, 'target'), path: text(body, 'path', false) ?? '' }, exclude, excludeVcs: body.excludeVcs === true };
}

/** Body: { "source": DIRCAP, "path": "Archives/<ts>/sub" or "Latest", "destination": "/abs/path", "force"?: bool } */
function restoreRequestOf(body: Record<string, unknown>): RestoreRequest {
  return { source: { cap: directoryCap(body, 'source'), path: text(body, 'path', false) ?? '' }, destination: localPath(body, 'destination'), force: body.force === true };
}

/**
 * The events of a run as they come, then its summary. The first line waits for the first
 * event or the end, so a run refused at once is a clean error status.
 */
async function* eventsThenSummary<S>(run: (onEvent: (event: BackupEvent) => void) => Promise<S>): AsyncGenerator<BackupEvent | S> {
  const queue: BackupEvent[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  const result = run((event) => {
    queue.push(event);
    wake?.();
  }).finally(() => {
    finished = true;
    wake?.();
  });
  result.catch(() => undefined); // awaited below
  while (true) {
    while (queue.length > 0) yield queue.shift()!;
    if (finished) break;
    await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
  }
  yield await result;
}

export async function handleBackupRoute(req: IncomingMessage, res: ServerResponse, kind: 'backup' | 'restore', node: NodeApi): Promise<void> {
  if (req.method !== 'POST') throw new HttpError(405, `use POST /${kind}`);
  const body = await jsonBody(req);
  if (kind === 'backup') {
    const request = backupRequestOf(body);
    return sendJsonLines(res, eventsThenSummary((onEvent) => node.backup(request, onEvent)));
  }
  const request = restoreRequestOf(body);
  return sendJsonLines(res, eventsThenSummary((onEvent) => node.restore(request, onEvent)));
}
