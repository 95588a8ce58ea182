/**
 * What a grid page and a desk show of a grid beyond its events: the KPI series (the mean of each
 * metric over the grid's cells per sample period, last 24 h) and the latest complaints. No rule reads
 * them, but they live in the core: only input that passed the duplicate and time checks reaches them,
 * and they are in the snapshot, so a re-send, a rejected message or a restart after a crash never
 * shows twice (they used to be kept beside the core and restored from documents written ahead of
 * the checkpoint).
 */
import type { ComplaintInput, KpiInput } from '../../ingest/normalize.js';
import { JUDGED_METRICS as SHOWN, judgedValues } from '../../shared/schemas.js';
import { formatTime } from '../../shared/time.js';
import { emptyKpiSeries, VIEW_LIMITS, type ComplaintView, type KpiSeries } from '../../shared/views.js';
import type { GridState } from './state.js';

const KEEP_MS = 24 * 3_600_000;
/** Enough for a busy grid's open complaint events; older ones stay in the input log. */
const COMPLAINTS_PER_GRID = 200;

/**
 * A bucket is the sums of the shown metrics, then their counts (SHOWN's order): one flat array, so
 * 24 h of a grid's buckets are few objects in the heap and the snapshot.
 */
const width = SHOWN.length;

/** Reused for every sample (read at once). */
const scratch: (number | undefined)[] = [];

export function addSample(g: GridState, input: KpiInput): void {
  const periodMs = input.msg.period * 1000;
  const start = Math.floor(input.time / periodMs) * periodMs;
  let bucket = g.series.get(start);
  if (!bucket) {
    g.series.set(start, (bucket = new Array<number>(2 * width).fill(0)));
    for (const t of g.series.keys()) if (t < start - KEEP_MS) g.series.delete(t);
  }
  const values = judgedValues(input.msg.metrics, scratch);
  for (let i = 0; i < width; i++) {
    const value = values[i];
    if (value === undefined) continue;
    bucket[i]! += value;
    bucket[width + i]!++;
  }
}

export function seriesOf(g: GridState | undefined): KpiSeries {
  const series = emptyKpiSeries();
  if (!g) return series;
  const newest = Math.max(-Infinity, ...g.series.keys());
  const buckets = [...g.series].filter(([t]) => t >= newest - KEEP_MS).sort((a, b) => a[0] - b[0]);
  for (const [start, bucket] of buckets) {
    series.t.push(start / 1000);
    SHOWN.forEach((metric, i) =>
      series[metric].push(bucket[width + i] ? round(bucket[i]! / bucket[width + i]!) : null),
    );
  }
  return series;
}

export function logComplaint(g: GridState, input: ComplaintInput): void {
  const { msg } = input;
  const view: ComplaintView = {
    id: msg.id,
    time: formatTime(input.time),
    tier: msg.customer.tier,
    category: msg.category,
    customer: msg.customer.id,
  };
  if (msg.media) view.media = true;
  if (msg.escalated) view.escalated = true;
  if (msg.text) view.text = msg.text.slice(0, VIEW_LIMITS.text);
  g.complaintLog.push(view);
  if (g.complaintLog.length > COMPLAINTS_PER_GRID)
    g.complaintLog.splice(0, g.complaintLog.length - COMPLAINTS_PER_GRID);
}

function round(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}
