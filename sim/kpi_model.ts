/**
 * 15-minute KPI samples of every cell. Each cell has a fixed character drawn from the seed: most are
 * healthy and follow the daily traffic curve, a few are chronically degraded (one metric past its
 * warning or critical threshold), some have competitor figures from benchmarking, a few of those
 * leading the competitor by less than the rule's margin. Every sample is a pure function of
 * (seed, cell, quarter).
 */
import type { NetworkElement } from '../config/topology.js';
import { JUDGED_METRICS, type JudgedMetric, type MetricName, type Metrics } from '../shared/schemas.js';
import { MINUTE } from '../shared/time.js';
import { formatLocal, localHour, trafficCurve, type TimedMessage } from './catalog.js';
import { hashKeys, Rng } from './random.js';

export const KPI_PERIOD_MS = 15 * MINUTE;
/** OMC reports land within the first 3 minutes after their quarter closes. */
const REPORT_SPREAD_S = 180;

type Quality = 'healthy' | 'warning' | 'critical';
const DEGRADABLE = JUDGED_METRICS;

/** Degraded values by metric: [warning-level, critical-level] (thresholds in config/rules.ts). */
const DEGRADED: Record<JudgedMetric, readonly [number, number]> = {
  drop_rate: [0.028, 0.07],
  setup_success: [0.95, 0.86],
  congestion: [0.085, 0.2],
  dl_mbps: [3.5, 0.7],
  mos: [3.3, 2.8],
};

interface CellProfile {
  cell: NetworkElement;
  city: string;
  index: number;
  /** Mean carried traffic in Erlang. */
  erl: number;
  offsetMs: number;
  chronic?: { metric: JudgedMetric; quality: Quality };
  /** Benchmark figures: none, a comfortable lead, or a lead narrower than the margin. */
  competitor: 'none' | 'lead' | 'narrow';
}

export interface KpiModelOptions {
  seed: number;
  /** Share of cells that report (the benchmark generator thins them); default all. */
  reportingShare?: number;
}

export class KpiModel {
  private readonly profiles: CellProfile[];

  constructor(
    cells: readonly { cell: NetworkElement; city: string }[],
    private readonly options: KpiModelOptions,
  ) {
    const seed = options.seed;
    const share = options.reportingShare ?? 1;
    this.profiles = cells
      .map(({ cell, city }, index) => profileOf(cell, city, index, seed))
      .filter((p) => hashKeys([seed, 'reports', p.cell.id]) / 4294967296 < share);
    this.profiles.sort((a, b) => a.offsetMs - b.offsetMs || a.index - b.index);
  }

  get reportingCells(): number {
    return this.profiles.length;
  }

  /** Cells whose samples are always past a threshold (for scenarios and tests). */
  chronicCells(): string[] {
    return this.profiles.filter((p) => p.chronic).map((p) => p.cell.id);
  }

  /** Samples due in [from, to): each quarter's sample is due at the quarter's end plus the cell's offset. */
  between(from: number, to: number, origin: number): TimedMessage[] {
    const out: TimedMessage[] = [];
    const firstEnd = Math.ceil((from - REPORT_SPREAD_S * 1000) / KPI_PERIOD_MS) * KPI_PERIOD_MS;
    for (let end = firstEnd; end < to; end += KPI_PERIOD_MS) {
      if (end - KPI_PERIOD_MS < origin) continue;
      for (const p of this.profiles) {
        const time = end + p.offsetMs;
        if (time >= from && time < to)
          out.push({ time, city: p.city, msg: this.sample(p, end - KPI_PERIOD_MS, time) });
      }
    }
    return out;
  }

  private sample(p: CellProfile, quarterStart: number, time: number): TimedMessage['msg'] {
    const quarter = Math.floor(quarterStart / KPI_PERIOD_MS);
    const rng = Rng.of(this.options.seed, 'kpi', p.cell.id, quarter);
    const load = trafficCurve(localHour(quarterStart));
    const metrics = healthyMetrics(p.erl, load, rng);
    const episode = temporaryEpisode(this.options.seed, p.cell.id, quarter);
    const degradation = episode ?? p.chronic;
    // Congestion only bites when the cell is busy.
    if (degradation && (degradation.metric !== 'congestion' || load > 1.1)) {
      const [warning, critical] = DEGRADED[degradation.metric];
      const base = degradation.quality === 'critical' ? critical : warning;
      metrics[degradation.metric] = round(base * rng.float(0.93, 1.07), degradation.metric);
    }
    const msg: TimedMessage['msg'] = {
      type: 'kpi',
      ne: p.cell.id,
      time: formatLocal(time),
      period: KPI_PERIOD_MS / 1000,
      metrics,
    };
    if (
      p.competitor !== 'none' &&
      Rng.of(this.options.seed, 'benchmark', p.cell.id, Math.floor(quarter / 24)).chance(0.5)
    )
      msg.competitor = competitorOf(metrics, p.competitor === 'narrow', rng);
    return msg;
  }
}

function profileOf(cell: NetworkElement, city: string, index: number, seed: number): CellProfile {
  const rng = Rng.of(seed, 'cell', cell.id);
  const roll = rng.next();
  const chronic =
    roll < 0.002
      ? { metric: rng.pick(DEGRADABLE), quality: 'critical' as const }
      : roll < 0.012
        ? { metric: rng.pick(DEGRADABLE), quality: 'warning' as const }
        : undefined;
  const benchmarked = rng.chance(0.1);
  return {
    cell,
    city,
    index,
    erl: rng.float(4, 35),
    offsetMs: rng.int(0, REPORT_SPREAD_S - 1) * 1000,
    chronic,
    competitor: !benchmarked ? 'none' : rng.chance(0.08) ? 'narrow' : 'lead',
  };
}

/** A short bad spell (a few hours) that any cell may go through: the picture keeps moving. */
function temporaryEpisode(
  seed: number,
  cellId: string,
  quarter: number,
): { metric: JudgedMetric; quality: Quality } | undefined {
  const block = Math.floor(quarter / 16);
  const rng = Rng.of(seed, 'spell', cellId, block);
  if (!rng.chance(0.003)) return undefined;
  return { metric: rng.pick(DEGRADABLE), quality: rng.chance(0.3) ? 'critical' : 'warning' };
}

function healthyMetrics(erl: number, load: number, rng: Rng): Required<Metrics> {
  const m: Required<Metrics> = {
    drop_rate: 0.0035 + 0.0012 * load + rng.normal(0, 0.0008),
    setup_success: 0.994 - 0.002 * load + rng.normal(0, 0.0015),
    congestion: 0.002 + 0.006 * load + rng.normal(0, 0.002),
    dl_mbps: 48 / (0.6 + 0.4 * load) + rng.normal(0, 4),
    mos: 4.25 - 0.06 * load + rng.normal(0, 0.05),
    traffic_erl: erl * load * (1 + rng.normal(0, 0.08)),
  };
  for (const k of Object.keys(m) as MetricName[]) m[k] = round(m[k], k);
  return m;
}

/** The competitor's figures: worse than ours by 1.5–3 margins (a comfortable lead) or by 0.2–0.8. */
function competitorOf(ours: Required<Metrics>, narrow: boolean, rng: Rng): Metrics {
  const lead = () => (narrow ? rng.float(0.2, 0.8) : rng.float(1.5, 3));
  return {
    drop_rate: round(ours.drop_rate + 0.005 * lead(), 'drop_rate'),
    congestion: round(ours.congestion + 0.03 * lead(), 'congestion'),
    dl_mbps: round(ours.dl_mbps - 2 * lead(), 'dl_mbps'),
  };
}

/** Clamped to the schema's ranges and rounded so lines stay short. */
function round(value: number, metric: MetricName): number {
  switch (metric) {
    case 'drop_rate':
    case 'congestion':
    case 'setup_success':
      return Math.round(Math.min(1, Math.max(0, value)) * 10_000) / 10_000;
    case 'dl_mbps':
      return Math.round(Math.max(0.1, value) * 10) / 10;
    case 'mos':
      return Math.round(Math.min(5, Math.max(1, value)) * 100) / 100;
    case 'traffic_erl':
      return Math.round(Math.max(0, value) * 100) / 100;
  }
}
