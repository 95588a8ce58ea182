/**
 * What the wall derives from the live state: deadline counts, the ranking of the worst grids, and
 * short grid names. Pure functions of the events and the time (the caller's clock).
 */
import { governingDeadline, levelIndex } from './levels.js';
import type { EventDoc, Level } from './types.js';

export interface DeadlineCounts {
  /** Open (unacknowledged) events past their first-response deadline. */
  ackOverdue: number;
  /** Active events past their fix deadline. */
  fixOverdue: number;
  /** Open events not yet acknowledged (overdue or not). */
  unacknowledged: number;
}

export function deadlineCounts(events: EventDoc[], now: number): DeadlineCounts {
  const c: DeadlineCounts = { ackOverdue: 0, fixOverdue: 0, unacknowledged: 0 };
  for (const e of events) {
    if (e.state === 'open') {
      c.unacknowledged++;
      if (Date.parse(e.ackDeadline) < now) c.ackOverdue++;
    }
    if (Date.parse(e.deadline) < now) c.fixOverdue++;
  }
  return c;
}

export interface WorstGrid {
  id: string;
  city: string;
  level: Level;
  /** Active events of the grid. */
  events: number;
  /** Of them, past their governing deadline. */
  overdue: number;
  /** Epoch ms of the oldest active event's opening. */
  since: number;
}

/**
 * The worst grids: worst level first; then the most overdue events; then the most events; then the
 * longest-running problem. With every grid at one event the order still says something: the overdue
 * and the oldest come first.
 */
export function worstGrids(events: EventDoc[], now: number, limit = 10): WorstGrid[] {
  const byGrid = new Map<string, WorstGrid>();
  for (const e of events) {
    let g = byGrid.get(e.grid);
    if (!g)
      byGrid.set(
        e.grid,
        (g = { id: e.grid, city: e.city, level: e.level, events: 0, overdue: 0, since: Infinity }),
      );
    g.events++;
    if (levelIndex(e.level) < levelIndex(g.level)) g.level = e.level;
    if (governingDeadline(e).at < now) g.overdue++;
    g.since = Math.min(g.since, Date.parse(e.openedAt));
  }
  return [...byGrid.values()]
    .sort(
      (a, b) =>
        levelIndex(a.level) - levelIndex(b.level) ||
        b.overdue - a.overdue ||
        b.events - a.events ||
        a.since - b.since ||
        a.id.localeCompare(b.id),
    )
    .slice(0, limit);
}

/** `芙蓉区_曙光电子厂` → `曙光电子厂`: on the wall the city and district are shown apart. */
export function shortGridName(name: string): string {
  const i = name.indexOf('_');
  return i > 0 && i < name.length - 1 ? name.slice(i + 1) : name;
}
