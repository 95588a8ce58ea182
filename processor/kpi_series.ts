/**
 * Per-grid KPI series for screens (GridDoc.kpi): the mean of each metric over the grid's cells per
 * sample period, last 24 h, columnar for uPlot. Display only — no rule reads it — so it lives in the
 * shell, not in the deterministic core, and survives restarts through the grid documents in KV.
 */
import { emptyKpiSeries, type KpiSeries } from '../shared/views.js';
import type { KpiInput } from '../ingest/normalize.js';
import { JUDGED_METRICS as SHOWN, judgedValues } from '../shared/schemas.js';

const KEEP_MS = 24 * 3_600_000;

/** Sums and counts of each shown metric, in SHOWN's order. */
interface Bucket {
  sum: number[];
  count: number[];
}
const newBucket = (): Bucket => ({ sum: [0, 0, 0, 0, 0], count: [0, 0, 0, 0, 0] });
/** Reused for every sample (read at once). */
const scratch: (number | undefined)[] = [];

interface GridSeries {
  /** Bucket start (epoch ms) → sums; Maps keep insertion order, which is time order in practice. */
  buckets: Map<number, Bucket>;
  /** The bucket of the grid's latest sample: its cells report together, so usually the next one's too. */
  lastStart: number;
  last: Bucket | undefined;
}

export class KpiSeriesStore {
  private readonly grids = new Map<string, GridSeries>();

  add(input: KpiInput): void {
    const periodMs = input.msg.period * 1000;
    const start = Math.floor(input.time / periodMs) * periodMs;
    let grid = this.grids.get(input.grid);
    if (!grid) this.grids.set(input.grid, (grid = { buckets: new Map(), lastStart: NaN, last: undefined }));
    let bucket = grid.lastStart === start ? grid.last : grid.buckets.get(start);
    if (!bucket) {
      bucket = newBucket();
      grid.buckets.set(start, bucket);
      this.expire(grid.buckets, start);
    }
    grid.lastStart = start;
    grid.last = bucket;
    const { sum, count } = bucket;
    const values = judgedValues(input.msg.metrics, scratch);
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (value === undefined) continue;
      sum[i] += value;
      count[i]++;
    }
  }

  series(grid: string): KpiSeries {
    const buckets = [...(this.grids.get(grid)?.buckets ?? new Map<number, Bucket>()).entries()].sort(
      (a, b) => a[0] - b[0],
    );
    const series = emptyKpiSeries();
    for (const [start, bucket] of buckets) {
      series.t.push(start / 1000);
      SHOWN.forEach((metric, i) =>
        series[metric].push(bucket.count[i] ? round(bucket.sum[i]! / bucket.count[i]!) : null),
      );
    }
    return series;
  }

  /** Seeds a grid from its stored document after a restart (each stored mean counts as one sample). */
  restore(grid: string, series: KpiSeries): void {
    const buckets = new Map<number, Bucket>();
    series.t.forEach((t, i) => {
      const bucket = newBucket();
      SHOWN.forEach((metric, m) => {
        const v = series[metric][i];
        if (v !== null && v !== undefined) {
          bucket.sum[m] = v;
          bucket.count[m] = 1;
        }
      });
      buckets.set(t * 1000, bucket);
    });
    this.grids.set(grid, { buckets, lastStart: NaN, last: undefined });
  }

  private expire(buckets: Map<number, Bucket>, newest: number): void {
    for (const start of buckets.keys()) if (start < newest - KEEP_MS) buckets.delete(start);
  }
}

function round(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}
