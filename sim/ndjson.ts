/**
 * Simulated time written as replay NDJSON, as fast as it can be generated: one message a line with its
 * `type`, and a `{"type":"tick"}` line at every minute so that deadlines fire in replay. Used by
 * `cadre simulate --out` and by the processor benchmark (generateDay).
 */
import type { Topology } from '../config/topology.js';
import { DAY, MINUTE } from '../shared/time.js';
import { formatLocal } from './catalog.js';
import { Feed, type Triggered } from './feed.js';
import { KPI_PERIOD_MS } from './kpi_model.js';
import type { TrafficOptions } from './traffic.js';

export interface ReplayOptions {
  topology: Topology;
  seed?: number;
  rate?: number;
  /** Epoch ms of the first line. */
  start: number;
  durationMs: number;
  /** Scenarios and the simulated time each starts at. */
  scenarios?: readonly Triggered[];
  traffic?: Omit<TrafficOptions, 'seed' | 'rate' | 'origin'>;
  /** Stop after this many messages (tick lines not counted). */
  maxMessages?: number;
}

const TICK_MS = MINUTE;

/** The lines (without newlines) of [start, start + duration). */
export function* replayLines(options: ReplayOptions): Generator<string> {
  const { start, durationMs } = options;
  const feed = new Feed(options.topology, {
    ...options.traffic,
    seed: options.seed,
    rate: options.rate,
    origin: start,
  });
  const scenarios = [...(options.scenarios ?? [])].sort((a, b) => a.at - b.at);
  const limit = options.maxMessages ?? Infinity;
  let written = 0;
  let nextScenario = 0;
  for (let t = start; t < start + durationMs; t += TICK_MS) {
    const to = Math.min(t + TICK_MS, start + durationMs);
    while (nextScenario < scenarios.length && scenarios[nextScenario].at < to) {
      const s = scenarios[nextScenario++];
      feed.trigger(s.name, s.at);
    }
    for (const m of feed.between(t, to)) {
      if (written++ >= limit) return;
      yield JSON.stringify(m.msg);
    }
    yield JSON.stringify({ type: 'tick', time: formatLocal(to) });
  }
}

export interface DayOptions {
  topology: Topology;
  /** Messages to generate per day (tick lines come on top: one a minute). */
  messages: number;
  seed?: number;
  /** Epoch ms; default 2026-10-15T00:00:00+08:00. */
  start?: number;
  /** Consecutive days of the same traffic (default 1): a long run at a province's steady rate. */
  days?: number;
}

/** Shares of a realistic mixed day: KPI samples, complaints; alarms make up the rest. */
const KPI_SHARE = 0.55;
const COMPLAINT_SHARE = 0.01;

/**
 * A realistic mixed day of `messages` lines for benchmarks (or `days` of them in a row): KPI samples of a share of the cells,
 * alarm noise, incidents, flapping, about one storm, complaints on their daily curve. Slightly more
 * is generated than asked for and the output stops at `messages`, so a day may end before midnight.
 */
export function generateDay(options: DayOptions): Iterable<string> {
  const cells = options.topology.elements.filter((e) => e.kind === 'cell').length;
  const perDay = options.messages * 1.03;
  const days = options.days ?? 1;
  return replayLines({
    topology: options.topology,
    seed: options.seed,
    start: options.start ?? Date.parse('2026-10-15T00:00:00+08:00'),
    durationMs: days * DAY,
    rate: perDay / (DAY / 1000),
    maxMessages: days * options.messages,
    traffic: {
      kpiShare: Math.min(1, (perDay * KPI_SHARE) / (cells * (DAY / KPI_PERIOD_MS))),
      complaintsPerHour: (perDay * COMPLAINT_SHARE) / 24,
      // One storm (a few thousand alarms) in a benchmark-sized day; none in a small one, where it would dominate.
      stormsPerDay: options.messages >= 100_000 ? 1 : 0,
    },
  });
}
