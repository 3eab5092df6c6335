// Bundles the compiled CLI (dist/src-main/frontends/cli/main.js and all it loads, node_modules
// included) into dist/src-main/frontends/cli-bundle/: one chunk per command and chunks they
// share. Node 20 loads a few files much faster than the ~40 modules (hundreds, for `run`) a
// command imports: `cairn get` starts about 45 ms sooner here. bin/cairn.js uses the bundle
// when it is at least as new as the modules.
//
// The bundle sits at the same depth in dist/ as the modules it replaces, so that
// `new URL('../../../renderer/', import.meta.url)` (the web shell) still finds dist/renderer/,
// and the segment worker is an entry of its own beside the chunks, where
// `new URL('./segment-worker.js', import.meta.url)` finds it.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild-wasm';

const dist = new URL('../dist/', import.meta.url);
const out = new URL('src-main/frontends/cli-bundle/', dist);
await rm(out, { recursive: true, force: true });
await build({
  entryPoints: {
    main: new URL('src-main/frontends/cli/main.js', dist).pathname,
    'segment-worker': new URL('src-main/core/workers/segment-worker.js', dist).pathname,
  },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'bundle',
  outdir: out.pathname,
  // CommonJS dependencies that require() Node's own modules need a require in ESM.
  banner: { js: "import { createRequire as __cairnCreateRequire } from 'node:module'; const require = __cairnCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
