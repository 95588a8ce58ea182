/**
 * The latency parts' producers and screen on a thread of their own, as they are processes of their
 * own in a province: publishing 5,000 msg/s (or 100,000 storm alarms) and parsing every transition
 * on the processor's thread charged cadre with the bench's own work. Publish instants and arrivals
 * are both taken here, on one clock.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { connect } from '@nats-io/transport-node';
import { io as ioClient } from 'socket.io-client';
import { loadConfig } from '../config/load.js';
import type { EventTransition, IncidentTransition } from '../shared/schemas.js';
import { subjects } from '../shared/subjects.js';
import { publishPaced, publishStorm, type SentAt } from './paced.js';

export interface TrafficRequest {
  /** A gateway's base URL: arrivals are `events` batches on its `/live`; else `cadre.event.>` on NATS. */
  screenUrl?: string;
  rate: number;
  seconds: number;
  tag: string;
  /** After the last publish: time for the last ones through. */
  settleMs: number;
  /** Then an alarm storm, watched on the screen. */
  storm?: { count: number; seconds: number };
}

export interface TrafficResult {
  latencies: number[];
  complaints: number;
  missing: number;
  /** The storm's `events` batches: when (ms after the storm began) and how many transitions. */
  emits: { at: number; transitions: number }[];
  /** When the last storm alarm was published, ms after the storm began. */
  stormPublishedMs: number;
}

const { natsUrl, configDir } = workerData as { natsUrl: string; configDir: string };
const config = loadConfig(configDir);

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

async function run(request: TrafficRequest): Promise<TrafficResult> {
  const nc = await connect({ servers: natsUrl });
  const arrivals = new Arrivals();
  const emits: { at: number; transitions: number }[] = [];
  let stormStart = Infinity;
  let close: () => void;
  if (request.screenUrl) {
    const socket = ioClient(`${request.screenUrl}/live`, {
      path: '/socket.io',
      transports: ['websocket'],
      reconnection: false,
    });
    socket.on('events', (batch: (EventTransition | IncidentTransition)[]) => {
      const at = performance.now();
      if (at >= stormStart) emits.push({ at: at - stormStart, transitions: batch.length });
      for (const t of batch) arrivals.see(t);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('snapshot', () => resolve());
      socket.once('connect_error', reject);
    });
    close = () => socket.close();
  } else {
    const decoder = new TextDecoder();
    const sub = nc.subscribe(subjects.eventFilter(), {
      callback: (_err, m) => arrivals.see(JSON.parse(decoder.decode(m.data)) as EventTransition),
    });
    await nc.flush();
    close = () => sub.unsubscribe();
  }
  try {
    await publishPaced(nc, config.topology, { ...request, sent: arrivals.sent });
    const complaints = arrivals.sent.size + arrivals.latencies.length;
    await new Promise((r) => setTimeout(r, request.settleMs));
    const result: TrafficResult = {
      // A copy: a complaint that shows during the storm is one of `missing`, not in the percentiles.
      latencies: [...arrivals.latencies],
      complaints,
      missing: arrivals.sent.size,
      emits,
      stormPublishedMs: 0,
    };
    if (!request.storm) return result;
    stormStart = performance.now();
    await publishStorm(nc, config.topology, { ...request.storm, tag: `${request.tag}-storm` });
    result.stormPublishedMs = performance.now() - stormStart;
    // The storm is over for the screen when no batch came for 2 s (or after 60 s).
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      const now = performance.now() - stormStart;
      const last = Math.max(emits.at(-1)?.at ?? 0, result.stormPublishedMs);
      if (now - last > 2000 || now > 60_000) break;
    }
    return result;
  } finally {
    close();
    await nc.close();
  }
}

const port = parentPort;
if (!port) throw new Error('bench/traffic_worker.ts runs as a worker thread of bench/latency.ts');
port.on('message', (request: TrafficRequest) => {
  run(request).then(
    (result) => port.postMessage({ ok: true, result }),
    (err: Error) => port.postMessage({ ok: false, message: err.message }),
  );
});
