/**
 * The per-minute series of the wall screen (columnar, for uPlot) and of `GET /api/activity`: per
 * minute of a transition's own time (`at`), the events **opened** by their opening level, and apart
 * from them the events that went **up** — `escalated` (a deadline passed) and `lifted` (an `updated`
 * that raised the level: more complaints, an outage in the grid) — by their new level. A deadline
 * escalation of a red event (red stays red) is an escalation, never a new red. Beside them the mean
 * input rate and the max processing lag, `null` for minutes this gateway did not watch (before its
 * start: the input rate is rebuilt from the input stream, the lag cannot be).
 *
 * Whether an `updated` lifted the level needs the level before it: the series remembers each event's
 * last level (bounded), fed in stream order — the history read at start, then the live stream.
 * Callers pass the time; nothing here reads a clock.
 */
import { LRUCache } from 'lru-cache';
import { LEVELS, levelRank, type Level } from '../shared/levels.js';
import { MINUTE } from '../shared/time.js';
import type { EventTransition } from '../shared/schemas.js';
import type { ActivityTotals, Series, SeriesPoint } from '../shared/views.js';

/** What a transition did to the wall's picture. */
export type Change = 'opened' | 'escalated' | 'lifted' | 'other';

type Counts = Record<Level, number>;
const zero = (): Counts => ({ red: 0, orange: 0, yellow: 0, blue: 0 });

interface Bucket {
  opened: Counts;
  escalated: Counts;
  lifted: Counts;
  inputSum: number;
  inputSamples: number;
  /** Rebuilt from the input stream (messages that minute ÷ 60), when no live sample came. */
  inputRebuilt: number | null;
  lag: number | null;
}

const emptyBucket = (): Bucket => ({
  opened: zero(),
  escalated: zero(),
  lifted: zero(),
  inputSum: 0,
  inputSamples: 0,
  inputRebuilt: null,
  lag: null,
});

/** The change of one transition, given the event's level before it (undefined: not seen before). */
export function classify(
  before: Level | undefined,
  t: Pick<EventTransition, 'transition' | 'level'>,
): Change {
  if (t.transition === 'opened') return 'opened';
  if (t.transition === 'escalated') return 'escalated';
  // Any other transition that raised the level is a lift; the core sends lifts as `updated`.
  if (before !== undefined && levelRank(t.level) > levelRank(before)) return 'lifted';
  return 'other';
}

export class MinuteSeries {
  private readonly buckets = new Map<number, Bucket>();
  private readonly levels = new LRUCache<string, Level>({ max: 100_000 });
  /** Transitions already counted (id:seq): the history read and the live stream may overlap. */
  private readonly counted = new LRUCache<string, true>({ max: 200_000 });

  constructor(readonly minutes = 60) {}

  /**
   * One transition, in stream order. Counted in the minute of its `at` when that minute is within
   * the series ending at `now` (a future `at` counts in the current minute). Returns its change.
   */
  countTransition(
    now: number,
    t: Pick<EventTransition, 'id' | 'seq' | 'transition' | 'level' | 'at'>,
  ): Change {
    const key = `${t.id}:${t.seq}`;
    if (this.counted.has(key)) return 'other';
    this.counted.set(key, true);
    const change = classify(this.levels.get(t.id), t);
    if (t.transition === 'resolved' || t.transition === 'cleared') this.levels.delete(t.id);
    else this.levels.set(t.id, t.level);
    if (change === 'other' || !LEVELS.includes(t.level)) return change;
    const at = Math.min(Date.parse(t.at), now);
    if (Number.isNaN(at) || minuteOf(at) <= minuteOf(now) - this.minutes * MINUTE) return change;
    this.bucket(at, now)[change][t.level] += 1;
    return change;
  }

  /** One sample of the input rate (msgs/s) and lag (s), about once a second. */
  sample(now: number, inputRate: number, lagSeconds: number): void {
    const b = this.bucket(now, now);
    b.inputSum += inputRate;
    b.inputSamples += 1;
    b.lag = Math.max(b.lag ?? 0, lagSeconds);
  }

  /** The input rate of a past minute rebuilt from the input stream (messages ÷ 60). */
  rebuiltInput(now: number, minuteStart: number, messages: number): void {
    if (minuteOf(minuteStart) <= minuteOf(now) - this.minutes * MINUTE) return;
    this.bucket(minuteStart, now).inputRebuilt = Math.round((messages / 60) * 10) / 10;
  }

  point(now: number): SeriesPoint {
    const start = minuteOf(now);
    return toPoint(start, this.buckets.get(start) ?? emptyBucket());
  }

  /** The last `minutes` minutes, ending with the current one. */
  series(now: number): Series {
    const last = minuteOf(now);
    const out: Series = {
      t: [],
      red: [],
      orange: [],
      yellow: [],
      blue: [],
      escalated: [],
      lifted: [],
      input: [],
      lag: [],
    };
    for (let m = last - (this.minutes - 1) * MINUTE; m <= last; m += MINUTE) {
      const p = toPoint(m, this.buckets.get(m) ?? emptyBucket());
      out.t.push(p.t);
      for (const level of LEVELS) out[level].push(p[level]);
      out.escalated.push(p.escalated);
      out.lifted.push(p.lifted);
      out.input.push(p.input);
      out.lag.push(p.lag);
    }
    return out;
  }

  /** The sums over the series ending at `now`, by kind and level: what the wall's chart shows. */
  totals(now: number): ActivityTotals {
    const totals: ActivityTotals = { opened: zero(), escalated: zero(), lifted: zero() };
    const first = minuteOf(now) - (this.minutes - 1) * MINUTE;
    for (const [m, b] of this.buckets) {
      if (m < first || m > minuteOf(now)) continue;
      for (const l of LEVELS) {
        totals.opened[l] += b.opened[l];
        totals.escalated[l] += b.escalated[l];
        totals.lifted[l] += b.lifted[l];
      }
    }
    return totals;
  }

  private bucket(at: number, now: number): Bucket {
    const start = minuteOf(at);
    let b = this.buckets.get(start);
    if (!b) {
      b = emptyBucket();
      this.buckets.set(start, b);
      const oldest = minuteOf(now) - this.minutes * MINUTE;
      for (const key of this.buckets.keys()) if (key <= oldest) this.buckets.delete(key);
    }
    return b;
  }
}

function minuteOf(ms: number): number {
  return Math.floor(ms / MINUTE) * MINUTE;
}

const sum = (c: Counts) => c.red + c.orange + c.yellow + c.blue;

function toPoint(start: number, b: Bucket): SeriesPoint {
  const input = b.inputSamples ? Math.round((b.inputSum / b.inputSamples) * 10) / 10 : b.inputRebuilt;
  return {
    t: start / 1000,
    ...b.opened,
    escalated: sum(b.escalated),
    lifted: sum(b.lifted),
    input,
    lag: b.lag,
  };
}
