/**
 * A processor whose main thread is starved of CPU keeps its partition. Under the whole suite on 2
 * shared cores a busy main thread read its lease renewals' answers late, took them for timeouts, gave
 * its partition up and restarted it from a checkpoint it could not advance (each checkpoint renews
 * the lease first): it churned, and a settle step saw its stats stay at "pending 1". The leases are
 * renewed by a thread of their own now (broker/lease_keeper.ts).
 *
 * The starvation is made inside the processor's own process (a module preloaded with --import): on
 * SIGUSR2 its main thread spins for longer than the lease's "surely ours" time (0.75 × ttl) again and
 * again, with short breaks — the feeder and keeper threads run on. The processor must not give its
 * partition up, fence itself or restart, and the checker must find exactly what replay makes.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../processor/live_helpers.js';
import { check, expectClean, summary } from '../faults/checker.js';
import {
  RUN_STARTED,
  faultBroker,
  paceInput,
  processorRole,
  provinceInput,
  settle,
  useStarted,
} from '../faults/stack.js';

const LONG = process.env.CADRE_HA === 'long' || process.env.CADRE_FAULTS === 'long';
/** ttl 4 s: surely ours for 3 s after a renewal is sent; each spin of the main thread lasts 4.5 s. */
const TTL = '4s';
const SPIN_MS = 4500;
const STARVED_MS = LONG ? 60_000 : 20_000;

/** The preload: on SIGUSR2 the main thread spins SPIN_MS, breathes 100 ms, … for STARVED_MS. */
const STARVE = `
import { isMainThread } from 'node:worker_threads';
if (isMainThread) {
  process.on('SIGUSR2', () => {
    const end = Date.now() + ${STARVED_MS};
    process.stderr.write('starving the main thread\\n');
    const spin = () => {
      const until = Date.now() + ${SPIN_MS};
      while (Date.now() < until);
      if (Date.now() < end) setTimeout(spin, 100);
      else process.stderr.write('main thread free\\n');
    };
    spin();
  });
}
`;

const open = useStarted();

describe('a processor whose main thread is starved', () => {
  it(
    `keeps its partition through ${STARVED_MS / 1000} s of ${SPIN_MS / 1000} s stalls (lease ttl ${TTL})`,
    async () => {
      const { nats, dir, config } = await faultBroker({
        'cadre.yaml': `processor:\n  checkpointInterval: 0.5\nleases:\n  ttl: ${TTL}\n  renewInterval: 0.4s\n`,
      });
      open.stop = () => nats.stop();
      const preload = join(mkdtempSync(join(tmpdir(), 'cadre-starve-')), 'starve.mjs');
      writeFileSync(preload, STARVE);
      const processor = processorRole(nats.server.url, dir, {
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${preload}`.trim(),
      }).start();
      open.roles.push(processor);
      await processor.running(60_000);

      const lines = provinceInput(config, LONG ? 40 : 20);
      const pacing = paceInput(nats.nc, config, lines, 400);
      await new Promise((r) => setTimeout(r, 2000));
      processor.signal('SIGUSR2');
      await pacing;
      await waitFor(
        'the starving to end',
        () => processor.count(/main thread free/) > 0 || undefined,
        120_000,
      );
      await settle(nats.nc, 2000, 90_000).catch((err: Error) => {
        throw new Error(`${err.message}; the processor said:\n${processor.log}`);
      });

      const report = await check(nats.nc, { config, grids: [] });
      console.log(summary(`processor main thread starved ${STARVED_MS / 1000} s`, report, []));
      expectClean(report);
      expect(report.transitions).toBeGreaterThan(100);
      // Never given up, never fenced, never restarted: one run from the beginning.
      expect(processor.count(/giving it up|lapsed|not written, the partition's lease/), processor.log).toBe(
        0,
      );
      expect(processor.count(RUN_STARTED), processor.log).toBe(1);
      expect(processor.child?.exitCode, processor.log).toBeNull();
    },
    LONG ? 400_000 : 240_000,
  );
});
