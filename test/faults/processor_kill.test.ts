/**
 * SIGKILL of the processor every few seconds while the province's input streams in (3 kills in
 * `npm test`, 12 in `npm run test:faults`): each run resumes from its checkpoint, and the checker
 * finds exactly the transitions, DLQ entries and read models of an uninterrupted replay of the
 * stored input. Recovery: from the kill until the next run's first new transition is stored.
 */
import { describe, expect, it } from 'vitest';
import { useNats } from '../helpers/nats.js';
import { ensureStreams } from '../../broker/streams.js';
import { STREAMS } from '../../shared/subjects.js';
import { streamCount, waitFor } from '../processor/live_helpers.js';
import { check, expectClean, summary } from './checker.js';
import {
  LONG,
  RUN_STARTED,
  faultConfig,
  paceInput,
  processorRole,
  provinceInput,
  settle,
  untilGrows,
} from './stack.js';

const nats = useNats();
const KILLS = LONG ? 12 : 3;
const EVERY_MS = LONG ? 3000 : 1500;

describe('the processor killed with SIGKILL', () => {
  it(
    `every ${EVERY_MS / 1000} s, ${KILLS} times, leaves exactly what an uninterrupted replay does`,
    async () => {
      const { dir, config } = faultConfig({
        // A restarted processor is another instance: the killed one's lease must expire first.
        'cadre.yaml':
          'processor:\n  checkpointInterval: 0.5\n  batchSize: 200\nleases:\n  ttl: 5s\n  renewInterval: 0.5s\n',
      });
      await ensureStreams(nats.nc, config);
      // The input outlasts the kills: every restart has input left to recover on.
      const lines = provinceInput(config, LONG ? 480 : 90);
      const publishing = paceInput(nats.nc, config, lines, LONG ? 6000 : 4000);
      const processor = processorRole(nats.url, dir);
      const recoveries: number[] = [];
      try {
        let killedAt: number | undefined;
        for (let run = 0; run <= KILLS; run++) {
          const before = await streamCount(nats.nc, STREAMS.events.name);
          processor.start();
          await waitFor(
            `run ${run + 1} started`,
            () => processor.count(RUN_STARTED) > run || undefined,
            60_000,
          );
          if (killedAt !== undefined) {
            await untilGrows(nats.nc, before, 60_000, processor);
            recoveries.push(performance.now() - killedAt);
          }
          if (run === KILLS) break;
          await new Promise((r) => setTimeout(r, EVERY_MS));
          await processor.kill();
          killedAt = performance.now();
        }
        await publishing;
        await settle(nats.nc);
        const report = await check(nats.nc, { config });
        console.log(summary(`processor SIGKILL ×${KILLS}`, report, recoveries));
        expectClean(report);
        expect(report.transitions).toBeGreaterThan(1000);
        expect(processor.count(/resuming after stream sequence \d+/), processor.log).toBeGreaterThanOrEqual(
          KILLS,
        );
      } finally {
        await processor.kill();
      }
    },
    LONG ? 600_000 : 240_000,
  );
});
