/**
 * The latency parts of `npm run bench`, on the large province of the processor part:
 * - `latency`: publish → transition on `cadre.event.>` (core NATS subscription) at a steady 5,000
 *   msg/s, with the live processor running as in production (wall-clock ticks), once with the
 *   default reorder window (rules.lateness 0.5 s) and once with lateness 0, so its cost shows;
 * - `screen`: the real system (startApp: processor + gateway) and a Socket.IO client on `/live`:
 *   publish → transition in an `events` batch, then an alarm storm and what the screen received.
 * BENCH_LATENCY_SECONDS, BENCH_RATE and BENCH_STORM change the sizes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { io as ioClient } from 'socket.io-client';
import { startApp } from '../app/app.js';
import type { Config } from '../config/load.js';
import { startProcessor } from '../processor/live.js';
import type { EventTransition, IncidentTransition } from '../shared/schemas.js';
import { subjects } from '../shared/subjects.js';
import type { BenchContext, BenchPart, BenchRow } from './harness.js';
import { resetOutputs, percentiles } from './nats_fixture.js';
import { publishPaced, publishStorm, type SentAt } from './paced.js';
import { benchConfig, largeTopology } from './processor.js';

const SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 20);
const RATE = Number(process.env.BENCH_RATE ?? 5000);
const STORM = Number(process.env.BENCH_STORM ?? 100_000);
const STORM_SECONDS = 4;
/** After the last publish: time for the window, ticks and the outbox to let the last ones through. */
const SETTLE_MS = 3000;

/** Records, for each published complaint, the first time its id shows in a transition's evidence. */
class Arrivals {
  readonly sent: SentAt = new Map();
  readonly latencies: number[] = [];

  see(t: EventTransition | IncidentTransition): void {
    if (t.kind === 'incident') return; // an incident carries no complaints (its events do)
    const at = performance.now();
    for (const id of t.evidence.complaints) {
      const sentAt = this.sent.get(id);
      if (sentAt === undefined) continue;
      this.latencies.push(at - sentAt);
      this.sent.delete(id);
    }
  }
}

export const latencyPart: BenchPart = {
  name: 'latency',
  async run(ctx) {
    const topology = largeTopology();
    const rows: BenchRow[] = [];
    for (const lateness of ['0.5s', '0s']) {
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
  const client = await connect({ servers: ctx.natsUrl });
  try {
    await resetOutputs(nc, { freshInput: true });
    const processor = await startProcessor({ nc, natsUrl: ctx.natsUrl, config, log: () => {} });
    const arrivals = new Arrivals();
    const decoder = new TextDecoder();
    client.subscribe(subjects.eventFilter(), {
      callback: (_err, m) => arrivals.see(JSON.parse(decoder.decode(m.data)) as EventTransition),
    });
    await client.flush();
    const complaints = await paced(client, config, arrivals, `l${lateness}`);
    await processor.stop();
    return latencyRow(
      'latency',
      `publish → cadre.event.> at ${RATE}/s, lateness ${lateness}`,
      arrivals,
      complaints,
    );
  } finally {
    await client.close();
    await nc.close();
  }
}

/** Publishes the paced mix, waits for the stragglers; returns how many complaints were published. */
async function paced(nc: NatsConnection, config: Config, arrivals: Arrivals, tag: string): Promise<number> {
  await publishPaced(nc, config.topology, { rate: RATE, seconds: SECONDS, tag, sent: arrivals.sent });
  const complaints = arrivals.sent.size + arrivals.latencies.length;
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  return complaints;
}

function latencyRow(part: string, what: string, arrivals: Arrivals, complaints: number): BenchRow {
  const { figure } = percentiles(arrivals.latencies);
  const missing = arrivals.sent.size;
  return {
    part,
    what,
    figure,
    note: `${arrivals.latencies.length} of ${complaints} complaints${missing ? `, ${missing} not seen` : ''}; ${SECONDS} s`,
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
        return await throughScreen(nc, config, app.url!);
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

async function throughScreen(nc: NatsConnection, config: Config, url: string): Promise<BenchRow[]> {
  const socket = ioClient(`${url}/live`, {
    path: '/socket.io',
    transports: ['websocket'],
    reconnection: false,
  });
  const arrivals = new Arrivals();
  const emits: { at: number; transitions: number }[] = [];
  socket.on('events', (batch: (EventTransition | IncidentTransition)[]) => {
    emits.push({ at: performance.now(), transitions: batch.length });
    for (const t of batch) arrivals.see(t);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('snapshot', () => resolve());
    socket.once('connect_error', reject);
  });
  try {
    const complaints = await paced(nc, config, arrivals, 's');
    const latency = latencyRow('screen', `publish → /live 'events' at ${RATE}/s`, arrivals, complaints);

    emits.length = 0;
    const stormStart = performance.now();
    await publishStorm(nc, config.topology, { count: STORM, seconds: STORM_SECONDS, tag: 'storm' });
    // The storm is over for the screen when no batch came for 2 s (or after 60 s).
    while (performance.now() - stormStart < 60_000) {
      await new Promise((r) => setTimeout(r, 500));
      const last = emits.at(-1)?.at ?? stormStart;
      if (performance.now() - Math.max(last, stormStart + STORM_SECONDS * 1000) > 2000) break;
    }
    const transitions = emits.reduce((n, e) => n + e.transitions, 0);
    const span = emits.length > 1 ? (emits.at(-1)!.at - emits[0]!.at) / 1000 : NaN;
    return [
      latency,
      {
        part: 'screen',
        what: `alarm storm: ${STORM} outage alarms in ${STORM_SECONDS} s → /live`,
        figure: `${(emits.length / span).toFixed(1)} emits/s, ${(transitions / Math.max(emits.length, 1)).toFixed(0)} transitions/emit`,
        note: `${emits.length} emits, ${transitions} transitions over ${span.toFixed(1)} s`,
      },
    ];
  } finally {
    socket.close();
  }
}
