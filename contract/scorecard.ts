/**
 * Scorecard lines (CONTRACT.md "A scorecard line") from a grid's daily counters: one definition of
 * every figure, used by `cadre replay --scorecards` (over the input's span) and by the gateway's
 * `/api/scorecards` (over P1D/P7D/P30D). Pure.
 */
import type { Grid } from '../config/topology.js';
import type { Level } from '../shared/levels.js';
import type { ComplaintCategory } from '../shared/schemas.js';
import { formatTime } from '../shared/time.js';
import type { DayStats } from '../shared/views.js';

export interface Scorecard {
  kind: 'scorecard';
  grid: string;
  city: string;
  from: string;
  to: string;
  subscribers: number;
  complaints: number;
  complaintsPer10k: number | null;
  byCategory: Record<ComplaintCategory, number>;
  repeatRate: number | null;
  events: Record<Level, number>;
  mttaMinutes: number | null;
  mttrMinutes: number | null;
  slaMetPct: number | null;
  degradedElementsPct: number | null;
  /** Deal (second release; formulas in docs/rules.md "Deal"). */
  firstResponseMetPct: number | null;
  contactMetPct: number | null;
  promises: number;
  promisesMoved: number;
  promisesBroken: number;
  satisfactionPct: number | null;
  deferred: number;
  resolvedUnrelated: number;
  handledInGridPct: number | null;
}

export function emptyDay(): DayStats {
  return {
    complaints: 0,
    byCategory: { voice: 0, data: 0, sms: 0, coverage: 0, wlan: 0, other: 0 },
    repeats: 0,
    events: { red: 0, orange: 0, yellow: 0, blue: 0 },
    ackMinutes: 0,
    acked: 0,
    resolveMinutes: 0,
    resolved: 0,
    slaMet: 0,
    slaDue: 0,
    degradedElements: 0,
    ...DEAL_ZERO,
  };
}

const DEAL_ZERO = {
  firstResponseDue: 0,
  firstResponseMet: 0,
  contactDue: 0,
  contactMet: 0,
  promises: 0,
  promisesMoved: 0,
  promisesBroken: 0,
  satisfied: 0,
  dissatisfied: 0,
  deferred: 0,
  resolvedUnrelated: 0,
  endedInGrid: 0,
};
type DealCounter = keyof typeof DEAL_ZERO;
const DEAL_COUNTERS = Object.keys(DEAL_ZERO) as DealCounter[];

/**
 * The scorecard of a grid over the days `days` (keys) of `byDay`, reported as the span `from`–`to`.
 * Means are null when nothing reached them; `degradedElementsPct` is the mean over the days of the
 * share of the grid's elements degraded that day.
 */
export function scorecardOf(
  grid: Pick<Grid, 'id' | 'city' | 'subscribers'>,
  elements: number,
  byDay: (key: string) => DayStats | undefined,
  days: readonly string[],
  from: number,
  to: number,
): Scorecard {
  const sum = emptyDay();
  for (const key of days) {
    const d = byDay(key);
    if (d) addDay(sum, d);
  }
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
    degradedElementsPct:
      elements > 0 && days.length > 0 ? round(sum.degradedElements / (elements * days.length)) : null,
    firstResponseMetPct: sum.firstResponseDue > 0 ? round(sum.firstResponseMet / sum.firstResponseDue) : null,
    contactMetPct: sum.contactDue > 0 ? round(sum.contactMet / sum.contactDue) : null,
    promises: sum.promises,
    promisesMoved: sum.promisesMoved,
    promisesBroken: sum.promisesBroken,
    satisfactionPct:
      sum.satisfied + sum.dissatisfied > 0 ? round(sum.satisfied / (sum.satisfied + sum.dissatisfied)) : null,
    deferred: sum.deferred,
    resolvedUnrelated: sum.resolvedUnrelated,
    handledInGridPct: sum.resolved > 0 ? round(sum.endedInGrid / sum.resolved) : null,
  };
}

/** A grid's scorecard line, or an area's (contract/rollup.ts, named by `id`). */
export type Ranked = Pick<Scorecard, 'complaintsPer10k' | 'events'> & ({ grid: string } | { id: string });

/** Worst first: complaints per 10k subscribers, then red events, then grid or area id (stable). */
export function worstFirst(a: Ranked, b: Ranked): number {
  const id = (l: Ranked) => ('grid' in l ? l.grid : l.id);
  return (
    (b.complaintsPer10k ?? 0) - (a.complaintsPer10k ?? 0) ||
    b.events.red - a.events.red ||
    id(a).localeCompare(id(b))
  );
}

function addDay(total: DayStats, d: DayStats): void {
  total.complaints += d.complaints;
  for (const c of Object.keys(total.byCategory) as ComplaintCategory[])
    total.byCategory[c] += d.byCategory[c] ?? 0;
  total.repeats += d.repeats;
  for (const l of Object.keys(total.events) as Level[]) total.events[l] += d.events[l] ?? 0;
  total.ackMinutes += d.ackMinutes;
  total.acked += d.acked;
  total.resolveMinutes += d.resolveMinutes;
  total.resolved += d.resolved;
  total.slaMet += d.slaMet;
  total.slaDue += d.slaDue;
  total.degradedElements += d.degradedElements;
  for (const k of DEAL_COUNTERS) total[k] += d[k] ?? 0;
}

/** Six decimals: stable text, no float noise. */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
