/**
 * The latency parts of `npm run bench`, on the large province of the processor part:
 * - `latency`: publish → transition on `cadre.event.>` (core NATS subscription) at a steady 5,000
 *   msg/s, with the live processor running as in production (wall-clock ticks), once with the
 *   shipped defaults (no reorder window: rules.lateness 0) and once with a window of 0.5 s, so its
 *   cost shows;
 * - `screen`: the real system (startApp: processor + gateway) and a Socket.IO client on `/live`:
 *   publish → transition in an `events` batch, then an alarm storm and what the screen received.
 * The producers and the screen run on a thread of their own (bench/traffic_worker.ts), as they are
 * other processes in a province. BENCH_LATENCY_SECONDS, BENCH_RATE and BENCH_STORM change the sizes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { connect } from '@nats-io/transport-node';
import { startApp } from '../app/app.js';
import type { Config } from '../config/load.js';
import { startProcessor } from '../processor/live.js';
import type { BenchContext, BenchPart, BenchRow } from './harness.js';
import { resetOutputs, percentiles } from './nats_fixture.js';
import { benchConfig, largeTopology } from './processor.js';
import type { TrafficRequest, TrafficResult } from './traffic_worker.js';

const SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 20);
const RATE = Number(process.env.BENCH_RATE ?? 5000);
const STORM = Number(process.env.BENCH_STORM ?? 100_000);
/** The storm of issue 10's target: 100,000 alarms in 10 s. */
const STORM_SECONDS = 10;
/** After the last publish: time for the ticks and the outbox to let the last ones through. */
const SETTLE_MS = 3000;

/** Runs one request on a fresh traffic thread (bench/traffic_worker.ts). */
async function traffic(ctx: BenchContext, config: Config, request: TrafficRequest): Promise<TrafficResult> {
  const worker = new Worker(new URL('./traffic_worker.js', import.meta.url), {
    workerData: { natsUrl: ctx.natsUrl, configDir: config.dir },
  });
  try {
    return await new Promise<TrafficResult>((resolve, reject) => {
      worker.once('message', (m: { ok: true; result: TrafficResult } | { ok: false; message: string }) =>
        m.ok ? resolve(m.result) : reject(new Error(m.message)),
      );
      worker.once('error', reject);
      worker.postMessage(request);
    });
  } finally {
    await worker.terminate();
  }
}

export const latencyPart: BenchPart = {
  name: 'latency',
  async run(ctx) {
    const topology = largeTopology();
    const rows: BenchRow[] = [];
    for (const lateness of ['0s', '0.5s']) {
      const { config, dispose } = benchConfig(topology, { 'rules.yaml': `lateness: ${lateness}\n` });
      try {
        rows.push(await toEventsSubject(ctx, config, lateness));
      } finally {
        dispose();
      }
    }
    return rows;
  },
};

async function toEventsSubject(ctx: BenchContext, config: Config, lateness: string): Promise<BenchRow> {
  const nc = await connect({ servers: ctx.natsUrl });
  try {
    await resetOutputs(nc, { freshInput: true });
    const processor = await startProcessor({ nc, natsUrl: ctx.natsUrl, config, log: () => {} });
    const result = await traffic(ctx, config, {
      rate: RATE,
      seconds: SECONDS,
      tag: `l${lateness}`,
      settleMs: SETTLE_MS,
    });
    await processor.stop();
    const what = `publish → cadre.event.> at ${RATE}/s, lateness ${lateness}${lateness === '0s' ? ' (default)' : ''}`;
    return latencyRow('latency', what, result);
  } finally {
    await nc.close();
  }
}

function latencyRow(part: string, what: string, result: TrafficResult): BenchRow {
  const { figure } = percentiles(result.latencies);
  return {
    part,
    what,
    figure,
    note: `${result.latencies.length} of ${result.complaints} complaints${result.missing ? `, ${result.missing} not seen` : ''}; ${SECONDS} s`,
  };
}

export const screenPart: BenchPart = {
  name: 'screen',
  async run(ctx) {
    // Outage debounce 1 s (default 60 s) so the storm's events open while the bench watches.
    const { config, dispose } = benchConfig(largeTopology(), {
      'rules.yaml': 'outage:\n  debounce: 1s\n',
      'access.yaml': 'anonymousViewer: true\n',
    });
    const dataDir = mkdtempSync(join(tmpdir(), 'cadre-bench-data-'));
    const nc = await connect({ servers: ctx.natsUrl });
    try {
      await resetOutputs(nc, { freshInput: true });
      const app = await startApp({
        env: { port: 0, host: '127.0.0.1', natsUrl: ctx.natsUrl, configDir: config.dir, dataDir },
        config,
        roles: new Set(['processor', 'gateway']),
        log: () => {},
      });
      try {
        const screenUrl = app.url;
        if (!screenUrl) throw new Error('bench: the app has no URL (no gateway started)');
        const result = await traffic(ctx, config, {
          screenUrl,
          rate: RATE,
          seconds: SECONDS,
          tag: 's',
          settleMs: SETTLE_MS,
          storm: { count: STORM, seconds: STORM_SECONDS },
        });
        return [latencyRow('screen', `publish → /live 'events' at ${RATE}/s`, result), stormRow(result)];
      } finally {
        await app.stop();
      }
    } finally {
      await resetOutputs(nc, { freshInput: true });
      await nc.close();
      rmSync(dataDir, { recursive: true, force: true });
      dispose();
    }
  },
};

/** The storm on the screen: batches a second while it lasted, and when the screen had all of it. */
function stormRow({ emits, stormPublishedMs }: TrafficResult): BenchRow {
  const transitions = emits.reduce((n, e) => n + e.transitions, 0);
  const lastAt = emits.at(-1)?.at ?? NaN;
  const span = emits.length > 1 ? (lastAt - emits[0].at) / 1000 : NaN;
  // The busiest second of batches, the figure the contract's ~4 a second is about.
  const perSecond = new Map<number, number>();
  for (const e of emits)
    perSecond.set(Math.floor(e.at / 1000), (perSecond.get(Math.floor(e.at / 1000)) ?? 0) + 1);
  const busiest = Math.max(0, ...perSecond.values());
  return {
    part: 'screen',
    what: `alarm storm: ${STORM} outage alarms in ${STORM_SECONDS} s → /live`,
    figure: `caught up ${((lastAt - stormPublishedMs) / 1000).toFixed(1)} s after the storm; ≤ ${busiest} emits/s`,
    note: `${emits.length} emits (${(emits.length / span).toFixed(1)}/s), ${transitions} transitions over ${span.toFixed(1)} s; published in ${(stormPublishedMs / 1000).toFixed(1)} s`,
  };
}
