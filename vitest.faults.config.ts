import { defineConfig } from 'vitest/config';

/**
 * `npm run test:faults`: the fault suite at full length and the fuzz tests at three times their
 * cases (npm test runs a short version of each).
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
    env: { CADRE_FAULTS: 'long' },
    testTimeout: 600_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One fault at a time: they measure recovery, and two would share the two cores.
    fileParallelism: false,
  },
});
