// `npm run bench`: runs the compiled benchmarks in dist/bench (prebench builds them).
// Plain JS so that it needs no build step itself; the benchmarks are TypeScript in bench/.
import '../dist/src-shared/polyfills/promise-with-resolvers.js';
import { main as encodeBench } from '../dist/bench/encode.js';

await encodeBench();
