import { defineConfig } from 'vitest/config';

/**
 * `npm run test:cluster`: the high-availability tests on a real 3-node nats-server cluster at full
 * length — a longer failover input, every role's node killed in turn (npm test runs a short version).
 */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    env: { CADRE_HA: 'long' },
    testTimeout: 900_000,
    hookTimeout: 90_000,
    pool: 'forks',
    // One cluster at a time: three servers and four roles already share the two cores.
    fileParallelism: false,
  },
});
