/**
 * uPlot options for cadre's charts: dark axes, level colours, no animation. Data stays columnar as
 * the server sends it (`[t, ...ys]`); nothing is aggregated here.
 */
import uPlot from 'uplot';
import { hm, md, timeZone } from './format.js';
import { LEVEL_COLOR, LEVELS } from './levels.js';

const AXIS = '#9ba8bb';

/** uPlot aligns time ticks (hours, days) in the configured zone, not the browser's. */
const tzDate = (ts: number) => uPlot.tzDate(new Date(ts * 1e3), timeZone());
const GRID = 'rgba(255,255,255,0.07)';

function axis(extra: Partial<uPlot.Axis> = {}): uPlot.Axis {
  return { stroke: AXIS, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 }, ...extra };
}

/** Room for the longest tick label (uPlot's fixed sizes clip "3,000" on a wall-size font). */
function fitSize(fontPx: number, extra = 0): uPlot.Axis.Size {
  return (_u, values) => {
    const longest = (values ?? []).reduce((n, v) => Math.max(n, String(v).length), 1);
    return Math.ceil(longest * fontPx * 0.62 + fontPx * 1.2 + extra);
  };
}

/** 24-hour clock labels in the configured zone (operations rooms do not read am/pm). */
function timeAxis(font: string, fontPx: number, withDate = false): uPlot.Axis {
  return axis({
    font,
    size: Math.ceil(fontPx * 2.2),
    space: fontPx * (withDate ? 7 : 4.5),
    values: (_u, splits) =>
      splits.map((s) => (withDate && hm(s * 1000) === '00:00' ? md(s * 1000) : hm(s * 1000))),
  });
}

export interface ChartLabels {
  levels: Record<(typeof LEVELS)[number], string>;
  /** The escalations and lifts, drawn apart from the openings. */
  up: string;
}

/**
 * The wall's events chart: events **opened** per minute, one line per opening level, and apart from
 * them the events that went **up** (escalated or lifted, any level) as white bars — an escalation of a
 * red event is not a new red. Series order: [t, red, orange, yellow, blue, up].
 */
export function levelRateOpts(labels: ChartLabels, fontPx = 12): Omit<uPlot.Options, 'width' | 'height'> {
  const font = `${fontPx}px system-ui, sans-serif`;
  return {
    tzDate,
    legend: { show: false },
    cursor: { show: false },
    // Room on the right for the last time label ("11:00" at the current minute was cut in half).
    padding: [fontPx * 0.5, fontPx * 1.6, 0, 0],
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] } },
    // Counts of events: whole-number ticks only.
    axes: [
      timeAxis(font, fontPx),
      axis({
        font,
        size: fitSize(fontPx),
        space: fontPx * 1.6,
        incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
      }),
    ],
    series: [
      {},
      ...LEVELS.map((l) => ({
        label: labels.levels[l],
        stroke: LEVEL_COLOR[l],
        width: Math.max(2, fontPx / 8),
        fill: LEVEL_COLOR[l] + '1f',
        points: { show: false },
      })),
      {
        label: labels.up,
        stroke: '#e8edf4',
        fill: 'rgba(232,237,244,0.35)',
        width: 1,
        // A uPlot build without the bars builder draws the line instead.
        paths: uPlot.paths.bars?.({ size: [0.5, 12], align: 0 }),
        points: { show: false },
      },
    ],
  };
}

/** Input messages/s (left axis) and processing lag in seconds (right axis). */
export function inputLagOpts(
  inputLabel: string,
  lagLabel: string,
  fontPx = 12,
): Omit<uPlot.Options, 'width' | 'height'> {
  const font = `${fontPx}px system-ui, sans-serif`;
  return {
    tzDate,
    legend: { show: false },
    cursor: { show: false },
    scales: {
      x: { time: true },
      lag: { range: (_u, _min, max) => [0, Math.max(2.4, max * 1.25)] },
      y: { range: (_u, _min, max) => [0, Math.max(12, max * 1.25)] },
    },
    axes: [
      timeAxis(font, fontPx),
      axis({
        font,
        space: fontPx * 1.6,
        size: fitSize(fontPx, fontPx * 1.6),
        label: inputLabel,
        labelFont: font,
        labelSize: fontPx * 1.6,
      }),
      axis({
        font,
        scale: 'lag',
        side: 1,
        space: fontPx * 1.6,
        grid: { show: false },
        size: fitSize(fontPx, fontPx * 1.6),
        label: lagLabel,
        labelFont: font,
        labelSize: fontPx * 1.6,
      }),
    ],
    series: [
      {},
      {
        label: inputLabel,
        stroke: '#7ea6ff',
        width: 2,
        fill: 'rgba(126,166,255,0.10)',
        points: { show: false },
      },
      { label: lagLabel, stroke: '#3dd68c', width: 2, scale: 'lag', points: { show: false } },
    ],
  };
}

/**
 * One KPI metric over the last 24 h (the x range is always that day, so a single sample sits at its
 * time and the axis shows real times), with its warning/critical thresholds as dashed lines. A
 * sparse series draws its points (one sample is a dot, not nothing); gaps stay gaps.
 */
export function kpiOpts(
  label: string,
  format: (v: number, step?: number) => string,
  thresholds: { warn: number; crit: number },
  options: { compact?: boolean; now: number; samples: number; fontPx?: number },
): Omit<uPlot.Options, 'width' | 'height'> {
  const { compact = false, now, samples } = options;
  const fontPx = options.fontPx ?? 12;
  const font = `${fontPx}px system-ui, sans-serif`;
  const to = Math.ceil(now / 1000);
  const from = to - 24 * 3600;
  return {
    tzDate,
    legend: { show: false },
    cursor: { show: !compact, points: { size: 6 } },
    scales: {
      x: { time: true, range: () => [from, to] },
      y: {
        range: (_u, min, max) => {
          // The thresholds are always in view: a healthy line is seen against them.
          const lo = Math.min(min ?? thresholds.warn, thresholds.warn, thresholds.crit);
          const hi = Math.max(max ?? thresholds.warn, thresholds.warn, thresholds.crit);
          const padding = (hi - lo || Math.abs(hi) || 1) * 0.12;
          return [Math.max(0, lo - padding), hi + padding];
        },
      },
    },
    axes: compact
      ? [{ show: false }, { show: false }]
      : [
          timeAxis(font, fontPx),
          axis({
            font,
            size: (_u, values) => {
              const longest = (values ?? []).reduce((n, v) => Math.max(n, String(v).length), 4);
              return Math.ceil(longest * fontPx * 0.62 + fontPx * 1.4);
            },
            values: (_u, vals) => {
              const step = vals.length > 1 ? Math.abs(vals[1] - vals[0]) : 0;
              return vals.map((v) => format(v, step));
            },
          }),
        ],
    series: [
      {},
      {
        label,
        stroke: '#7ea6ff',
        width: compact ? 1.5 : 2,
        points: { show: samples <= 24, size: compact ? 4 : 6, fill: '#7ea6ff' },
        spanGaps: false,
        value: (_u, v) => (v === null ? '—' : format(v)),
      },
    ],
    hooks: {
      draw: [
        (u) => {
          const ctx = u.ctx;
          ctx.save();
          ctx.setLineDash([4, 4]);
          ctx.lineWidth = 1;
          for (const [value, color] of [
            [thresholds.warn, LEVEL_COLOR.yellow],
            [thresholds.crit, LEVEL_COLOR.red],
          ] as const) {
            const y = u.valToPos(value, 'y', true);
            if (y < u.bbox.top || y > u.bbox.top + u.bbox.height) continue;
            ctx.strokeStyle = color + 'aa';
            ctx.beginPath();
            ctx.moveTo(u.bbox.left, y);
            ctx.lineTo(u.bbox.left + u.bbox.width, y);
            ctx.stroke();
          }
          ctx.restore();
        },
      ],
    },
  };
}

/** The KPI metrics in display order; which are fractions (shown as %). Thresholds: GET /api/settings. */
export const KPI_METRICS = [
  { key: 'drop_rate', fraction: true },
  { key: 'setup_success', fraction: true },
  { key: 'congestion', fraction: true },
  { key: 'dl_mbps', fraction: false },
  { key: 'mos', fraction: false },
] as const;

/** Tick label of a metric: a percentage with as many decimals as the tick step needs. */
export function metricFormat(fraction: boolean): (v: number, step?: number) => string {
  return (v, step) => {
    const scaled = fraction ? v * 100 : v;
    const s = step === undefined ? undefined : fraction ? step * 100 : step;
    const digits =
      s === undefined || s === 0
        ? fraction
          ? 2
          : 1
        : Math.min(3, Math.max(0, Math.ceil(-Math.log10(s) + 0.001)));
    return `${scaled.toFixed(digits)}${fraction ? '%' : ''}`;
  };
}
