/**
 * The processor's own wall clock against the times it is told: a tick far ahead of it is refused
 * (dead-lettered, counted), whoever published it and whatever the broker stamped; and a core clock
 * that jumped ahead of it (a broker whose clock leapt, an old checkpoint's tick) shows in its stats,
 * which /readyz of a processor lists per partition.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headers } from '@nats-io/transport-node';
import { useNats } from '../helpers/nats.js';
import { loadConfig, type Config } from '../../config/load.js';
import { ensureStreams } from '../../broker/streams.js';
import { startProcessor, type RunningProcessor } from '../../processor/live.js';
import { HEADERS, STREAMS, subjects } from '../../shared/subjects.js';
import { complaint, scenarioConfigDir, readStream, waitFor } from './live_helpers.js';

const nats = useNats();
const HOUR = 3_600_000;
/** This processor's wall clock runs two hours behind the broker's (and the producers'). */
const SKEW = 2 * HOUR;
let config: Config;
let processor: RunningProcessor | undefined;

beforeAll(async () => {
  const dir = scenarioConfigDir({});
  config = loadConfig(dir);
  await ensureStreams(nats.nc, config);
  processor = await startProcessor({
    nc: nats.nc,
    natsUrl: nats.url,
    config,
    now: () => Date.now() - SKEW,
    log: () => {},
  });
});
afterAll(async () => {
  await processor?.stop();
});

describe("the processor's wall clock", () => {
  it('refuses a tick far ahead of it, even one on time for the broker (it was applied)', async () => {
    nats.nc.publish(
      subjects.tick(undefined),
      JSON.stringify({ type: 'tick', time: new Date().toISOString() }),
    );
    const dlq = await waitFor('the refused tick in the DLQ', async () => {
      const all = await readStream(nats.nc, STREAMS.dlq.name);
      return all.length ? all : undefined;
    });
    expect(dlq.map((m) => m.subject)).toEqual(['cadre.dlq.tick']);
  });

  it('shows a clock that jumped ahead of it in its stats', async () => {
    // Input on time for the broker moves the core's clock to the broker's time: two hours ahead.
    const h = headers();
    h.set(HEADERS.msgId, 'complaint:CLK-1');
    nats.nc.publish(subjects.input('complaint', 'HY'), JSON.stringify(complaint('CLK-1')), { headers: h });
    const stats = await waitFor(
      'stats with the jump',
      () => (processor!.stats().clock?.jumped ? processor!.stats() : undefined),
      5000,
    );
    expect(stats.clock!.aheadSeconds).toBeGreaterThan(SKEW / 1000 - 60);
    expect(stats.clock!.refusedTicks).toBe(1);
  });
});
