// The desktop app's decisions that need no Electron: notifications, the tray menu, the app
// menu's shortcuts, the app's own settings file and the cairn: links the OS hands over.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appMenuTemplate } from '../src-main/app/app-menu-model.js';
import { DEFAULT_DESKTOP_SETTINGS, loadDesktopSettings, saveDesktopSettings } from '../src-main/app/desktop-settings.js';
import { NotificationRules } from '../src-main/app/notification-rules.js';
import { trayMenuModel } from '../src-main/app/tray-menu-model.js';
import { isOpenLink, openLinkInArgv, protocolClientArguments } from '../src-main/app/open-link-argv.js';

const HOUR = 3_600_000;

describe('notifications', () => {
  it('a backup that ends says whether it finished or failed; a repair says it is done', () => {
    const rules = new NotificationRules();
    expect(rules.operationEnded({ kind: 'backup', state: 'running', bytesDone: 5 })).toBeUndefined();
    expect(rules.operationEnded({ kind: 'backup', state: 'done', bytesDone: 5 })).toEqual({ title: 'Backup finished', body: 'Your files are backed up to the grid.' });
    expect(rules.operationEnded({ kind: 'backup', state: 'failed', bytesDone: 5, error: 'only 2 of 5 servers answered' })).toEqual({ title: 'Backup failed', body: 'only 2 of 5 servers answered' });
    expect(rules.operationEnded({ kind: 'repair', state: 'done', bytesDone: 5 })?.title).toBe('Repair done');
    // everyday operations stay quiet
    expect(rules.operationEnded({ kind: 'upload', state: 'done', bytesDone: 5 })).toBeUndefined();
    expect(rules.operationEnded({ kind: 'download', state: 'failed', bytesDone: 0, error: 'x' })).toBeUndefined();
  });

  it('a friend offline for long is reported once per absence', () => {
    let now = 100 * HOUR;
    const rules = new NotificationRules({ offlineAfterMs: 6 * HOUR, now: () => now });
    const bob = { peerId: 'p-bob', nickname: 'bob', connected: false, lastSeen: now - 5 * HOUR };
    const carol = { peerId: 'p-carol', nickname: 'carol', connected: true, lastSeen: now };
    expect(rules.peersSeen([bob, carol])).toEqual([]);
    now += HOUR;
    expect(rules.peersSeen([bob, carol])).toEqual([{ title: 'bob is offline', body: 'bob has been offline for 6 hours. Your files stay safe while enough other friends are online.' }]);
    now += HOUR;
    expect(rules.peersSeen([bob, carol])).toEqual([]);
    // back, then gone again: a new absence
    expect(rules.peersSeen([{ ...bob, connected: true, lastSeen: now }])).toEqual([]);
    now += 3 * 24 * HOUR;
    expect(rules.peersSeen([{ ...bob, lastSeen: now - 3 * 24 * HOUR }])[0]?.body).toMatch(/^bob has been offline for 3 days\./);
    // never seen at all: nothing to say
    expect(rules.peersSeen([{ peerId: 'p-x', nickname: 'x', connected: false, lastSeen: undefined }])).toEqual([]);
  });
});

describe('tray menu', () => {
  const actions = (items: ReturnType<typeof trayMenuModel>) => items.flatMap((i) => (i.kind === 'action' ? [`${i.action}${i.enabled ? '' : ' (disabled)'}`] : []));

  it('has open, pause or resume, back up now, copy invite and quit, under the status line', () => {
    const items = trayMenuModel({ tooltip: 'Cairn: healthy', nodeRunning: true, backupsPaused: false });
    expect(items[0]).toEqual({ kind: 'status', label: 'Cairn: healthy' });
    expect(actions(items)).toEqual(['open', 'pause-backups', 'back-up-now', 'copy-invite', 'quit']);
    expect(actions(trayMenuModel({ tooltip: '', nodeRunning: true, backupsPaused: true }))).toEqual(['open', 'resume-backups', 'back-up-now (disabled)', 'copy-invite', 'quit']);
  });

  it('before setup only open and quit work', () => {
    expect(actions(trayMenuModel({ tooltip: '', nodeRunning: false, backupsPaused: false }))).toEqual(['open', 'pause-backups (disabled)', 'back-up-now (disabled)', 'copy-invite (disabled)', 'quit']);
  });
});

describe('app menu', () => {
  const roles = (platform: NodeJS.Platform) => JSON.stringify(appMenuTemplate(platform)).match(/"role":"[a-zA-Z]+"/g)?.map((r) => r.slice(8, -1));

  it('has the standard edit shortcuts and quit on every platform, and the macOS app menu on macOS', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      expect(roles(platform)).toEqual(expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'quit', 'close', 'minimize']));
    }
    expect(appMenuTemplate('darwin')[0]?.label).toBe('Cairn');
    expect(appMenuTemplate('linux')[0]?.label).toBe('File');
  });
});

describe('desktop settings', () => {
  it('default when missing or damaged, and round-trip', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-desktop-'));
    try {
      expect(await loadDesktopSettings(dir)).toEqual(DEFAULT_DESKTOP_SETTINGS);
      await writeFile(join(dir, 'desktop.json'), '{ not json');
      expect(await loadDesktopSettings(dir)).toEqual(DEFAULT_DESKTOP_SETTINGS);
      await writeFile(join(dir, 'desktop.json'), '{"launchAtLogin":"yes","backupsPaused":true}');
      expect(await loadDesktopSettings(dir)).toEqual({ launchAtLogin: false, backupsPaused: true });
      await saveDesktopSettings(dir, { launchAtLogin: true, backupsPaused: false });
      expect(await loadDesktopSettings(dir)).toEqual({ launchAtLogin: true, backupsPaused: false });
      expect(JSON.parse(await readFile(join(dir, 'desktop.json'), 'utf8'))).toEqual({ launchAtLogin: true, backupsPaused: false });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('cairn: links handed over by the OS', () => {
  const link = 'cairn:open?cap=URI%3ALIT%3Anbswy3dp&name=hello.txt';

  it('finds the link among the arguments of a first or second instance', () => {
    // Windows: the link is the last argument of the new process
    expect(openLinkInArgv(['C:\\Program Files\\Cairn\\Cairn.exe', link])).toBe(link);
    // Electron's second-instance argv carries Chromium's switches before the link
    expect(openLinkInArgv(['/opt/Cairn/cairn', '--allow-file-access-from-files', '--original-process-start-time=1', link])).toBe(link);
    // `electron .` in development: the app's path, then the link
    expect(openLinkInArgv(['/usr/bin/electron', '/home/ann/cairn', link])).toBe(link);
    expect(openLinkInArgv(['/opt/Cairn/cairn', 'CAIRN:open?cap=x'])).toBe('CAIRN:open?cap=x');
  });

  it('takes no other argument for a link', () => {
    expect(openLinkInArgv(['/opt/Cairn/cairn'])).toBeUndefined();
    expect(openLinkInArgv(['/opt/Cairn/cairn', '--cairn:open?cap=x', 'https://example.org/?cairn:open', '/home/ann/cairn:open'])).toBeUndefined();
    expect(openLinkInArgv(['/opt/Cairn/cairn', `cairn:open?cap=${'a'.repeat(9000)}`])).toBeUndefined();
    expect(isOpenLink('cairn:')).toBe(true);
    expect(isOpenLink('cairns:open')).toBe(false);
  });

  it('registers the scheme with the app path only when run as `electron .`', () => {
    expect(protocolClientArguments(false, ['/opt/Cairn/cairn'])).toEqual([]);
    expect(protocolClientArguments(true, ['/usr/bin/electron', '.'])).toEqual(['.']);
  });
});
