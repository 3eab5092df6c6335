import { describe, expect, it } from 'vitest';
import { InputError, IPC_METHODS, formatShareLink, parseShareLink, validateBackupJob, validateEntryName, validateReadCap, validateRequest, validateSettingsPatch, validateVdrivePath } from '../src-shared/ipc/index.js';
import { formatCap, parseCap, readOnlyCapOf, verifyCapOf, type ChkReadCap } from '../src-shared/caps/index.js';

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

describe('share links', () => {
  const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
  const chk = formatCap({ kind: 'chk', key: bytes(16, 1), uebHash: bytes(32, 2), neededShares: 3, totalShares: 10, size: 123_456 });
  const writeCap = { kind: 'ssk-ed25519', writekey: bytes(16, 3), fingerprint: bytes(32, 4) } as const;
  const dirWrite = formatCap({ kind: 'dir', file: writeCap });
  const dirRead = formatCap(readOnlyCapOf({ kind: 'dir', file: writeCap }));
  const lit = formatCap({ kind: 'lit', data: new TextEncoder().encode('hello') });

  it('makes links that open again to the same read cap and name', () => {
    const link = formatShareLink(chk, 'Été 2024.pdf');
    expect(link).toMatch(/^cairn:open\?cap=URI%3ACHK%3A[^&]+&name=%C3%89t%C3%A9%202024\.pdf$/);
    expect(parseShareLink(link)).toEqual({ readCap: chk, name: 'Été 2024.pdf' });
    expect(parseShareLink(`  ${formatShareLink(dirRead, 'photos')}\n`)).toEqual({ readCap: dirRead, name: 'photos' });
    // as some systems hand a scheme's link over, and without a name
    expect(parseShareLink(`cairn://open?cap=${encodeURIComponent(lit)}`)).toEqual({ readCap: lit, name: undefined });
  });

  it('takes a bare read cap, and turns a write cap into its read cap', () => {
    expect(parseShareLink(chk)).toEqual({ readCap: chk, name: undefined });
    expect(parseShareLink(dirRead)).toEqual({ readCap: dirRead, name: undefined });
    expect(parseShareLink(dirWrite)).toEqual({ readCap: dirRead, name: undefined });
    expect(validateReadCap(formatCap(writeCap))).toMatch(/^URI:SSK-ED25519-RO:/);
    expect(validateReadCap(lit)).toBe(lit);
  });

  it('refuses anything else in one line that says what is wrong, never echoing a key', () => {
    expect(errorOf(() => parseShareLink('   '))).toBe('paste a cairn:open link or a read cap');
    expect(errorOf(() => parseShareLink('https://example.org/file'))).toMatch(/^not a Cairn link: paste a link that starts with "cairn:open\?" or a read cap/);
    expect(errorOf(() => parseShareLink('cairn:photos/beach.jpg'))).toBe('not a Cairn share link: it must start with "cairn:open?"');
    expect(errorOf(() => parseShareLink('cairn:open?name=x'))).toBe('the link has no cap in it: copy the whole link again');
    expect(errorOf(() => parseShareLink('cairn:open?cap=hello'))).toMatch(/^the cap in the link is not a read cap \(URI:CHK:/);
    const damaged = `${chk.slice(0, 30)}!${chk.slice(31)}`;
    const message = errorOf(() => parseShareLink(damaged));
    expect(message).toMatch(/^the cap is damaged: /);
    expect(message).not.toContain(chk.split(':')[2]!.slice(0, 10));
    expect(errorOf(() => parseShareLink(formatCap(verifyCapOf(parseCap(chk) as ChkReadCap))))).toMatch(/^the cap is a verify cap: it can check a file's shares but not read it/);
    expect(errorOf(() => parseShareLink(formatShareLink(chk, 'a/b')))).toBe('the name in the link "a/b" cannot contain "/"');
    expect(errorOf(() => parseShareLink(`cairn:open?cap=${'A'.repeat(9000)}`))).toBe('that is too long to be a link or a cap');
  });

  it('checks the caps of the opener\'s requests', () => {
    expect(validateRequest('openShared', [dirWrite, 'a/b'])).toEqual([dirRead, 'a/b']);
    expect(validateRequest('linkShared', [chk, '', 'beach.jpg'])).toEqual([chk, '', 'beach.jpg']);
    expect(() => validateRequest('openShared', ['URI:nope', ''])).toThrow(/not a read cap|damaged/);
    expect(() => validateRequest('linkShared', [chk, '', '..'])).toThrow('the name cannot be ".."');
    expect(() => validateRequest('saveSharedFile', [chk, '../x', 'x'])).toThrow(/path in the shared folder/);
  });
});
