import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Browser and fault tests time real screens and processes on 2 shared cores: a test that fails
    // is run once more before it counts (a failure that repeats is a failure).
    retry: 1,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
