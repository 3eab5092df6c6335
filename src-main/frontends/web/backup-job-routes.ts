// The backup-job part of the web API:
//   GET    /backup-jobs            { paused, running, jobs: [...], durability: the last durability pass }
//   POST   /backup-jobs            body: a job as JSON (docs/backup.md); answers the job, 201
//   DELETE /backup-jobs/ID         removes the job (its snapshots stay)
//   POST   /backup-jobs/ID/run     runs it now and answers when it has ended
//   POST   /backup-jobs?t=pause | ?t=resume   stops or restarts scheduled runs
//   POST   /backup-jobs?t=check   a durability pass now (renew leases, measure, repair); answers its findings
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BackupJobError } from '../../backup/backup-job.js';
import { BackupJobNotFoundError } from '../../node/backup-jobs.js';
import { HttpError } from './http-errors.js';
import { readSmallBody } from './request-body.js';
import { sendJson } from './uri-routes.js';
import type { NodeApi } from './node-api.js';

export const BACKUP_JOBS_PATH = '/backup-jobs';

/** Answers a request under /backup-jobs. */
export async function handleBackupJobs(req: IncomingMessage, res: ServerResponse, url: URL, node: Pick<NodeApi, 'backupJobs' | 'backupDurability'>): Promise<void> {
  try {
    await route(req, res, url, node);
  } catch (error) {
    if (error instanceof BackupJobError) throw new HttpError(400, error.message);
    if (error instanceof BackupJobNotFoundError) throw new HttpError(404, error.message);
    throw error;
  }
}

async function route(req: IncomingMessage, res: ServerResponse, url: URL, { backupJobs: jobs, backupDurability: durability }: Pick<NodeApi, 'backupJobs' | 'backupDurability'>): Promise<void> {
  const parts = url.pathname.slice(BACKUP_JOBS_PATH.length).split('/').filter((p) => p !== '').map(decodeURIComponent);
  const action = url.searchParams.get('t');
  if (parts.length === 0 && req.method === 'GET') return sendJson(res, 200, { ...(await jobs.status()), durability: durability.status() });
  if (parts.length === 0 && req.method === 'POST' && action === 'check') return sendJson(res, 200, await durability.check());
  if (parts.length === 0 && req.method === 'POST' && action === 'pause') {
    await jobs.pause();
    return sendJson(res, 200, await jobs.status());
  }
  if (parts.length === 0 && req.method === 'POST' && action === 'resume') {
    await jobs.resume();
    return sendJson(res, 200, await jobs.status());
  }
  if (parts.length === 0 && req.method === 'POST' && action === null) {
    const body = new TextDecoder().decode(await readSmallBody(req, 64 * 1024, 'a backup job'));
    let input: unknown;
    try {
      input = JSON.parse(body);
    } catch {
      throw new HttpError(400, 'a backup job is sent as JSON: { "id", "source", "target", "schedule", "excludes", "retention" }');
    }
    return sendJson(res, 201, await jobs.add(input));
  }
  if (parts.length === 1 && req.method === 'DELETE') {
    await jobs.remove(parts[0]!);
    return sendJson(res, 200, { removed: parts[0] });
  }
  if (parts.length === 2 && parts[1] === 'run' && req.method === 'POST') return sendJson(res, 200, await jobs.run(parts[0]!));
  throw new HttpError(404, `no such API: ${req.method} ${url.pathname}${action === null ? '' : `?t=${action}`}`);
}
