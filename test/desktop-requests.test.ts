// The desktop app's IPC requests as Electron main answers them, against a real in-process
// node: validation first, then first-run setup, status, invites and the app's settings.
// Only the Electron shell (dialogs, login items) is a stand-in: it cannot run here.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupJobView, BackupJobsView, DirectoryListing, InviteView, SettingsView, SharedEntryView, ShareLink, SnapshotView, StatusView, UploadProgress } from '../src-shared/ipc/index.js';
import { parseShareLink } from '../src-shared/ipc/index.js';
import { formatCap } from '../src-shared/caps/index.js';
import { gridRootCap } from '../src-main/node/grid-root.js';
import { openInvite } from '../src-shared/invite/invite-code.js';
import { DesktopRequests, type DesktopShell } from '../src-main/app/desktop-requests.js';
import { DEFAULT_DESKTOP_SETTINGS, type DesktopSettings } from '../src-main/app/desktop-settings.js';
import { AppNode } from '../src-main/node/app-node.js';
import { formatGridLink } from '../src-main/node/grid-link.js';

let root: string;
let app: AppNode;
let requests: DesktopRequests;
let desktop: DesktopSettings = DEFAULT_DESKTOP_SETTINGS;
let saveTarget: string | undefined;
let openLink: string | undefined;
const progress: Array<{ uploadId: string; progress: UploadProgress }> = [];
/** told each progress message as it is sent (the renderer's reaction to it) */
let onUploadProgress: ((uploadId: string, progress: UploadProgress) => void) | undefined;

const shell: DesktopShell = {
  pickFolder: async () => '/home/alice/Pictures',
  chooseSaveTarget: async () => saveTarget,
  takeOpenLink: () => {
    const link = openLink;
    openLink = undefined;
    return link;
  },
  uploadProgress: (uploadId, p) => {
    progress.push({ uploadId, progress: p });
    onUploadProgress?.(uploadId, p);
  },
  settings: () => desktop,
  updateSettings: async (patch) => {
    desktop = { ...desktop, ...patch };
  },
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cairn-desktop-requests-'));
  app = await AppNode.open(root, { fastTimers: true });
  requests = new DesktopRequests(app, shell);
});

afterAll(async () => {
  await app?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('desktop IPC requests', () => {
  it('before setup: needs setup, and node requests say what to do first', async () => {
    expect(await requests.handle('setup', [])).toEqual({ needsSetup: true });
    await expect(requests.handle('status', [])).rejects.toThrow('create or join a grid first');
    await expect(requests.handle('createInvite', [])).rejects.toThrow('there is no grid to invite to yet');
  });

  it('bad input is refused in one line and changes nothing', async () => {
    await expect(requests.handle('createGrid', [{ gridName: '', nickname: 'alice' }])).rejects.toThrow('the grid name must be a short line of text');
    await expect(requests.handle('createGrid', [{ gridName: 'friends', nickname: 'alice', extra: 1 }])).rejects.toThrow(/extra/);
    await expect(requests.handle('createGrid', [])).rejects.toThrow('createGrid takes 1 argument(s), not 0');
    await expect(requests.handle('eval', ['1'])).rejects.toThrow('no such request: "eval"');
    await expect(requests.handle('joinGrid', [{ code: 'cairn-invite-v1:zzzz', passphrase: 'x', nickname: 'bob' }])).rejects.toThrow(/invite code/);
    expect(app.state).toBe('needs-setup');
  });

  it('creating a grid makes this node its introducer; status and invites work', async () => {
    await requests.handle('createGrid', [{ gridName: 'friends', nickname: 'alice' }]);
    expect(await requests.handle('setup', [])).toEqual({ needsSetup: false });
    const status = (await requests.handle('status', [])) as StatusView;
    expect(status.gridName).toBe('friends');
    expect(status.nickname).toBe('alice');
    expect(status.introducer).toEqual({ connected: true, runsHere: true });
    expect(status.peers.map((p) => p.nickname)).toEqual(['alice']);
    const invite = (await requests.handle('createInvite', [])) as InviteView;
    expect(await openInvite(invite.code, invite.passphrase)).toBe(formatGridLink(app.service!.node.gridLink));
    await expect(requests.handle('createGrid', [{ gridName: 'again', nickname: 'alice' }])).rejects.toThrow('this app already has a node');
  });

  it('pause, launch at login and settings', async () => {
    await requests.handle('setBackupsPaused', [true]);
    expect(desktop.backupsPaused).toBe(true);
    await expect(requests.handle('setBackupsPaused', ['yes'])).rejects.toThrow(/paused/);
    const settings = (await requests.handle('updateSettings', [{ launchAtLogin: true }])) as SettingsView;
    expect(settings).toMatchObject({ nickname: 'alice', launchAtLogin: true, encoding: { needed: 3, happy: 5, total: 10 } });
    // the node's own settings go through NodeSettings, as PATCH /settings does
    const renamed = (await requests.handle('updateSettings', [{ nickname: 'alice2', encoding: { needed: 2, happy: 3, total: 4 } }])) as SettingsView;
    expect(renamed).toMatchObject({ nickname: 'alice2', launchAtLogin: true, encoding: { needed: 2, happy: 3, total: 4 } });
    expect(JSON.parse(await readFile(join(app.nodeDir, 'cairn.json'), 'utf8'))).toMatchObject({ nickname: 'alice2', shares: { needed: 2, happy: 3, total: 4 } });
    await expect(requests.handle('updateSettings', [{ encoding: { needed: 4, happy: 3, total: 4 } }])).rejects.toThrow(/happy \(servers to spread over\) must be a whole number from 4 to 4/);
    expect(((await requests.handle('settings', [])) as SettingsView).encoding).toEqual({ needed: 2, happy: 3, total: 4 });
    expect(await requests.handle('pickFolder', [])).toBe('/home/alice/Pictures');
    const log = (await requests.handle('debugLog', [])) as string;
    expect(log).toContain('introducer');
    expect(log).not.toContain(formatGridLink(app.service!.node.gridLink));
  });

  it('files in the shared root: make a folder, list, rename, read-only cap, remove', async () => {
    // a grid of one that can store alone (the default 3/5/10 needs five servers)
    const solo = await AppNode.open(join(root, 'solo'), { fastTimers: true });
    await solo.createGrid({ nickname: 'solo', listen: '/ip4/127.0.0.1/tcp/0', encoding: { needed: 1, happy: 1, total: 1 } });
    const requests = new DesktopRequests(solo, shell);
    try {
      await filesRoundTrip(requests);
      await transfersRoundTrip(requests, solo);
      // pausing backups in the app pauses the node's backup scheduler; "back up now" needs jobs
      await requests.handle('setBackupsPaused', [true]);
      expect((await solo.service!.backupJobs.status()).paused).toBe(true);
      await requests.handle('setBackupsPaused', [false]);
      expect((await solo.service!.backupJobs.status()).paused).toBe(false);
      await expect(requests.backUpNow()).rejects.toThrow('there are no backup jobs yet: add a folder in Backups');
      await backupsRoundTrip(requests);
    } finally {
      await solo.stop();
    }
  });

  async function backupsRoundTrip(requests: DesktopRequests): Promise<void> {
    const source = join(root, 'documents');
    await mkdir(source);
    await writeFile(join(source, 'letter.txt'), 'dear friend');
    const job = { id: 'docs', source, target: 'cairn:backups/laptop', schedule: { every: 3600 }, excludes: [], retention: { last: 3 } };
    await expect(requests.handle('addBackupJob', [{ ...job, id: 'no spaces' }])).rejects.toThrow(/job/);
    const added = (await requests.handle('addBackupJob', [job])) as BackupJobView;
    expect(added).toMatchObject({ id: 'docs', source, target: 'cairn:backups/laptop', running: false });
    await requests.handle('runBackupJob', ['docs']);
    const jobs = (await requests.handle('backupJobs', [])) as BackupJobsView;
    expect(jobs.paused).toBe(false);
    expect(jobs.jobs).toHaveLength(1);
    expect(jobs.jobs[0]).toMatchObject({ id: 'docs', lastResult: 'ok' });
    expect(jobs.jobs[0]!.lastRunAt).toBeGreaterThan(Date.now() - 60_000);
    const snapshots = (await requests.handle('snapshots', ['docs'])) as SnapshotView[];
    // a new job is due at once, so the scheduler may have run it too
    expect(snapshots.length).toBeGreaterThanOrEqual(1);
    expect(snapshots.every((snapshot) => snapshot.jobId === 'docs' && snapshot.takenAt > Date.now() - 120_000)).toBe(true);
    const restored = join(root, 'restored');
    await requests.handle('restore', [{ jobId: 'docs', snapshot: snapshots[0]!.name, path: 'letter.txt', destination: join(restored, 'letter.txt') }]);
    expect(await readFile(join(restored, 'letter.txt'), 'utf8')).toBe('dear friend');
    await expect(requests.handle('restore', [{ jobId: 'docs', snapshot: 'Latest', path: 'nothing.txt', destination: join(restored, 'x') }])).rejects.toThrow(/nothing\.txt/);
    // the tray's "Back up now" runs it too
    expect(await requests.backUpNow()).toBe(1);
    await requests.handle('removeBackupJob', ['docs']);
    expect(((await requests.handle('backupJobs', [])) as BackupJobsView).jobs).toEqual([]);
    await expect(requests.handle('runBackupJob', ['docs'])).rejects.toThrow('no backup job named "docs"');
  }

  async function transfersRoundTrip(requests: DesktopRequests, solo: AppNode): Promise<void> {
    const data = randomBytes(200_000);
    const local = join(root, 'holiday.bin');
    await writeFile(local, data);
    await requests.handle('makeDirectory', ['trips']);
    await requests.handle('uploadLocalFile', [{ uploadId: 'u1', directoryPath: 'trips', name: 'holiday.bin', localPath: local }]);
    // sending from 0, never backwards, then done
    expect(progress[0]).toEqual({ uploadId: 'u1', progress: { state: 'sending', bytesDone: 0, bytesTotal: 200_000 } });
    expect(progress.at(-1)).toEqual({ uploadId: 'u1', progress: { state: 'done', bytesDone: 200_000, bytesTotal: 200_000 } });
    const sent = progress.map((p) => p.progress.bytesDone);
    expect(sent).toEqual([...sent].sort((a, b) => a - b));
    expect(progress.slice(1, -1).every((p) => p.progress.state === 'sending')).toBe(true);
    const listing = (await requests.handle('listDirectory', ['trips'])) as DirectoryListing;
    expect(listing.entries).toMatchObject([{ name: 'holiday.bin', kind: 'file', size: 200_000 }]);
    await expect(requests.handle('uploadLocalFile', [{ uploadId: 'u2', directoryPath: 'trips', name: 'gone.bin', localPath: join(root, 'gone.bin') }])).rejects.toThrow('"gone.bin" is not a file on this computer (a folder, or gone)');
    await expect(requests.handle('uploadLocalFile', [{ uploadId: 'u3', directoryPath: 'trips', name: 'a/b', localPath: local }])).rejects.toThrow();
    await cancelRoundTrip(requests, local);
    await sharedRoundTrip(requests, data, solo);

    // save: cancelled dialog writes nothing; then to a chosen file, whole
    const before = await readdir(root);
    saveTarget = undefined;
    await requests.handle('saveFile', ['trips/holiday.bin']);
    expect(await readdir(root)).toEqual(before);
    saveTarget = join(root, 'holiday-copy.bin');
    expect(existsSync(saveTarget)).toBe(false);
    await requests.handle('saveFile', ['trips/holiday.bin']);
    expect((await readFile(saveTarget)).equals(data)).toBe(true);
    await expect(requests.handle('saveFile', ['trips'])).rejects.toThrow('"trips" is a folder or a mutable file; only files can be saved');
    expect((await readdir(root)).filter((n) => n.endsWith('.cairn-part'))).toEqual([]);
    await requests.handle('remove', ['trips']);
  }

  /** Share links: made for an entry, opened (a file, a folder, below it), saved, linked into cairn:. */
  async function sharedRoundTrip(requests: DesktopRequests, data: Buffer, solo: AppNode): Promise<void> {
    await requests.handle('makeDirectory', ['trips/2026']);
    await writeFile(join(root, 'empty.txt'), '');
    await requests.handle('uploadLocalFile', [{ uploadId: 'u-empty', directoryPath: 'trips/2026', name: 'empty.txt', localPath: join(root, 'empty.txt') }]);
    const fileLink = (await requests.handle('shareLink', ['trips/holiday.bin'])) as ShareLink;
    expect(fileLink.name).toBe('holiday.bin');
    expect(fileLink.readCap).toMatch(/^URI:CHK:/);
    expect(parseShareLink(fileLink.link)).toEqual({ readCap: fileLink.readCap, name: 'holiday.bin' });
    const folderLink = (await requests.handle('shareLink', ['trips'])) as ShareLink;
    expect(folderLink.readCap).toMatch(/^URI:DIR2-ED25519-RO:/);
    await expect(requests.handle('shareLink', ['trips/nothing'])).rejects.toThrow(/nothing/);

    expect(await requests.handle('openShared', [fileLink.readCap, ''])).toEqual({ kind: 'file', size: 200_000 });
    const folder = (await requests.handle('openShared', [folderLink.readCap, ''])) as SharedEntryView;
    expect(folder).toMatchObject({ kind: 'directory', listing: { path: '', writable: false, entries: [{ name: '2026', path: '2026', kind: 'directory', writable: false }, { name: 'holiday.bin', path: 'holiday.bin', kind: 'file', size: 200_000, writable: false }] } });
    expect(await requests.handle('openShared', [folderLink.readCap, '2026'])).toMatchObject({ kind: 'directory', listing: { path: '2026', entries: [{ name: 'empty.txt', path: '2026/empty.txt', kind: 'file', size: 0 }] } });
    await expect(requests.handle('openShared', [folderLink.readCap, 'nowhere'])).rejects.toThrow(/nowhere/);
    await expect(requests.handle('openShared', [fileLink.readCap, 'below'])).rejects.toThrow('the shared cap names a file, not a folder: there is nothing below it');
    await expect(requests.handle('openShared', ['URI:CHK:garbage', ''])).rejects.toThrow(/^the cap is damaged/);

    // a shared file saved where the dialog says, whole; a folder is refused before any dialog
    saveTarget = join(root, 'shared-copy.bin');
    await requests.handle('saveSharedFile', [folderLink.readCap, 'holiday.bin', 'holiday.bin']);
    expect((await readFile(saveTarget)).equals(data)).toBe(true);
    await requests.handle('saveSharedFile', [fileLink.readCap, '', 'holiday.bin']);
    expect((await readFile(saveTarget)).equals(data)).toBe(true);
    saveTarget = join(root, 'never-written');
    await expect(requests.handle('saveSharedFile', [folderLink.readCap, '2026', '2026'])).rejects.toThrow('"2026" is a folder or a mutable file; only files can be saved');
    expect(existsSync(saveTarget)).toBe(false);

    // linked into cairn: under a new name; an existing name is refused and stays as it was
    await requests.handle('linkShared', [fileLink.readCap, '', 'from a friend.bin']);
    await requests.handle('linkShared', [folderLink.readCap, 'trips/2026', 'trips again']);
    const rootListing = (await requests.handle('listDirectory', [''])) as DirectoryListing;
    expect(rootListing.entries.map((e) => e.name)).toEqual(['trips', 'from a friend.bin']);
    expect(rootListing.entries[1]).toMatchObject({ kind: 'file', size: 200_000 });
    expect(((await requests.handle('listDirectory', ['trips/2026/trips again'])) as DirectoryListing).entries.map((e) => e.name)).toEqual(['2026', 'holiday.bin']);
    await expect(requests.handle('linkShared', [folderLink.readCap, '', 'from a friend.bin'])).rejects.toThrow(/already has a child named "from a friend.bin"/);
    expect(await requests.handle('readOnlyCap', ['from a friend.bin'])).toBe(fileLink.readCap);
    // a write cap given to the opener is only ever linked as its read cap
    const rootWriteCap = formatCap(gridRootCap(solo.service!.node.gridLink));
    await requests.handle('linkShared', [rootWriteCap, 'trips', 'root, read-only']);
    expect(((await requests.handle('listDirectory', ['trips/root, read-only'])) as DirectoryListing).writable).toBe(false);
    await requests.handle('remove', ['trips/root, read-only']);
    await requests.handle('remove', ['from a friend.bin']);
    await requests.handle('remove', ['trips/2026']);
  }

  /** An upload cancelled once its first bytes are stored: it stops, and leaves no link and no share. */
  async function cancelRoundTrip(requests: DesktopRequests, small: string): Promise<void> {
    const size = 24 * 1024 * 1024;
    const big = join(root, 'movie.bin');
    await writeFile(big, randomBytes(size));
    const sharesBefore = ((await requests.handle('status', [])) as StatusView).storage!.shares;
    let cancelled: Promise<unknown> | undefined;
    onUploadProgress = (uploadId, p) => {
      // the renderer's Cancel, as soon as the node has stored the first bytes
      if (uploadId === 'u-cancel' && p.bytesDone > 0) cancelled ??= requests.handle('cancelUpload', ['u-cancel']);
    };
    try {
      await expect(requests.handle('uploadLocalFile', [{ uploadId: 'u-cancel', directoryPath: 'trips', name: 'movie.bin', localPath: big }])).rejects.toThrow('cancelled');
    } finally {
      onUploadProgress = undefined;
    }
    expect(cancelled).toBeDefined();
    await cancelled;
    const seen = progress.filter((p) => p.uploadId === 'u-cancel').map((p) => p.progress);
    expect(seen.at(-1)).toMatchObject({ state: 'cancelled', bytesTotal: size });
    expect(seen.at(-1)!.bytesDone).toBeGreaterThan(0);
    expect(seen.at(-1)!.bytesDone).toBeLessThan(size);
    expect(seen.some((p) => p.state === 'done' || p.state === 'failed')).toBe(false);
    // nothing linked, and no share (whole or partial) left on the storage server
    expect(((await requests.handle('listDirectory', ['trips'])) as DirectoryListing).entries.map((e) => e.name)).toEqual(['holiday.bin']);
    expect(((await requests.handle('status', [])) as StatusView).storage!.shares).toBe(sharesBefore);
    // an upload that is over (or never was) is left as it is, and its id may be used again
    await requests.handle('cancelUpload', ['u-cancel']);
    await expect(requests.handle('cancelUpload', ['no such id!'])).rejects.toThrow(/upload id/);
    await requests.handle('uploadLocalFile', [{ uploadId: 'u-cancel', directoryPath: 'trips', name: 'again.bin', localPath: small }]);
    expect(((await requests.handle('listDirectory', ['trips'])) as DirectoryListing).entries.map((e) => e.name)).toEqual(['again.bin', 'holiday.bin']);
    await requests.handle('remove', ['trips/again.bin']);
  }

  async function filesRoundTrip(requests: DesktopRequests): Promise<void> {
    expect(await requests.handle('listDirectory', [''])).toEqual({ path: '', writable: true, entries: [] });
    await requests.handle('makeDirectory', ['photos']);
    await requests.handle('makeDirectory', ['photos/2026']);
    const listing = (await requests.handle('listDirectory', ['photos'])) as DirectoryListing;
    expect(listing.entries).toMatchObject([{ name: '2026', path: 'photos/2026', kind: 'directory', size: undefined, writable: true }]);
    expect(listing.entries[0]!.modifiedAt).toBeGreaterThan(Date.now() - 60_000);
    await requests.handle('rename', ['photos/2026', 'summer']);
    expect(((await requests.handle('listDirectory', ['photos'])) as DirectoryListing).entries.map((e) => e.name)).toEqual(['summer']);
    expect(await requests.handle('readOnlyCap', ['photos'])).toMatch(/^URI:DIR2-ED25519-RO:/);
    await expect(requests.handle('makeDirectory', ['nowhere/deep'])).rejects.toThrow(/nowhere/);
    await expect(requests.handle('listDirectory', ['../etc'])).rejects.toThrow();
    await requests.handle('remove', ['photos']);
    expect(((await requests.handle('listDirectory', [''])) as DirectoryListing).entries).toEqual([]);
  }

  it('hands the renderer a cairn: link the OS asked the app to open, once', async () => {
    expect(await requests.handle('takeOpenLink', [])).toBeUndefined();
    openLink = 'cairn:open?cap=URI%3ALIT%3Anbswy3dp&name=hello.txt';
    expect(await requests.handle('takeOpenLink', [])).toBe('cairn:open?cap=URI%3ALIT%3Anbswy3dp&name=hello.txt');
    expect(await requests.handle('takeOpenLink', [])).toBeUndefined();
  });
});
