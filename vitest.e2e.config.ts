import { defineConfig } from 'vitest/config';

// `npm run e2e`: the web UI in real Chromium against real grids (e2e/). Each file starts its
// own grid; they run one at a time (a grid of 5 processes and a browser are enough for 2 cores).
export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts'],
    setupFiles: ['./test/setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 90_000,
    pool: 'forks',
    fileParallelism: false,
    // a UI wait covers a grid write (a folder published to 5 servers) on a loaded 2-core
    // machine: poll like Playwright's own expect (5 s), not Vitest's 1 s default
    expect: { poll: { timeout: 5_000, interval: 100 } },
  },
});
