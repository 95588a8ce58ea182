/**
 * Live simulation: walks the feed on a clock and publishes each message when it falls due, on
 * `cadre.in.<type>.<city>` with `Nats-Msg-Id` = messageId(). Core `nc.publish`: JetStream's CADRE_IN
 * stream stores what lands on its subjects all the same (and deduplicates on the header), at ~10× the
 * pace of acknowledged `js.publish` (a simulator needs no per-message acknowledgement).
 */
import { headers, type NatsConnection } from '@nats-io/transport-node';
import type { Topology } from '../config/topology.js';
import { messageId, subjects } from '../shared/subjects.js';
import { formatLocal, type TimedMessage } from './catalog.js';
import { Feed, type Triggered } from './feed.js';
import type { TrafficOptions } from './traffic.js';

export interface SimulationOptions {
  nc: NatsConnection;
  topology: Topology;
  /** Mean background messages per second (see TrafficOptions.rate); default 20. */
  rate?: number;
  seed?: number;
  /** The wall clock, epoch ms; default Date.now. */
  now?: () => number;
  /** Simulated ms per wall ms; default 1 (event times = wall clock). */
  speed?: number;
  /** Simulated start, epoch ms; default now(). */
  start?: number;
  /** How often due messages are published; default 250 ms. */
  stepMs?: number;
  /** Further traffic knobs (complaints per hour, storms a day, KPI share). */
  traffic?: Omit<TrafficOptions, 'seed' | 'rate' | 'origin'>;
}

export interface SimulationStats {
  /** Simulated time reached, ISO. */
  simTime: string;
  published: number;
  byType: { alarm: number; kpi: number; complaint: number };
  /** Mean messages per second since the start (wall clock). */
  ratePerSecond: number;
  scenarios: { name: string; at: string }[];
  errors: number;
  lastError?: string;
}

export interface Simulation {
  /** Starts scenario `name` now (simulated time); throws CADRE_ERR_NOT_FOUND for an unknown name. */
  trigger(name: string): void;
  /** Stops publishing and flushes what was published. */
  stop(): Promise<void>;
  stats(): SimulationStats;
}

export function startSimulation(options: SimulationOptions): Simulation {
  const now = options.now ?? Date.now;
  const speed = options.speed ?? 1;
  const wallStart = now();
  const simStart = options.start ?? wallStart;
  const simNow = () => simStart + (now() - wallStart) * speed;
  const feed = new Feed(options.topology, {
    ...options.traffic,
    seed: options.seed,
    rate: options.rate,
    origin: simStart,
  });
  const publisher = new Publisher(options.nc);
  let cursor = simStart;
  let stopped = false;

  const step = () => {
    if (stopped) return;
    const to = simNow();
    if (to <= cursor) return;
    try {
      publisher.publish(feed.between(cursor, to));
      cursor = to;
    } catch (err) {
      publisher.fail(err);
    }
  };
  const timer = setInterval(step, options.stepMs ?? 250);

  return {
    trigger(name) {
      feed.trigger(name, Math.floor(Math.max(cursor, simNow())));
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (!options.nc.isClosed()) await options.nc.flush();
    },
    stats: () => publisher.stats(cursor, (now() - wallStart) / 1000, feed.triggered),
  };
}

class Publisher {
  private published = 0;
  private readonly byType = { alarm: 0, kpi: 0, complaint: 0 };
  private errors = 0;
  private lastError?: string;

  constructor(private readonly nc: NatsConnection) {}

  publish(messages: readonly TimedMessage[]): void {
    for (const { city, msg } of messages) {
      const h = headers();
      h.set('Nats-Msg-Id', messageId(msg.type, msg as unknown as Record<string, unknown>));
      this.nc.publish(subjects.input(msg.type, city), JSON.stringify(msg), { headers: h });
      this.published++;
      this.byType[msg.type]++;
    }
  }

  fail(err: unknown): void {
    this.errors++;
    this.lastError = err instanceof Error ? err.message : String(err);
  }

  stats(cursor: number, elapsedS: number, triggered: readonly Triggered[]): SimulationStats {
    return {
      simTime: formatLocal(Math.floor(cursor)),
      published: this.published,
      byType: { ...this.byType },
      ratePerSecond: elapsedS > 0 ? this.published / elapsedS : 0,
      scenarios: triggered.map((t) => ({ name: t.name, at: formatLocal(Math.floor(t.at)) })),
      errors: this.errors,
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }
}
