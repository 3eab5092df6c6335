import { describe, expect, it } from 'vitest';
import { InputError, IPC_METHODS, validateBackupJob, validateEntryName, validateRequest, validateSettingsPatch, validateVdrivePath } from '../src-shared/ipc/index.js';

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected an InputError');
}

const job = { id: 'photos', source: '/home/ann/Pictures', target: 'cairn:backups/laptop', schedule: { every: 3600 }, excludes: ['*.tmp'], retention: { last: 5, daily: 7 } };

describe('IPC validators', () => {
  it('accepts good vdrive paths and names, normalising to NFC', () => {
    expect(validateVdrivePath('')).toBe('');
    expect(validateVdrivePath('photos/2024/beach.jpg')).toBe('photos/2024/beach.jpg');
    expect(validateEntryName('Cafe\u0301.txt')).toBe('Caf\u00e9.txt');
  });

  it('refuses bad paths and names with one line saying why', () => {
    expect(errorOf(() => validateVdrivePath('a//b'))).toMatch(/empty/);
    expect(errorOf(() => validateVdrivePath('a/../b'))).toMatch(/cannot be "\.\."/);
    expect(errorOf(() => validateEntryName('x/y'))).toMatch(/cannot contain "\/"/);
    expect(errorOf(() => validateEntryName('bad\nname'))).toMatch(/control character/);
    expect(errorOf(() => validateEntryName(42))).toMatch(/must be text, not a number/);
    expect(errorOf(() => validateEntryName('x'.repeat(300)))).toMatch(/too long/);
  });

  it('checks a whole backup job and refuses unknown fields, relative folders and bad schedules', () => {
    expect(validateBackupJob(job)).toEqual({ ...job, target: 'cairn:backups/laptop' });
    expect(errorOf(() => validateBackupJob({ ...job, source: 'Pictures' }))).toMatch(/source folder must be an absolute path/);
    expect(errorOf(() => validateBackupJob({ ...job, target: 'backups' }))).toMatch(/alias:path/);
    expect(validateBackupJob({ ...job, schedule: { at: ['02:00', '14:30'] } }).schedule).toEqual({ at: ['02:00', '14:30'] });
    expect(errorOf(() => validateBackupJob({ ...job, schedule: { at: ['25:00'] } }))).toMatch(/HH:MM/);
    expect(errorOf(() => validateBackupJob({ ...job, schedule: { every: 10 } }))).toMatch(/interval \(seconds\) must be a whole number from 60/);
    expect(errorOf(() => validateBackupJob({ ...job, schedule: { every: 3600, at: ['02:00'] } }))).toMatch(/exactly one of/);
    expect(errorOf(() => validateBackupJob({ ...job, id: 'my photos' }))).toMatch(/job name "my photos" must be/);
    expect(errorOf(() => validateBackupJob({ ...job, retention: { last: -1 } }))).toMatch(/retention "last" must be a whole number/);
    expect(errorOf(() => validateBackupJob({ ...job, evil: true }))).toMatch(/unknown field "evil"/);
  });

  it('checks settings: K ≤ happy ≤ N, whole bytes, booleans', () => {
    expect(validateSettingsPatch({ nickname: ' ann ', launchAtLogin: true })).toEqual({ nickname: 'ann', launchAtLogin: true });
    expect(errorOf(() => validateSettingsPatch({ encoding: { needed: 4, happy: 3, total: 10 } }))).toMatch(/happy/);
    expect(errorOf(() => validateSettingsPatch({ reservedSpace: 1.5 }))).toMatch(/whole number/);
    expect(errorOf(() => validateSettingsPatch({ launchAtLogin: 'yes' }))).toMatch(/true or false/);
  });

  it('checks a new grid: its name, and an optional encoding with K ≤ happy ≤ N', () => {
    expect(validateRequest('createGrid', [{ nickname: 'ann', gridName: ' friends ' }])).toEqual([{ nickname: 'ann', gridName: 'friends' }]);
    expect(validateRequest('createGrid', [{ nickname: 'ann', gridName: 'friends', encoding: { needed: 1, happy: 1, total: 2 } }])).toEqual([{ nickname: 'ann', gridName: 'friends', encoding: { needed: 1, happy: 1, total: 2 } }]);
    expect(errorOf(() => validateRequest('createGrid', [{ nickname: 'ann', gridName: 'friends', encoding: { needed: 4, happy: 2, total: 3 } }]))).toMatch(/^K \(shares needed\) must be a whole number from 1 to 3/);
    expect(errorOf(() => validateRequest('createGrid', [{ nickname: 'ann', gridName: 'friends', port: 80 }]))).toBe('the new grid has an unknown field "port"');
  });

  it('validateRequest checks the method, the argument count and every argument', () => {
    expect(IPC_METHODS).toContain('listDirectory');
    expect(validateRequest('rename', ['photos/a.jpg', 'b.jpg'])).toEqual(['photos/a.jpg', 'b.jpg']);
    expect(validateRequest('uploadLocalFile', [{ uploadId: 'u1', directoryPath: '', name: 'a.txt', localPath: '/tmp/a.txt' }])).toEqual([{ uploadId: 'u1', directoryPath: '', name: 'a.txt', localPath: '/tmp/a.txt' }]);
    expect(errorOf(() => validateRequest('deleteEverything', []))).toMatch(/no such request/);
    expect(errorOf(() => validateRequest('__proto__', []))).toMatch(/no such request/);
    expect(errorOf(() => validateRequest('rename', ['a']))).toMatch(/takes 2 argument/);
    expect(errorOf(() => validateRequest('remove', ['']))).toMatch(/not the root/);
    expect(errorOf(() => validateRequest('joinGrid', [{ code: 'abc', passphrase: '  ', nickname: 'bob' }]))).toMatch(/passphrase is empty/);
    expect(errorOf(() => validateRequest('uploadLocalFile', [{ uploadId: 'u1', directoryPath: '', name: 'a.txt', localPath: 'relative.txt' }]))).toMatch(/absolute path/);
  });
});
