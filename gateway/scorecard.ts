/**
 * Scorecard lines (CONTRACT.md "A scorecard line", without `kind`) summed from the processor's daily
 * counters (GridDoc.days). Pure: the period's days are computed from the `now` passed in.
 */
import type { Grid } from '../config/topology.js';
import { LEVELS, type Level } from '../shared/levels.js';
import { COMPLAINT_CATEGORIES, type ComplaintCategory } from '../shared/schemas.js';
import { DAY, formatTime } from '../shared/time.js';
import type { DayStats, GridDoc } from '../shared/views.js';

export const PERIODS = { P1D: 1, P7D: 7, P30D: 30 } as const;
export type Period = keyof typeof PERIODS;

export interface ScorecardLine {
  grid: string;
  city: string;
  from: string;
  to: string;
  subscribers: number;
  complaints: number;
  complaintsPer10k: number;
  byCategory: Record<ComplaintCategory, number>;
  repeatRate: number;
  events: Record<Level, number>;
  /** null when no event of the period reached it. */
  mttaMinutes: number | null;
  mttrMinutes: number | null;
  slaMetPct: number | null;
  degradedElementsPct: number;
}

/** The UTC days of the period ending today: P1D = today, P7D = today and the 6 days before. */
export function periodDays(period: Period, now: number): { days: string[]; from: number } {
  const today = Math.floor(now / DAY) * DAY;
  const from = today - (PERIODS[period] - 1) * DAY;
  const days: string[] = [];
  for (let d = from; d <= today; d += DAY) days.push(formatTime(d).slice(0, 10));
  return { days, from };
}

export function scorecardLine(
  grid: Grid,
  doc: GridDoc | undefined,
  elements: number,
  period: Period,
  now: number,
): ScorecardLine {
  const { days, from } = periodDays(period, now);
  const sum = sumDays(days.map((d) => doc?.days[d]).filter((d): d is DayStats => d !== undefined));
  return {
    grid: grid.id,
    city: grid.city,
    from: formatTime(from),
    to: formatTime(now),
    subscribers: grid.subscribers,
    complaints: sum.complaints,
    complaintsPer10k: grid.subscribers > 0 ? round((sum.complaints / grid.subscribers) * 10_000) : 0,
    byCategory: sum.byCategory,
    repeatRate: sum.complaints > 0 ? round(sum.repeats / sum.complaints) : 0,
    events: sum.events,
    mttaMinutes: sum.acked > 0 ? round(sum.ackMinutes / sum.acked) : null,
    mttrMinutes: sum.resolved > 0 ? round(sum.resolveMinutes / sum.resolved) : null,
    slaMetPct: sum.slaDue > 0 ? round(sum.slaMet / sum.slaDue) : null,
    // Days count distinct elements per day only; the worst day is the best bound on the period.
    degradedElementsPct: elements > 0 ? round(sum.degradedElementsMax / elements) : 0,
  };
}

/** Worst first: complaints per 10k subscribers, then red events. */
export function worstFirst(a: ScorecardLine, b: ScorecardLine): number {
  return (
    b.complaintsPer10k - a.complaintsPer10k || b.events.red - a.events.red || a.grid.localeCompare(b.grid)
  );
}

type Sum = Omit<DayStats, 'degradedElements'> & { degradedElementsMax: number };

function sumDays(days: DayStats[]): Sum {
  const sum: Sum = {
    complaints: 0,
    byCategory: Object.fromEntries(COMPLAINT_CATEGORIES.map((c) => [c, 0])) as Record<
      ComplaintCategory,
      number
    >,
    repeats: 0,
    events: Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>,
    ackMinutes: 0,
    acked: 0,
    resolveMinutes: 0,
    resolved: 0,
    slaMet: 0,
    slaDue: 0,
    degradedElementsMax: 0,
  };
  for (const d of days) {
    sum.complaints += d.complaints;
    for (const c of COMPLAINT_CATEGORIES) sum.byCategory[c] += d.byCategory?.[c] ?? 0;
    sum.repeats += d.repeats;
    for (const l of LEVELS) sum.events[l] += d.events?.[l] ?? 0;
    sum.ackMinutes += d.ackMinutes;
    sum.acked += d.acked;
    sum.resolveMinutes += d.resolveMinutes;
    sum.resolved += d.resolved;
    sum.slaMet += d.slaMet;
    sum.slaDue += d.slaDue;
    sum.degradedElementsMax = Math.max(sum.degradedElementsMax, d.degradedElements);
  }
  return sum;
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
