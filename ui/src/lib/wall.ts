/**
 * What the wall derives: deadline counts (from the live state and the caller's clock), the worst
 * grids by composite score (from `GET /api/scorecards?sort=score`), the trend shown beside each, and
 * short grid names. Pure.
 */
import type { EventDoc } from './types.js';

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

/** How many grids the wall ranks (docs/reports.md "The composite score"). */
export const WORST_LIMIT = 10;

/**
 * The wall's worst grids: the API's ranking by composite score as it is (`sort=score`), without the
 * grids that have nothing against them (score 0: no complaint, no deadline missed), at most `limit`.
 */
export function worstByScore<T extends { score: number }>(lines: readonly T[], limit = WORST_LIMIT): T[] {
  return lines.filter((l) => l.score > 0).slice(0, limit);
}

export interface TrendView {
  /** `up`: the score rose (worse); `down`: it fell (better); `flat`; `none`: no previous period. */
  dir: 'up' | 'down' | 'flat' | 'none';
  /** `▲ 1.2`, `▼ 0.4`, `± 0`, `—`. */
  text: string;
}

/** A score's trend (this period's score minus the previous period's) as the wall shows it. */
export function trendView(trend: number | null): TrendView {
  if (trend === null) return { dir: 'none', text: '—' };
  if (trend === 0) return { dir: 'flat', text: '± 0' };
  const abs = Math.abs(trend);
  // The API rounds to 3 decimals: a small change keeps its first significant digit.
  const delta = abs.toFixed(abs >= 0.1 ? 1 : abs >= 0.01 ? 2 : 3);
  return trend > 0 ? { dir: 'up', text: `▲ ${delta}` } : { dir: 'down', text: `▼ ${delta}` };
}

/** `芙蓉区_曙光电子厂` → `曙光电子厂`: on the wall the city and district are shown apart. */
export function shortGridName(name: string): string {
  const i = name.indexOf('_');
  return i > 0 && i < name.length - 1 ? name.slice(i + 1) : name;
}
