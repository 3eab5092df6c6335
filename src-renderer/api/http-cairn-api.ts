// CairnApi in a plain browser: the node's REST API (same origin, the session cookie) and its
// server-sent event stream (/events). The desktop app implements the same over IPC.
import type { CairnApi, CairnEvent, CairnEventListener, DirectoryListing, ShareLink, StatusView, UploadFile, UploadHandle, UploadProgress } from '../../src-shared/ipc/index.js';
import { directoryListingOf, readCapOf, statusViewOf, type StatusJson } from './node-json.js';

/** Not logged in (no session cookie, or the node restarted). */
export class NotLoggedInError extends Error {
  override readonly name = 'NotLoggedInError';
}

function notInBrowser(what: string): Promise<never> {
  return Promise.reject(new Error(`${what} is not available in the web UI yet`));
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
  #rootCap: Promise<string> | undefined;
  readonly #listeners = new Set<CairnEventListener>();
  #events: EventSource | undefined;

  async #rootPath(path: string): Promise<string> {
    this.#rootCap ??= this.#fetchRoot();
    const root = await this.#rootCap.catch((error: unknown) => {
      this.#rootCap = undefined;
      throw error;
    });
    const names = path === '' ? [] : path.split('/');
    return ['/uri', encodeURIComponent(root), ...names.map(encodeURIComponent)].join('/');
  }

  async #fetchRoot(): Promise<string> {
    const session = (await this.#json('/ui/session')) as { rootCap?: string };
    if (session.rootCap === undefined) throw new Error('this node has no "cairn:" folder (its default alias)');
    return session.rootCap;
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
    const link = document.createElement('a');
    link.href = await this.#rootPath(path);
    link.download = splitPath(path).name;
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
    return { name, readCap, link: `cairn:open?cap=${encodeURIComponent(readCap)}&name=${encodeURIComponent(name)}` };
  }

  backupJobs() {
    return notInBrowser('Backups');
  }
  addBackupJob() {
    return notInBrowser('Backups');
  }
  removeBackupJob() {
    return notInBrowser('Backups');
  }
  runBackupJob() {
    return notInBrowser('Backups');
  }
  setBackupsPaused() {
    return notInBrowser('Backups');
  }
  snapshots() {
    return notInBrowser('Backups');
  }
  restore() {
    return notInBrowser('Restore');
  }
  async pickFolder(): Promise<string | undefined> {
    return undefined;
  }
  async setup() {
    return { needsSetup: false };
  }
  createGrid() {
    return notInBrowser('Creating a grid');
  }
  createInvite() {
    return notInBrowser('Inviting a friend');
  }
  joinGrid() {
    return notInBrowser('Joining a grid');
  }
  async settings() {
    const status = await this.status();
    return { nickname: status.nickname, reservedSpace: undefined, encoding: status.encoding, launchAtLogin: undefined };
  }
  updateSettings() {
    return notInBrowser('Changing settings');
  }
  debugLog() {
    return notInBrowser('The debug log');
  }
}
