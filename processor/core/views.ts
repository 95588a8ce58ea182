/**
 * Read models built from the core's state on demand: a grid's document for the live shell, and the
 * scorecard lines (CONTRACT.md "A scorecard line").
 */
import { maxLevel, type Level } from '../../shared/levels.js';
import { formatTime } from '../../shared/time.js';
import type { AlarmView, DayStats, GridDoc } from '../../shared/views.js';
import { emptyDay, type AlarmState, type GridState } from './state.js';
import { worstMetric } from './kpi.js';
import type { Scorecard } from './types.js';
import { dayKey, type World } from './world.js';

const VIEW_DAYS = 31;

export function gridDocOf(w: World, gridId: string, now: number): GridDoc {
  const info = w.gridInfo(gridId);
  const g = w.grids.get(gridId);
  const active = g ? Object.values(g.active) : [];
  let level: Level | null = null;
  for (const id of active) {
    const ev = w.active.get(id)!;
    level = level ? maxLevel(level, ev.level) : ev.level;
  }
  const degraded: GridDoc['degraded'] = [];
  for (const [ne, el] of g?.kpi ?? []) {
    const worst = el.degraded ? worstMetric(w.rules.kpi, el) : undefined;
    if (worst) degraded.push({ ne, ...worst });
  }
  const oldest = dayKey(now - (VIEW_DAYS - 1) * 86_400_000);
  const days: Record<string, DayStats> = {};
  // Copies: the core keeps counting into its own after this document is handed out.
  for (const [key, d] of g?.days ?? [])
    if (key >= oldest) days[key] = { ...d, byCategory: { ...d.byCategory }, events: { ...d.events } };
  return {
    id: gridId,
    city: info.city,
    level,
    active,
    alarms: g ? [...g.alarms.values(), ...g.cleared].map(alarmView) : [],
    degraded,
    kpi: { t: [], drop_rate: [], setup_success: [], congestion: [], dl_mbps: [], mos: [] },
    days,
    updatedAt: formatTime(now),
  };
}

function alarmView(a: AlarmState): AlarmView {
  const v: AlarmView = {
    id: a.id,
    ne: a.ne,
    code: a.code,
    severity: a.severity,
    category: a.category,
    outage: a.outage,
    raisedAt: formatTime(a.raisedAt),
  };
  if (a.clearedAt !== undefined) v.clearedAt = formatTime(a.clearedAt);
  if (a.maintenance) v.maintenance = true;
  if (a.text !== undefined) v.text = a.text;
  return v;
}

/** One line per grid of the topology, over the UTC days from `from` to `to`. */
export function scorecardsOf(w: World, from: number, to: number): Scorecard[] {
  const first = dayKey(from);
  const last = dayKey(to);
  const spanDays = Math.round((Date.parse(last) - Date.parse(first)) / 86_400_000) + 1;
  return w.ctx.topology.grids.map((grid) => {
    const sum = sumDays(w.grids.get(grid.id), first, last);
    const elements = w.ctx.topology.elementsOf(grid.id).length;
    return {
      kind: 'scorecard',
      grid: grid.id,
      city: grid.city,
      from: formatTime(from),
      to: formatTime(to),
      subscribers: grid.subscribers,
      complaints: sum.complaints,
      complaintsPer10k: grid.subscribers > 0 ? round((sum.complaints / grid.subscribers) * 10_000) : null,
      byCategory: sum.byCategory,
      repeatRate: sum.complaints > 0 ? round(sum.repeats / sum.complaints) : 0,
      events: sum.events,
      mttaMinutes: sum.acked > 0 ? round(sum.ackMinutes / sum.acked) : null,
      mttrMinutes: sum.resolved > 0 ? round(sum.resolveMinutes / sum.resolved) : null,
      slaMetPct: sum.slaDue > 0 ? round(sum.slaMet / sum.slaDue) : null,
      // Mean over the span's days of the share of the grid's elements degraded that day.
      degradedElementsPct: elements > 0 ? round(sum.degradedElements / (elements * spanDays)) : null,
    };
  });
}

function sumDays(g: GridState | undefined, first: string, last: string): DayStats {
  const total = emptyDay();
  for (const [key, d] of g?.days ?? []) {
    if (key < first || key > last) continue;
    total.complaints += d.complaints;
    for (const c of Object.keys(total.byCategory) as (keyof DayStats['byCategory'])[])
      total.byCategory[c] += d.byCategory[c];
    total.repeats += d.repeats;
    for (const l of Object.keys(total.events) as Level[]) total.events[l] += d.events[l];
    total.ackMinutes += d.ackMinutes;
    total.acked += d.acked;
    total.resolveMinutes += d.resolveMinutes;
    total.resolved += d.resolved;
    total.slaMet += d.slaMet;
    total.slaDue += d.slaDue;
    total.degradedElements += d.degradedElements;
  }
  return total;
}

/** Six significant decimals: stable text, no float noise. */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
