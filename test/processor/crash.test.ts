/**
 * Nothing lost, nothing doubled across a crash: the processor runs as its own process over a long
 * input, is killed with SIGKILL three times mid-stream and restarted, and the transitions it leaves
 * in CADRE_EVENTS are exactly those of an uninterrupted replay of the same input, and so are the
 * complaints and KPI series its grid documents show.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useNats } from '../helpers/nats.js';
import { loadConfig } from '../../config/load.js';
import { ensureStreams } from '../../ingest/streams.js';
import { replay } from '../../processor/replay.js';
import { replayLines } from '../../sim/ndjson.js';
import { Kvm } from '@nats-io/kv';
import { BUCKETS, STREAMS, kvKey } from '../../shared/subjects.js';
import type { GridDoc } from '../../shared/views.js';
import { normalize } from '../../ingest/normalize.js';
import { Core } from '../../processor/core/index.js';
import type { EventTransition } from '../../shared/schemas.js';
import { configDir, publishLines, readStream, streamCount, waitFor } from './live_helpers.js';

const nats = useNats();
const CADRE = new URL('../../dist/bin/cadre.js', import.meta.url).pathname;
const PROVINCE_TOPOLOGY = new URL('../../config/topology.json', import.meta.url).pathname;
const MINUTE = 60_000;

let child: ChildProcess | undefined;
afterEach(() => void child?.kill('SIGKILL'));

/** ~96k lines over 90 simulated minutes of the shipped province, with a storm and the scripted cases. */
function longInput(topology: ReturnType<typeof loadConfig>['topology']): string[] {
  const start = Date.parse('2026-10-15T00:00:00Z');
  const at = (minutes: number) => start + minutes * MINUTE;
  const lines = [
    ...replayLines({
      topology,
      seed: 7,
      start,
      durationMs: 90 * MINUTE,
      rate: 20,
      scenarios: [
        { name: 'storm', at: at(10) },
        { name: 'shuguang', at: at(20) },
        { name: 'vip', at: at(30) },
        { name: 'flapping', at: at(40) },
        { name: 'media', at: at(50) },
      ],
      traffic: { complaintsPerHour: 400 },
    }),
  ];
  // A last tick past the end releases the reorder buffer, as time going on would in a live system.
  lines.push(JSON.stringify({ type: 'tick', time: new Date(at(91)).toISOString() }));
  return lines;
}

describe('the processor after SIGKILL', () => {
  it('leaves exactly the transitions of an uninterrupted replay: no gap, no duplicate', async () => {
    const dir = configDir({ 'cadre.yaml': 'processor:\n  checkpointInterval: 0.5\n  batchSize: 200\n' });
    copyFileSync(PROVINCE_TOPOLOGY, join(dir, 'topology.json'));
    const config = loadConfig(dir);
    const lines = longInput(config.topology);

    const expected: string[] = [];
    await replay(
      [
        {
          name: 'input',
          lines: (async function* () {
            yield* lines;
          })(),
        },
      ],
      { rules: config.rules, topology: config.topology, clock: 'ticks' },
      { out: (text) => void expected.push(...text.split('\n').filter(Boolean)), err: () => {} },
    );
    expect(expected.length).toBeGreaterThan(1000);

    await ensureStreams(nats.nc, config);
    await publishLines(nats.nc, config.topology, lines);
    await waitFor(
      'the input stored',
      async () => (await streamCount(nats.nc, STREAMS.input.name)) === lines.length || undefined,
    );

    const dataDir = mkdtempSync(join(tmpdir(), 'cadre-crash-data-'));
    const output: string[] = [];
    const run = () => {
      child = spawn(process.execPath, [CADRE, 'processor', '--no-ticks'], {
        env: { ...process.env, NATS_URL: nats.url, CADRE_CONFIG: dir, CADRE_DATA: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
      child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
      return child;
    };
    const published = () => streamCount(nats.nc, STREAMS.events.name);
    const runsStarted = () =>
      output.join('').match(/resuming after stream sequence \d+|starting from the beginning/g)?.length ?? 0;

    for (const [i, share] of [0.2, 0.45, 0.7].entries()) {
      const running = run();
      const exited = new Promise((resolve) => running.once('exit', resolve));
      // Killed only once it has loaded its checkpoint (a fast run may already be past the next share).
      await waitFor(`run ${i + 1} started`, async () => runsStarted() > i || undefined, 60_000);
      await waitFor(
        `${share * 100}% of the transitions`,
        async () => (await published()) >= expected.length * share || undefined,
        60_000,
      );
      running.kill('SIGKILL');
      await exited;
    }
    run();
    await waitFor('the last run started', async () => runsStarted() > 3 || undefined, 60_000);
    await waitFor(
      'every transition',
      async () => (await published()) >= expected.length || undefined,
      60_000,
    );
    await new Promise((r) => setTimeout(r, 500)); // anything more would be a duplicate or a stray

    const stored = await readStream(nats.nc, STREAMS.events.name);
    const ids = stored.map((m) => m.msgId);
    expect(new Set(ids).size, 'duplicate id:seq in CADRE_EVENTS').toBe(ids.length);
    expect(stored.length, output.join('')).toBe(expected.length);
    const transitions = stored.map((m) => JSON.parse(m.text) as EventTransition);
    expect(transitions).toEqual(expected.map((line) => JSON.parse(line) as EventTransition));
    // The output really came from several runs: three restarts resumed from a checkpoint.
    expect(output.join('').match(/resuming after stream sequence \d+/g)?.length).toBe(3);

    // What grid pages show is the uninterrupted run's too: no complaint or KPI sample applied twice.
    const core = new Core({ rules: config.rules, topology: config.topology, clock: 'ticks' });
    for (const line of lines) {
      const n = normalize(JSON.parse(line), undefined, config.topology);
      if (n.ok) core.push(n.input);
    }
    const gridsKv = await new Kvm(nats.nc).open(BUCKETS.grids);
    const shown = [...new Set(transitions.filter((t) => t.rule === 'complaint').map((t) => t.grid))];
    expect(shown.length).toBeGreaterThan(10);
    for (const grid of shown) {
      const want = core.gridDoc(grid);
      const doc = await waitFor(`grid document ${grid}`, async () => {
        const d = (await gridsKv.get(kvKey(grid)))?.json<GridDoc>();
        return d && d.complaints.length === want.complaints.length ? d : undefined;
      });
      expect(doc.complaints, grid).toEqual(want.complaints);
      expect(doc.kpi, grid).toEqual(want.kpi);
    }
  }, 240_000);
});
