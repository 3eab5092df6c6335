// CairnApi in a plain browser: the node's REST API (same origin, the session cookie) and its
// server-sent event stream (/events). The desktop app implements the same over IPC.
import type {
  BackupJobInput,
  BackupJobView,
  BackupJobsView,
  CairnApi,
  CreateGridRequest,
  CairnEvent,
  CairnEventListener,
  DirectoryListing,
  InviteView,
  JoinRequest,
  RestoreRequest,
  SettingsPatch,
  SettingsView,
  SetupView,
  SharedEntryView,
  ShareLink,
  SnapshotView,
  StatusView,
  UploadFile,
  UploadHandle,
  UploadProgress,
} from '../../src-shared/ipc/index.js';
import { formatShareLink } from '../../src-shared/ipc/index.js';
import { backupJobViewOf, backupJobsViewOf, type BackupJobJson, type BackupJobsJson } from './backup-json.js';
import { directoryListingOf, readCapOf, statusViewOf, type StatusJson } from './node-json.js';

/** Not logged in (no session cookie, or the node restarted). */
export class NotLoggedInError extends Error {
  override readonly name = 'NotLoggedInError';
}

interface SessionJson {
  readonly rootCap: string | undefined;
  readonly aliases: Readonly<Record<string, string>>;
}

/** `/uri/CAP/a/b` with each name percent-encoded. */
function uriPath(cap: string, path: string): string {
  const names = path === '' ? [] : path.split('/');
  return ['/uri', encodeURIComponent(cap), ...names.map(encodeURIComponent)].join('/');
}

function joinPath(...parts: string[]): string {
  return parts.filter((part) => part !== '').join('/');
}

function splitPath(path: string): { parent: string; name: string } {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? { parent: '', name: path } : { parent: path.slice(0, slash), name: path.slice(slash + 1) };
}

async function errorOf(response: Response): Promise<Error> {
  const text = await response.text().catch(() => '');
  let message = text.trim();
  try {
    message = (JSON.parse(text) as { error?: string }).error ?? message;
  } catch {
    // plain text
  }
  if (response.status === 401) return new NotLoggedInError('Not logged in: open the URL that "cairn run DIR --ui" printed');
  return new Error(message === '' ? `the node answered ${response.status}` : message);
}

/** Trades the one-time login code in the URL fragment (#login=…) for a session cookie. */
export async function logInFromFragment(location: Location, history: History): Promise<void> {
  const match = /^#login=([A-Za-z0-9_-]+)$/.exec(location.hash);
  if (match === null) return;
  history.replaceState(null, '', location.pathname);
  const response = await fetch('/ui/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: match[1] }) });
  if (!response.ok) {
    const answer = (await response.json().catch(() => ({}))) as { error?: string };
    throw new Error(answer.error ?? `the node answered ${response.status}`);
  }
}

export class HttpCairnApi implements CairnApi {
  #session: Promise<SessionJson> | undefined;
  readonly #listeners = new Set<CairnEventListener>();
  #events: EventSource | undefined;

  #sessionInfo(): Promise<SessionJson> {
    this.#session ??= (this.#json('/ui/session') as Promise<SessionJson>).catch((error: unknown) => {
      this.#session = undefined;
      throw error;
    });
    return this.#session;
  }

  async #rootPath(path: string): Promise<string> {
    const { rootCap } = await this.#sessionInfo();
    if (rootCap === undefined) throw new Error('this node has no "cairn:" folder (its default alias)');
    return uriPath(rootCap, path);
  }

  /** An "alias:path" target's cap and path, e.g. for a backup job's snapshots. */
  async #aliasTarget(target: string): Promise<{ cap: string; path: string }> {
    const colon = target.indexOf(':');
    const alias = target.slice(0, colon);
    let cap = (await this.#sessionInfo()).aliases[alias];
    if (cap === undefined) {
      this.#session = undefined; // an alias made since: ask again
      cap = (await this.#sessionInfo()).aliases[alias];
    }
    if (cap === undefined) throw new Error(`unknown alias "${alias}:" (see cairn list-aliases)`);
    return { cap, path: target.slice(colon + 1).replace(/^\/+|\/+$/g, '') };
  }

  async #call(url: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(url, { credentials: 'same-origin', ...init });
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  async #json(url: string, init?: RequestInit): Promise<unknown> {
    return (await this.#call(url, init)).json();
  }

  async status(): Promise<StatusView> {
    return statusViewOf((await this.#json('/status?t=json')) as StatusJson);
  }

  onEvent(listener: CairnEventListener): () => void {
    this.#listeners.add(listener);
    if (this.#events === undefined) this.#openEvents();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) {
        this.#events?.close();
        this.#events = undefined;
      }
    };
  }

  #openEvents(): void {
    const events = new EventSource('/events');
    const send = (event: CairnEvent): void => this.#listeners.forEach((listener) => listener(event));
    events.onopen = () => send({ type: 'connection', state: 'open' });
    // EventSource reconnects by itself (the node asks for 2 s); say so meanwhile
    events.onerror = () => send({ type: 'connection', state: 'lost' });
    events.addEventListener('status', () => send({ type: 'status' }));
    events.addEventListener('operation', (message) => send({ type: 'operation', operation: JSON.parse((message as MessageEvent<string>).data) }));
    this.#events = events;
  }

  async listDirectory(path: string): Promise<DirectoryListing> {
    return directoryListingOf(path, (await this.#json(`${await this.#rootPath(path)}?t=json`)) as Parameters<typeof directoryListingOf>[1]);
  }

  async makeDirectory(path: string): Promise<void> {
    const { parent, name } = splitPath(path);
    await this.#call(`${await this.#rootPath(parent)}?t=mkdir&name=${encodeURIComponent(name)}`, { method: 'POST' });
  }

  async rename(path: string, newName: string): Promise<void> {
    const { parent, name } = splitPath(path);
    const query = `t=rename&from_name=${encodeURIComponent(name)}&to_name=${encodeURIComponent(newName)}&replace=false`;
    await this.#call(`${await this.#rootPath(parent)}?${query}`, { method: 'POST' });
  }

  async remove(path: string): Promise<void> {
    await this.#call(await this.#rootPath(path), { method: 'DELETE' });
  }

  upload(directoryPath: string, file: UploadFile, onProgress: (progress: UploadProgress) => void): UploadHandle {
    const xhr = new XMLHttpRequest();
    let cancelled = false;
    const total = file.size;
    const report = (progress: UploadProgress): void => onProgress(progress);
    const done = (async () => {
      const url = await this.#rootPath(directoryPath === '' ? file.name : `${directoryPath}/${file.name}`);
      if (cancelled) throw new Error('cancelled');
      await new Promise<void>((resolve, reject) => {
        xhr.open('PUT', url);
        xhr.upload.onprogress = (event) => report({ state: 'sending', bytesDone: event.loaded, bytesTotal: total });
        // the node has the bytes: now it encrypts and spreads them over the grid
        xhr.upload.onload = () => report({ state: 'storing', bytesDone: total, bytesTotal: total });
        xhr.onload = () => {
          if (xhr.status >= 200 && xhr.status < 300) return resolve();
          let message = xhr.responseText;
          try {
            message = (JSON.parse(xhr.responseText) as { error?: string }).error ?? message;
          } catch {
            // plain text
          }
          reject(new Error(message.trim() || `the node answered ${xhr.status}`));
        };
        xhr.onerror = () => reject(new Error('the connection to the node was lost'));
        xhr.onabort = () => reject(new Error('cancelled'));
        report({ state: 'sending', bytesDone: 0, bytesTotal: total });
        xhr.send(file as unknown as Blob);
      });
      report({ state: 'done', bytesDone: total, bytesTotal: total });
    })();
    return {
      done,
      cancel: () => {
        cancelled = true;
        xhr.abort();
      },
    };
  }

  async download(path: string): Promise<void> {
    this.#downloadFrom(await this.#rootPath(path), splitPath(path).name);
  }

  /** The browser's own download of a same-origin URL (streamed by the node, saved as `name`). */
  #downloadFrom(url: string, name: string): void {
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    link.rel = 'noopener';
    document.body.append(link);
    link.click();
    link.remove();
  }

  async readOnlyCap(path: string): Promise<string> {
    return readCapOf((await this.#json(`${await this.#rootPath(path)}?t=json`)) as Parameters<typeof readCapOf>[0]);
  }

  async shareLink(path: string): Promise<ShareLink> {
    const readCap = await this.readOnlyCap(path);
    const { name } = splitPath(path);
    return { name, readCap, link: formatShareLink(readCap, name) };
  }

  async openShared(readCap: string, path: string): Promise<SharedEntryView> {
    const json = (await this.#json(`${uriPath(readCap, path)}?t=json`)) as Parameters<typeof directoryListingOf>[1];
    if (json[0] === 'filenode') return { kind: 'file', size: json[1].size };
    // a shared folder is shown read-only, whatever the cap could do
    const listing = directoryListingOf(path, json);
    return { kind: 'directory', listing: { ...listing, writable: false, entries: listing.entries.map((entry) => ({ ...entry, writable: false })) } };
  }

  async downloadShared(readCap: string, path: string, name: string): Promise<void> {
    this.#downloadFrom(uriPath(readCap, path), name);
  }

  async linkShared(readCap: string, directoryPath: string, name: string): Promise<void> {
    const url = `${await this.#rootPath(joinPath(directoryPath, name))}?t=uri&replace=false`;
    await this.#call(url, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: readCap });
  }

  async takeOpenLink(): Promise<string | undefined> {
    return undefined; // a browser is no protocol handler: paste the link into the opener
  }

  async backupJobs(): Promise<BackupJobsView> {
    return backupJobsViewOf((await this.#json('/backup-jobs')) as BackupJobsJson);
  }

  async addBackupJob(job: BackupJobInput): Promise<BackupJobView> {
    const answer = await this.#json('/backup-jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(job) });
    return backupJobViewOf(answer as BackupJobJson);
  }

  async removeBackupJob(jobId: string): Promise<void> {
    await this.#call(`/backup-jobs/${encodeURIComponent(jobId)}`, { method: 'DELETE' });
  }

  async runBackupJob(jobId: string): Promise<void> {
    const answer = (await this.#json(`/backup-jobs/${encodeURIComponent(jobId)}/run`, { method: 'POST' })) as { lastResult?: string; lastMessage?: string };
    if (answer.lastResult === 'failed') throw new Error(answer.lastMessage ?? 'the backup failed');
  }

  async setBackupsPaused(paused: boolean): Promise<void> {
    await this.#call(`/backup-jobs?t=${paused ? 'pause' : 'resume'}`, { method: 'POST' });
  }

  async #job(jobId: string): Promise<BackupJobView> {
    const job = (await this.backupJobs()).jobs.find((candidate) => candidate.id === jobId);
    if (job === undefined) throw new Error(`no backup job named "${jobId}"`);
    return job;
  }

  async snapshots(jobId: string): Promise<SnapshotView[]> {
    const { cap, path } = await this.#aliasTarget((await this.#job(jobId)).target);
    const response = await fetch(`${uriPath(cap, joinPath(path, 'Archives'))}?t=json`, { credentials: 'same-origin' });
    if (response.status === 404) return []; // no run has finished yet
    if (!response.ok) throw await errorOf(response);
    const listing = directoryListingOf('', (await response.json()) as Parameters<typeof directoryListingOf>[1]);
    return listing.entries
      .filter((entry) => entry.kind === 'directory')
      .map((entry) => ({ jobId, name: entry.name, takenAt: Date.parse(entry.name) }))
      .sort((a, b) => b.name.localeCompare(a.name));
  }

  async restore(request: RestoreRequest): Promise<void> {
    const { cap, path } = await this.#aliasTarget((await this.#job(request.jobId)).target);
    const snapshot = request.snapshot === 'Latest' ? 'Latest' : joinPath('Archives', request.snapshot);
    const body = { source: cap, path: joinPath(path, snapshot, request.path), destination: request.destination };
    const response = await this.#call('/restore', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const lines = (await response.text()).trim().split('\n');
    const last = JSON.parse(lines.at(-1) ?? '{}') as { type?: string; error?: string };
    if (last.type !== 'summary') throw new Error(last.error ?? 'the restore stopped before it finished');
  }

  async pickFolder(): Promise<string | undefined> {
    return undefined;
  }
  /** A node's own web UI has no /setup (it is set up); the first-run server (`cairn app`) has. */
  async setup(): Promise<SetupView> {
    const response = await fetch('/setup', { credentials: 'same-origin' });
    if (response.status === 404) return { needsSetup: false };
    if (!response.ok) throw await errorOf(response);
    return { needsSetup: ((await response.json()) as SetupView).needsSetup };
  }
  async createGrid(request: CreateGridRequest): Promise<void> {
    await this.#setUp('/setup/create-grid', request);
  }
  async #setUp(url: string, request: CreateGridRequest | JoinRequest): Promise<void> {
    await this.#call(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
    this.#session = undefined; // the node now has its "cairn:" folder
    if (this.#events !== undefined) {
      // the event stream failed while there was no node: open it again
      this.#events.close();
      this.#openEvents();
    }
  }
  async createInvite(): Promise<InviteView> {
    return (await this.#json('/invite', { method: 'POST' })) as InviteView;
  }
  async joinGrid(request: JoinRequest): Promise<void> {
    await this.#setUp('/setup/join-grid', request);
  }
  async settings(): Promise<SettingsView> {
    return settingsViewOf((await this.#json('/settings')) as SettingsJson);
  }
  async updateSettings(patch: SettingsPatch): Promise<SettingsView> {
    const answer = await this.#json('/settings', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) });
    return settingsViewOf(answer as SettingsJson);
  }
  async debugLog(): Promise<string> {
    return (await this.#call('/debug-log')).text();
  }
}

/** GET/PATCH /settings as JSON: null where the contract has undefined. */
interface SettingsJson {
  readonly nickname: string;
  readonly reservedSpace: number | null;
  readonly encoding: SettingsView['encoding'];
  readonly launchAtLogin: boolean | null;
}

function settingsViewOf(json: SettingsJson): SettingsView {
  return {
    nickname: json.nickname,
    reservedSpace: json.reservedSpace ?? undefined,
    encoding: { needed: json.encoding.needed, happy: json.encoding.happy, total: json.encoding.total },
    launchAtLogin: json.launchAtLogin ?? undefined,
  };
}
