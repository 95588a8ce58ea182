import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The NATS fuzz, the notifier fault and the cluster roles test are back (they had been left to
    // test:faults / test:cluster while a lease-starved processor stalled at "pending 1" in the full
    // suite: leases are renewed by a thread of their own now, test/cluster/starved.test.ts).
    exclude: ['**/node_modules/**'],
    // Browser and fault tests time real screens and processes on 2 shared cores: a test that fails
    // is run once more before it counts (a failure that repeats is a failure).
    retry: 1,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
