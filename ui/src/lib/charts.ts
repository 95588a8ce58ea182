/**
 * uPlot options for cadre's charts: dark axes, level colours, no animation. Data stays columnar as
 * the server sends it (`[t, ...ys]`); nothing is aggregated here.
 */
import type uPlot from 'uplot';
import { LEVEL_COLOR, LEVELS } from './levels.js';

const AXIS = '#9ba8bb';
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

const pad = (n: number) => String(n).padStart(2, '0');
/** 24-hour clock labels (operations rooms do not read am/pm). */
function timeAxis(font: string, fontPx: number): uPlot.Axis {
  return axis({
    font,
    size: fontPx * 2.4,
    space: fontPx * 5,
    values: (_u, splits) =>
      splits.map((s) => {
        const d = new Date(s * 1000);
        return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
      }),
  });
}

export interface ChartLabels {
  levels: Record<(typeof LEVELS)[number], string>;
}

/** Events opened/escalated per minute, one line per level. */
export function levelRateOpts(labels: ChartLabels, fontPx = 12): Omit<uPlot.Options, 'width' | 'height'> {
  const font = `${fontPx}px system-ui, sans-serif`;
  return {
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] } },
    axes: [timeAxis(font, fontPx), axis({ font, size: fitSize(fontPx) })],
    series: [
      {},
      ...LEVELS.map((l) => ({
        label: labels.levels[l],
        stroke: LEVEL_COLOR[l],
        width: 2,
        fill: LEVEL_COLOR[l] + '1f',
        points: { show: false },
      })),
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
    legend: { show: false },
    cursor: { show: false },
    scales: {
      x: { time: true },
      lag: { range: (_u, _min, max) => [0, Math.max(2, max * 1.2)] },
      y: { range: (_u, _min, max) => [0, Math.max(10, max * 1.15)] },
    },
    axes: [
      timeAxis(font, fontPx),
      axis({
        font,
        size: fitSize(fontPx, fontPx * 1.6),
        label: inputLabel,
        labelFont: font,
        labelSize: fontPx * 1.6,
      }),
      axis({
        font,
        scale: 'lag',
        side: 1,
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

/** One KPI metric over 24 h, with its warning/critical thresholds as dashed bands. */
export function kpiOpts(
  label: string,
  format: (v: number) => string,
  thresholds: { warn: number; crit: number },
  compact = false,
): Omit<uPlot.Options, 'width' | 'height'> {
  return {
    legend: { show: false },
    cursor: { show: !compact, points: { size: 6 } },
    scales: { x: { time: true } },
    axes: compact
      ? [{ show: false }, { show: false }]
      : [
          timeAxis('12px system-ui, sans-serif', 12),
          axis({ size: 56, values: (_u, vals) => vals.map((v) => format(v)) }),
        ],
    series: [
      {},
      {
        label,
        stroke: '#7ea6ff',
        width: compact ? 1.5 : 2,
        points: { show: false },
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

/** Contract defaults (rules.yaml kpi thresholds), for the reference lines only. */
export const KPI_METRICS = [
  { key: 'drop_rate', warn: 0.02, crit: 0.05, fraction: true },
  { key: 'setup_success', warn: 0.97, crit: 0.9, fraction: true },
  { key: 'congestion', warn: 0.05, crit: 0.15, fraction: true },
  { key: 'dl_mbps', warn: 5, crit: 1, fraction: false },
  { key: 'mos', warn: 3.5, crit: 3.0, fraction: false },
] as const;
