/**
 * Per-grid KPI series for screens (GridDoc.kpi): the mean of each metric over the grid's cells per
 * sample period, last 24 h, columnar for uPlot. Display only — no rule reads it — so it lives in the
 * shell, not in the deterministic core, and survives restarts through the grid documents in KV.
 */
import { emptyKpiSeries, type KpiSeries } from '../shared/views.js';
import type { KpiInput } from '../ingest/normalize.js';

const SHOWN = ['drop_rate', 'setup_success', 'congestion', 'dl_mbps', 'mos'] as const;
type Shown = (typeof SHOWN)[number];
const KEEP_MS = 24 * 3_600_000;

interface Bucket {
  sum: Record<Shown, number>;
  count: Record<Shown, number>;
}

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
      bucket = { sum: zeros(), count: zeros() };
      grid.buckets.set(start, bucket);
      this.expire(grid.buckets, start);
    }
    grid.lastStart = start;
    grid.last = bucket;
    // Field by field, not a loop over names: this runs for every KPI sample.
    const { sum, count } = bucket;
    const m = input.msg.metrics;
    if (m.drop_rate !== undefined) {
      sum.drop_rate += m.drop_rate;
      count.drop_rate++;
    }
    if (m.setup_success !== undefined) {
      sum.setup_success += m.setup_success;
      count.setup_success++;
    }
    if (m.congestion !== undefined) {
      sum.congestion += m.congestion;
      count.congestion++;
    }
    if (m.dl_mbps !== undefined) {
      sum.dl_mbps += m.dl_mbps;
      count.dl_mbps++;
    }
    if (m.mos !== undefined) {
      sum.mos += m.mos;
      count.mos++;
    }
  }

  series(grid: string): KpiSeries {
    const buckets = [...(this.grids.get(grid)?.buckets ?? new Map<number, Bucket>()).entries()].sort(
      (a, b) => a[0] - b[0],
    );
    const series = emptyKpiSeries();
    for (const [start, bucket] of buckets) {
      series.t.push(start / 1000);
      for (const metric of SHOWN)
        series[metric].push(bucket.count[metric] ? round(bucket.sum[metric] / bucket.count[metric]) : null);
    }
    return series;
  }

  /** Seeds a grid from its stored document after a restart (each stored mean counts as one sample). */
  restore(grid: string, series: KpiSeries): void {
    const buckets = new Map<number, Bucket>();
    series.t.forEach((t, i) => {
      const bucket: Bucket = { sum: zeros(), count: zeros() };
      for (const metric of SHOWN) {
        const v = series[metric][i];
        if (v !== null && v !== undefined) {
          bucket.sum[metric] = v;
          bucket.count[metric] = 1;
        }
      }
      buckets.set(t * 1000, bucket);
    });
    this.grids.set(grid, { buckets, lastStart: NaN, last: undefined });
  }

  private expire(buckets: Map<number, Bucket>, newest: number): void {
    for (const start of buckets.keys()) if (start < newest - KEEP_MS) buckets.delete(start);
  }
}

function zeros(): Record<Shown, number> {
  return { drop_rate: 0, setup_success: 0, congestion: 0, dl_mbps: 0, mos: 0 };
}

function round(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}
