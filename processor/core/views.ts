/**
 * Read models built from the core's state on demand: a grid's document for the live shell, and the
 * scorecard lines (CONTRACT.md "A scorecard line").
 */
import { maxLevel, type Level } from '../../shared/levels.js';
import { formatTime } from '../../shared/time.js';
import { seriesOf } from './display.js';
import { VIEW_LIMITS, type AlarmView, type DayStats, type GridDoc } from '../../shared/views.js';
import { scorecardOf, type Scorecard } from '../../contract/scorecard.js';
import type { AlarmState } from './state.js';
import { worstMetric } from './kpi.js';
import { iso } from './event_doc.js';
import type { World } from './world.js';

const VIEW_DAYS = 31;

export function gridDocOf(w: World, gridId: string, now: number): GridDoc {
  const info = w.gridInfo(gridId);
  const g = w.grids.get(gridId);
  const active = g ? Object.values(g.active) : [];
  let level: Level | null = null;
  for (const id of active) {
    const ev = w.active.get(id);
    if (!ev) throw new Error(`grid ${gridId} holds event ${id} as active, but it is not`);
    // A deferred event has left the board (deal.ts): it does not colour its grid.
    if (ev.state !== 'deferred') level = level ? maxLevel(level, ev.level) : ev.level;
  }
  const degraded: GridDoc['degraded'] = [];
  for (const [ne, el] of g?.kpi ?? []) {
    const worst = el.degraded ? worstMetric(w.rules.kpi, el) : undefined;
    if (worst) degraded.push({ ne, ...worst });
  }
  const oldest = w.calendar.key(now - (VIEW_DAYS - 1) * 86_400_000);
  const days: Record<string, DayStats> = {};
  // Copies: the core keeps counting into its own after this document is handed out.
  for (const [key, d] of g?.days ?? [])
    if (key >= oldest) days[key] = { ...d, byCategory: { ...d.byCategory }, events: { ...d.events } };
  return {
    id: gridId,
    city: info.city,
    level,
    active,
    alarms: g ? [...newest(g.alarms.values(), VIEW_LIMITS.alarms), ...g.cleared].map(alarmView) : [],
    activeAlarms: g?.alarms.size ?? 0,
    degraded,
    kpi: seriesOf(g),
    complaints: g ? g.complaintLog.slice() : [],
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
    raisedAt: iso(a.raisedAt),
  };
  if (a.clearedAt !== undefined) v.clearedAt = iso(a.clearedAt);
  if (a.maintenance) v.maintenance = true;
  if (a.text !== undefined) v.text = a.text.slice(0, VIEW_LIMITS.text);
  return v;
}

/** The last `n` of an insertion-ordered collection (alarms are added as they are raised). */
function newest<T>(items: Iterable<T>, n: number): T[] {
  const all = [...items];
  return all.length > n ? all.slice(all.length - n) : all;
}

/** One line per grid of the topology, over the local days from `from` to `to`. */
export function scorecardsOf(w: World, from: number, to: number): Scorecard[] {
  const days = w.calendar.between(from, to);
  return w.ctx.topology.grids.map((grid) =>
    scorecardOf(
      grid,
      w.ctx.topology.elementsOf(grid.id).length,
      (key) => w.grids.get(grid.id)?.days.get(key),
      days,
      from,
      to,
    ),
  );
}
