/**
 * The per-minute series of the wall screen (columnar, for uPlot): transitions `opened` + `escalated`
 * per minute by level, mean input rate and max lag. Callers pass the time; nothing here reads a clock.
 */
import { LEVELS, type Level } from '../shared/levels.js';
import { MINUTE } from '../shared/time.js';
import type { Series, SeriesPoint } from '../shared/views.js';

interface Bucket {
  levels: Record<Level, number>;
  inputSum: number;
  inputSamples: number;
  lag: number;
}

const emptyBucket = (): Bucket => ({
  levels: { red: 0, orange: 0, yellow: 0, blue: 0 },
  inputSum: 0,
  inputSamples: 0,
  lag: 0,
});

export class MinuteSeries {
  private readonly buckets = new Map<number, Bucket>();

  constructor(private readonly minutes = 60) {}

  /** Counts an `opened` or `escalated` transition at its level. */
  countTransition(now: number, level: Level): void {
    this.bucket(now).levels[level] += 1;
  }

  /** One sample of the input rate (msgs/s) and lag (s), about once a second. */
  sample(now: number, inputRate: number, lagSeconds: number): void {
    const b = this.bucket(now);
    b.inputSum += inputRate;
    b.inputSamples += 1;
    b.lag = Math.max(b.lag, lagSeconds);
  }

  point(now: number): SeriesPoint {
    const start = minuteOf(now);
    return toPoint(start, this.buckets.get(start) ?? emptyBucket());
  }

  /** The last `minutes` minutes, ending with the current one. */
  series(now: number): Series {
    const last = minuteOf(now);
    const out: Series = { t: [], red: [], orange: [], yellow: [], blue: [], input: [], lag: [] };
    for (let m = last - (this.minutes - 1) * MINUTE; m <= last; m += MINUTE) {
      const p = toPoint(m, this.buckets.get(m) ?? emptyBucket());
      out.t.push(p.t);
      for (const level of LEVELS) out[level].push(p[level]);
      out.input.push(p.input);
      out.lag.push(p.lag);
    }
    return out;
  }

  private bucket(now: number): Bucket {
    const start = minuteOf(now);
    let b = this.buckets.get(start);
    if (!b) {
      b = emptyBucket();
      this.buckets.set(start, b);
      const oldest = start - this.minutes * MINUTE;
      for (const key of this.buckets.keys()) if (key <= oldest) this.buckets.delete(key);
    }
    return b;
  }
}

function minuteOf(ms: number): number {
  return Math.floor(ms / MINUTE) * MINUTE;
}

function toPoint(start: number, b: Bucket): SeriesPoint {
  const input = b.inputSamples ? Math.round((b.inputSum / b.inputSamples) * 10) / 10 : 0;
  return { t: start / 1000, ...b.levels, input, lag: b.lag };
}
