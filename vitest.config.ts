import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Run in test:faults (one file at a time) only until traced: beside the other files on 2 cores a
    // starved processor gives up its partition lease and its stats stayed at "pending 1" (issues 12, 17).
    exclude: [
      'test/fuzz/nats.test.ts',
      'test/faults/notify_faults.test.ts',
      // Failed twice in the full suite (CI of 05:01): runs in `npm run test:cluster` until traced.
      'test/cluster/roles.test.ts',
      '**/node_modules/**',
    ],
    // Browser and fault tests time real screens and processes on 2 shared cores: a test that fails
    // is run once more before it counts (a failure that repeats is a failure).
    retry: 1,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
