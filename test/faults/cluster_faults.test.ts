/**
 * On a 3-node JetStream cluster (test/helpers/cluster.ts), the node that leads CADRE_IN killed with
 * SIGKILL while the province's input streams in (long: three times, a different leader each time),
 * and started again: the streams elect another leader, the processor (its own process, connected to
 * every node) goes on, and the checker finds exactly what replay of the stored input makes.
 * Recovery: from the kill until transitions flow again.
 *
 * Open (docs/reliability.md): some runs lose a few complaint events' transitions (6 and 9 of ~700 in
 * two of nine runs on 2 shared cores on 2026-12-02, none since) — neither the transition nor the
 * event's KV document is ever written, so the processor never made them; and right after a kill the
 * processor's lease writes can go unanswered longer than the lease's ttl, so it gives its partition
 * up and resumes from its checkpoint. On failure the test prints the lost ids and the processor's log.
 */
import { describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { loadConfig } from '../../config/load.js';
import { ensureStreams } from '../../broker/streams.js';
import { STREAMS } from '../../shared/subjects.js';
import { clusterConfigDir, clusterRoleEnv, untilCurrent, useCluster } from '../helpers/cluster.js';
import { streamCount, waitFor } from '../processor/live_helpers.js';
import { check, expectClean, summary } from './checker.js';
import { LONG, RUN_STARTED, paceInput, processorRole, provinceInput, settle, untilGrows } from './stack.js';

const fixture = useCluster();
const KILLS = LONG ? 3 : 1;

// In the long suite only until the losses are traced: a red npm test would stop everyone's work.
describe.runIf(LONG)('a cluster node that leads CADRE_IN killed', () => {
  it(
    `${KILLS} time(s) mid-stream: another leads, nothing lost or doubled`,
    async () => {
      const { cluster, nc } = fixture;
      const dir = clusterConfigDir('processor:\n  checkpointInterval: 0.5\n');
      const config = loadConfig(dir);
      await ensureStreams(nc, config);
      const processor = processorRole(cluster.urls, dir, clusterRoleEnv()).start();
      try {
        await waitFor(
          'the processor started',
          () => processor.count(RUN_STARTED) > 0 || undefined,
          60_000,
        ).catch((err: Error) => {
          throw new Error(`${err.message}; the processor said:\n${processor.log}`);
        });
        // Input for longer than the kills take: recovery is "transitions flow again", which only input
        // can make (no ticks of its own). 45 minutes of province (40,725 lines, 27 s at 1,500/s) ran
        // out before the second or third kill's recovery, and untilGrows then waited 90 s for nothing.
        const publishing = paceInput(nc, config, provinceInput(config, LONG ? 240 : 15), 1500, {
          lossy: true,
        });
        let inputEnded = false;
        void publishing.finally(() => (inputEnded = true));
        const jsm = await jetstreamManager(nc);
        const recoveries: number[] = [];
        for (let i = 0; i < KILLS; i++) {
          await new Promise((r) => setTimeout(r, 2000));
          const leader = (await jsm.streams.info(STREAMS.input.name)).cluster?.leader;
          const node = cluster.nodes.find((n) => n.name === leader);
          expect(node, `leader ${leader}`).toBeDefined();
          const before = await streamCount(nc, STREAMS.events.name);
          await node!.kill('SIGKILL');
          const killed = performance.now();
          await untilGrows(nc, before, 90_000, processor).catch((err: Error) => {
            if (inputEnded) err.message = `the input ended meanwhile: ${err.message}`;
            throw err;
          });
          recoveries.push(performance.now() - killed);
          await node!.start();
          await cluster.ready();
          // The next kill only once this node has caught up: two nodes out is no quorum at all.
          await untilCurrent(nc);
        }
        await publishing;
        await settle(nc, 8000, 90_000);
        const report = await check(nc, { config, grids: [] });
        console.log(summary(`CADRE_IN leader's node SIGKILL ×${KILLS} (3-node cluster)`, report, recoveries));
        if (report.lost.length)
          console.log(`lost ${report.lost.slice(0, 20).join(' ')}; the processor said:\n${processor.log}`);
        expectClean(report);
        expect(report.transitions).toBeGreaterThan(100);
      } finally {
        await processor.kill();
      }
    },
    LONG ? 600_000 : 240_000,
  );
});
