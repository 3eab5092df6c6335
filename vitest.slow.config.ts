import { defineConfig } from 'vitest/config';

// `npm run test:slow`: long real-process suites that `npm test` leaves out.
export default defineConfig({
  test: {
    include: ['test/slow/**/*.test.ts'],
    setupFiles: ['./test/setup.ts'],
    testTimeout: 60 * 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
