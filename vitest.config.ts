import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Run in test:faults (one file at a time) only until traced: beside the other files on 2 cores its
    // processor, starved, gives up its partition lease and once stayed at "pending 1" (issues 12, 17).
    exclude: ['test/fuzz/nats.test.ts', '**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
