/**
 * What a grid page and a desk show of a grid beyond its events: the KPI series (the mean of each
 * metric over the grid's cells per sample period, last 24 h) and the latest complaints. No rule reads
 * them, but they live in the core: only input that passed the duplicate and time checks reaches them,
 * and they are in the snapshot, so a re-send, a rejected message or a restart after a crash never
 * shows twice (they used to be kept beside the core and restored from documents written ahead of
 * the checkpoint).
 */
import type { ComplaintInput, KpiInput } from '../../contract/normalize.js';
import { JUDGED_METRICS as SHOWN, judgedValues } from '../../shared/schemas.js';
import { formatTime } from '../../shared/time.js';
import { emptyKpiSeries, VIEW_LIMITS, type ComplaintView, type KpiSeries } from '../../shared/views.js';
import type { GridState } from './state.js';

const KEEP_MS = 24 * 3_600_000;
/** Enough for a busy grid's open complaint events; older ones stay in the input log. */
const COMPLAINTS_PER_GRID = 200;

/**
 * A grid's series is one flat array of doubles: SLOTS periods, each its start (epoch ms, -1 when
 * empty), the sums of the shown metrics, then their counts (SHOWN's order). A period goes to slot
 * `period number mod SLOTS`, so 24 h of 15-minute samples (and the period in progress) fit and a new
 * period replaces the one a day older. One array per grid: the first layout, an array per period in
 * a Map, cost ~15 KB and ~200 objects a grid and made the core ~50% slower through the GC.
 */
const SLOTS = 97;
const width = SHOWN.length;
const STRIDE = 1 + 2 * width;

/**
 * Reused for every sample, read at once and holding nothing between calls: sharing it between two
 * cores in one process (the live one and a shadow) is safe, as the core runs one call at a time.
 */
const scratch: (number | undefined)[] = [];

export function addSample(g: GridState, input: KpiInput): void {
  const periodMs = input.msg.period * 1000;
  const start = Math.floor(input.time / periodMs) * periodMs;
  const series = (g.series ??= new Array<number>(SLOTS * STRIDE)
    .fill(0)
    .map((v, i) => (i % STRIDE ? v : -1)));
  const base = (Math.floor(start / periodMs) % SLOTS) * STRIDE;
  const slotStart = cell(series, base);
  if (slotStart !== start) {
    if (slotStart > start) return; // a sample older than the day the series holds
    series[base] = start;
    series.fill(0, base + 1, base + STRIDE);
  }
  const values = judgedValues(input.msg.metrics, scratch);
  for (let i = 0; i < width; i++) {
    const value = values[i];
    if (value === undefined) continue;
    series[base + 1 + i] = cell(series, base + 1 + i) + value;
    series[base + 1 + width + i] = cell(series, base + 1 + width + i) + 1;
  }
}

export function seriesOf(g: GridState | undefined): KpiSeries {
  const out = emptyKpiSeries();
  const series = g?.series;
  if (!series) return out;
  const starts: number[] = [];
  const at = (base: number) => cell(series, base);
  for (let base = 0; base < series.length; base += STRIDE) if (at(base) >= 0) starts.push(base);
  const newest = Math.max(...starts.map(at));
  const shown = starts.filter((b) => at(b) >= newest - KEEP_MS).sort((a, b) => at(a) - at(b));
  for (const base of shown) {
    out.t.push(at(base) / 1000);
    SHOWN.forEach((metric, i) => {
      const count = cell(series, base + 1 + width + i);
      out[metric].push(count ? round(cell(series, base + 1 + i) / count) : null);
    });
  }
  return out;
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

/** A series has all its SLOTS * STRIDE cells from its creation: a missing one is a broken series. */
function cell(series: number[], i: number): number {
  const v = series[i];
  if (v === undefined) throw new Error(`KPI series cell ${i} of ${series.length} is missing`);
  return v;
}

function round(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}
