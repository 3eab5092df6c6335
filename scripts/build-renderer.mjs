// Bundles the renderer (src-renderer/) into dist/renderer/: index.html, app.js, app.css.
// esbuild-wasm: the same bundler as esbuild, with no native binary.
import { copyFile, mkdir } from 'node:fs/promises';
import { build } from 'esbuild-wasm';

const root = new URL('../', import.meta.url);
const out = new URL('dist/renderer/', root);
await mkdir(out, { recursive: true });
await build({
  entryPoints: { app: new URL('src-renderer/main.tsx', root).pathname },
  bundle: true,
  format: 'esm',
  target: 'chrome120',
  jsx: 'automatic',
  minify: true,
  sourcemap: false,
  outdir: out.pathname,
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
for (const file of ['index.html', 'favicon.svg']) await copyFile(new URL(`src-renderer/${file}`, root), new URL(file, out));
