// `npm run bench`: runs the compiled benchmarks in dist/bench (prebench builds them).
// Plain JS so that it needs no build step itself; the benchmarks are TypeScript in bench/.
//   node bench/run.js            all benchmarks
//   node bench/run.js grid       only the named ones (encode, grid, latency, backup)
import '../dist/src-shared/polyfills/promise-with-resolvers.js';

const benches = {
  encode: async () => (await import('../dist/bench/encode.js')).main(),
  grid: async () => (await import('../dist/bench/grid.js')).main(),
  latency: async () => (await import('../dist/bench/latency.js')).main(),
  backup: async () => (await import('../dist/bench/backup.js')).main(),
};

const chosen = process.argv.slice(2);
for (const name of chosen) {
  if (!(name in benches)) {
    console.error(`unknown benchmark ${JSON.stringify(name)}; choose from: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
}
for (const name of chosen.length === 0 ? Object.keys(benches) : chosen) await benches[name]();
