/**
 * What city partitions cannot see: a customer who complains in 长沙 and then in 株洲. With
 * `processor.partitions: cities` each city's core keeps its own customer book, so the second complaint
 * is a first one there (tier level, no repeat raise); with `all` — and in `cadre replay` — it is a
 * repeat, one level higher. The decision and its reason: docs/architecture.md, "High availability".
 */
import { describe, expect, it } from 'vitest';
import { useNats } from '../helpers/nats.js';
import { loadConfig } from '../../config/load.js';
import { ensureStreams } from '../../broker/streams.js';
import { startOwnership } from '../../processor/ownership.js';
import { replay } from '../../processor/replay.js';
import { resetOutputs } from '../../bench/nats_fixture.js';
import { STREAMS, subjects } from '../../shared/subjects.js';
import type { EventTransition } from '../../shared/schemas.js';
import { ndjson } from './helpers.js';
import { configDir, publishLines, readStream, waitFor } from './live_helpers.js';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';

const nats = useNats();
const TOPOLOGY = new URL('../../config/topology.json', import.meta.url).pathname;

function province(partitions: 'all' | 'cities') {
  const dir = configDir({
    'cadre.yaml': `processor:\n  partitions: ${partitions}\nleases:\n  ttl: 2s\n  renewInterval: 0.25s\n`,
  });
  copyFileSync(TOPOLOGY, join(dir, 'topology.json'));
  return loadConfig(dir);
}

/** The levels the two complaints' events open at, under one partitioning. */
async function levels(partitions: 'all' | 'cities', lines: string[]): Promise<string[]> {
  const config = province(partitions);
  await resetOutputs(nats.nc, { freshInput: true });
  await ensureStreams(nats.nc, config);
  const ownership = await startOwnership({
    nc: nats.nc,
    natsUrl: nats.url,
    config,
    ticks: false,
    log: () => {},
  });
  try {
    if (partitions === 'all') await publishLines(nats.nc, config.topology, lines);
    else {
      // Each city's clock is its own tick subject.
      await publishLines(nats.nc, config.topology, lines.slice(0, 2));
      for (const city of config.topology.cities) nats.nc.publish(subjects.tick(city.id), lines[2]!);
    }
    const opened = await waitFor(
      'both complaint events',
      async () => {
        const stored = (await readStream(nats.nc, STREAMS.events.name)).map(
          (m) => JSON.parse(m.text) as EventTransition,
        );
        const o = stored.filter((t) => t.transition === 'opened' && t.rule === 'complaint');
        return o.length === 2 ? o : undefined;
      },
      30_000,
    );
    return opened.sort((a, b) => a.openedAt.localeCompare(b.openedAt)).map((t) => t.level);
  } finally {
    await ownership.stop();
  }
}

describe('a customer complaining in two cities', () => {
  it('is a repeat within one partition of the province, and a first complaint in each city partition', async () => {
    const { topology } = province('all');
    const grid = (city: string) => topology.grids.find((g) => g.city === city)!.id;
    const customer = { id: 'CUST-TRAVELLER', tier: 3 };
    const lines = [
      {
        type: 'complaint',
        id: 'TRV-1',
        time: '2026-10-15T08:00:00Z',
        customer,
        grid: grid('CS'),
        category: 'data',
      },
      {
        type: 'complaint',
        id: 'TRV-2',
        time: '2026-10-15T09:00:00Z',
        customer,
        grid: grid('ZZ'),
        category: 'data',
      },
      { type: 'tick', time: '2026-10-15T09:10:00Z' },
    ].map((l) => JSON.stringify(l));

    const replayed: EventTransition[] = [];
    await replay(
      [
        {
          name: 'input',
          lines: (async function* () {
            yield* lines;
          })(),
        },
      ],
      { rules: province('all').rules, topology, clock: 'ticks' },
      {
        out: (text) => void replayed.push(...ndjson<EventTransition>(text)),
        err: () => {},
      },
    );
    const replayLevels = replayed.filter((t) => t.transition === 'opened').map((t) => t.level);
    expect(replayLevels).toEqual(['yellow', 'orange']); // tier 3 is yellow; its repeat one higher

    expect(await levels('all', lines)).toEqual(replayLevels);
    expect(await levels('cities', lines)).toEqual(['yellow', 'yellow']);
  }, 90_000);
});
