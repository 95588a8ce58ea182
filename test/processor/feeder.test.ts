/**
 * A feeder thread that can neither start nor fail — its server never answers (a cluster without a
 * quorum keeps a connect or a consumer creation waiting) — fails its start after a bound, so the
 * processor starts another instead of waiting for ever with nothing in its log.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startFeed } from '../../processor/feeder.js';

let silent: Server;
afterAll(() => new Promise<void>((resolve) => silent.close(() => resolve())));

describe('startFeed', () => {
  it('fails a start that does not finish in time', async () => {
    // Takes the TCP connection and says nothing: no INFO, so the client waits.
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const started = performance.now();
    const feed = startFeed(
      {
        servers: `nats://127.0.0.1:${port}`,
        name: 'feeder-test',
        stream: 'CADRE_IN',
        filter: 'cadre.in.>',
        namePrefix: 'feeder-test',
        startSeq: 1,
        pullBatch: 10,
        startLimitMs: 1500,
      },
      () => {},
      () => {},
    );
    await expect(feed).rejects.toThrow('not started within 1.5 s');
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
