// What the desktop app's window may load (app:// files only), its CSP, and the tray icon files.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_CHANNEL, IPC_CHANNEL_PREFIX, IPC_METHODS, UPLOAD_PROGRESS_CHANNEL, type TrayStateKind } from '../src-shared/ipc/index.js';
import { CONTENT_SECURITY_POLICY, rendererFileOf } from '../src-main/app/renderer-files.js';
import { trayIconFile } from '../src-main/app/tray-icon-files.js';

const dir = resolve('dist', 'renderer');

describe('app:// renderer files', () => {
  it('maps app://cairn/ paths to files in the renderer folder with their type', () => {
    expect(rendererFileOf('app://cairn/', dir)).toEqual({ path: join(dir, 'index.html'), contentType: 'text/html; charset=utf-8' });
    expect(rendererFileOf('app://cairn/app.js?v=1', dir)).toEqual({ path: join(dir, 'app.js'), contentType: 'text/javascript; charset=utf-8' });
    expect(rendererFileOf('app://cairn/icons/a%20b.svg', dir)?.path).toBe(join(dir, 'icons', 'a b.svg'));
  });

  it('refuses other hosts, schemes, escapes out of the folder and unknown types', () => {
    for (const url of [
      'app://evil/index.html',
      'https://cairn/index.html',
      'file:///etc/passwd',
      'app://cairn/..%2f..%2fsecret.js',
      'app://cairn/a%5c..%5c..%5csecret.js',
      'app://cairn/x%00.js',
      'app://cairn/%E0%A4%A.js',
      'app://cairn/private.key',
      'not a url',
    ]) {
      expect(rendererFileOf(url, dir), url).toBeUndefined();
    }
    // URL parsing already folds plain dot segments: they stay inside the folder
    expect(rendererFileOf('app://cairn/../../../etc/passwd.js', dir)?.path).toBe(join(dir, 'etc', 'passwd.js'));
  });

  it('the CSP allows only the app itself: no inline script, eval or remote hosts', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });
});

describe('the preload', () => {
  // the code without its comments
  const source = readFileSync(join('src-main', 'app', 'preload.cts'), 'utf8')
    .split('\n')
    .filter((line) => !line.trim().startsWith('//'))
    .join('\n');

  it('uses the contract channel names and offers every IPC method the contract lists', () => {
    expect(source).toContain(`const IPC_CHANNEL_PREFIX = '${IPC_CHANNEL_PREFIX}';`);
    expect(source).toContain(`const EVENT_CHANNEL = '${EVENT_CHANNEL}';`);
    expect(source).toContain(`const UPLOAD_PROGRESS_CHANNEL = '${UPLOAD_PROGRESS_CHANNEL}';`);
    for (const method of IPC_METHODS) expect(source, method).toContain(`invoke('${method}'`);
  });

  it('requires nothing but electron and exposes only window.cairn and the shell kind', () => {
    expect(source.match(/require\('[^']+'\)/g)).toEqual(["require('electron')"]);
    expect(source.match(/exposeInMainWorld\('[a-zA-Z]+'/g)).toEqual(["exposeInMainWorld('cairn'", "exposeInMainWorld('cairnShell'"]);
  });
});

describe('tray icons', () => {
  it('every tray state has its icon file', () => {
    const kinds: TrayStateKind[] = ['healthy', 'degraded', 'offline', 'busy', 'error'];
    for (const kind of kinds) expect(existsSync(trayIconFile('assets', kind)), kind).toBe(true);
  });
});

describe('window preferences', () => {
  it('follow the Electron security checklist', async () => {
    const { secureWebPreferences } = await import('../src-main/app/window-preferences.js');
    expect(secureWebPreferences('/app/preload.cjs')).toMatchObject({ preload: '/app/preload.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, allowRunningInsecureContent: false });
  });
});

describe('the main process entry', () => {
  it('tunes V8’s heap as `cairn run` does, before any other module loads', async () => {
    const imports = readFileSync(join('src-main', 'app', 'main.ts'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('import '));
    expect(imports[0]).toMatch(/^import '\.\/heap-flags-first\.js';/);
    expect(readFileSync(join('src-main', 'app', 'heap-flags-first.ts'), 'utf8')).toMatch(/^applyNodeHeapFlags\(\);$/m);
    const { NODE_HEAP_FLAGS } = await import('../src-main/node/heap-flags.js');
    expect(NODE_HEAP_FLAGS).toEqual(['--semi-space-growth-factor=1', '--heap-growing-percent=200']);
    expect(readFileSync(join('bin', 'cairn.js'), 'utf8')).toMatch(/argv\[2\] === 'run' \|\| process\.argv\[2\] === 'app'\) \{\n.*heap-flags\.js.*\n\s+applyNodeHeapFlags\(\);/);
  });
});
