/**
 * Complaint analysis reports (CONTRACT.md "Reports, targets, API description"), daily, weekly
 * (Monday to Sunday) and monthly, as the source's complaint analysis is: per city and grid the
 * complaints, per 10k subscribers by category, the repeat rate, deadline compliance, the worst grids
 * with their change against the previous period, the top repeat customers and locations; each figure
 * with a target gets its red/amber/green status. Days are the operator's (cadre.yaml `timeZone`).
 *
 * Counts and rates come from the processor's daily counters through contract/scorecard.ts (one
 * definition of every figure); the top lists need single complaints, handed in as records. Pure.
 */
import type { Topology } from '../config/topology.js';
import { addDays, type DayCalendar } from '../shared/calendar.js';
import { rollUp, type RollupMember } from './rollup.js';
import { COMPLAINT_CATEGORIES, type Complaint, type ComplaintCategory } from '../shared/schemas.js';
import { scorecardOf } from './scorecard.js';
import { statuses, type TargetFigure, type Targets, type TargetStatus } from './targets.js';
import { formatTime } from '../shared/time.js';
import type { DayStats } from '../shared/views.js';

export const REPORT_PERIODS = ['day', 'week', 'month'] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number];

/** How many worst grids, repeat customers and repeat locations a report lists (the source's top 5 / 10). */
export const TOP = { worstGrids: 10, customers: 5, locations: 10 } as const;

/** One complaint as the top lists need it. */
export interface ComplaintRecord {
  id: string;
  time: number;
  grid: string;
  customer: string;
  category: ComplaintCategory;
  /** Where: the element, else the location to ~100 m, else the grid. */
  place: string;
}

export function complaintRecord(msg: Complaint, grid: string, time: number): ComplaintRecord {
  const place = msg.ne
    ? msg.ne
    : msg.location
      ? `${msg.location.lon.toFixed(3)},${msg.location.lat.toFixed(3)}`
      : grid;
  return { id: msg.id, time, grid, customer: msg.customer.id, category: msg.category, place };
}

/** The local days of a report period holding `date`, those of the period before, and its span. */
export function reportDays(
  period: ReportPeriod,
  date: string,
  calendar: DayCalendar,
): { days: string[]; previous: string[]; from: number; to: number } {
  let first = date;
  let next = addDays(date, 1);
  let before = addDays(date, -1);
  if (period === 'week') {
    const weekday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0
    first = addDays(date, -weekday);
    next = addDays(first, 7);
    before = addDays(first, -7);
  } else if (period === 'month') {
    first = `${date.slice(0, 8)}01`;
    const [y, m] = [Number(date.slice(0, 4)), Number(date.slice(5, 7))];
    next = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
    before = new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 10);
  }
  return {
    days: span(first, next),
    previous: span(before, first),
    from: calendar.startOf(first),
    to: calendar.startOf(next),
  };
}

function span(first: string, end: string): string[] {
  const keys: string[] = [];
  for (let k = first; k < end; k = addDays(k, 1)) keys.push(k);
  return keys;
}

/** The figures of one area (grid, city, the whole scope) over the period. */
export interface ReportFigures {
  subscribers: number;
  complaints: number;
  complaintsPer10k: number | null;
  byCategory: Record<ComplaintCategory, { complaints: number; per10k: number | null }>;
  repeatRate: number | null;
  /** Events ended by their deadline ÷ events whose deadline passed or that ended (scorecard slaMetPct). */
  deadlineCompliance: number | null;
  status: Record<TargetFigure, TargetStatus | null>;
}

export interface ReportGrid extends ReportFigures {
  grid: string;
  name: string;
  city: string;
  district?: string;
  previous: { complaints: number; complaintsPer10k: number | null };
  /** This period minus the previous one; null when either rate is. */
  change: { complaints: number; complaintsPer10k: number | null };
}

export interface Report {
  period: ReportPeriod;
  date: string;
  /** The period's local days. */
  days: string[];
  timeZone: string;
  /** The period's first local midnight and the next period's (ISO, UTC). */
  from: string;
  to: string;
  /** The previous period's first day (what `change` compares against). */
  previousFrom: string;
  city: string | null;
  targets: Targets;
  totals: ReportFigures;
  cities: (ReportFigures & { city: string; name: string })[];
  grids: ReportGrid[];
  /** The worst grids by complaints per 10k (then complaints), with their change. */
  worstGrids: ReportGrid[];
  topRepeatCustomers: { customer: string; complaints: number; grids: string[]; last: string }[];
  topRepeatLocations: { place: string; grid: string; name: string; complaints: number; customers: number }[];
}

export interface ReportInput {
  period: ReportPeriod;
  /** `YYYY-MM-DD`, any day of the period. */
  date: string;
  city?: string;
  topology: Topology;
  calendar: DayCalendar;
  targets: Targets;
  /** A grid's counters of one local day. */
  dayOf(grid: string, day: string): DayStats | undefined;
  /** Complaints of at least the period (others are ignored); duplicates by id count once. */
  complaints: Iterable<ComplaintRecord>;
}

export function buildReport(input: ReportInput): Report {
  const { topology, calendar, targets } = input;
  const { days, previous, from, to } = reportDays(input.period, input.date, calendar);
  const grids = topology.grids.filter((g) => !input.city || g.city === input.city);
  const member = (g: (typeof grids)[number]): RollupMember => ({
    grid: g,
    elements: topology.elementsOf(g.id).length,
    byDay: (key) => input.dayOf(g.id, key),
  });
  const members = grids.map(member);
  const prevFrom = calendar.startOf(previous[0]);

  const gridLines: ReportGrid[] = grids.map((g, i) => {
    const now = scorecardOf(g, members[i].elements, members[i].byDay, days, from, to);
    const before = scorecardOf(g, members[i].elements, members[i].byDay, previous, prevFrom, from);
    return {
      grid: g.id,
      name: g.name,
      city: g.city,
      ...(g.district ? { district: g.district } : {}),
      ...figuresOf(now, targets),
      previous: { complaints: before.complaints, complaintsPer10k: before.complaintsPer10k },
      change: {
        complaints: now.complaints - before.complaints,
        complaintsPer10k:
          now.complaintsPer10k !== null && before.complaintsPer10k !== null
            ? round(now.complaintsPer10k - before.complaintsPer10k)
            : null,
      },
    };
  });
  const cityName = (id: string) => topology.cities.find((c) => c.id === id)?.name;
  const cities = rollUp(members, 'city', cityName, days, from, to).map((line) => ({
    city: line.id,
    name: line.name,
    ...figuresOf(line, targets),
  }));
  const [total] = rollUp(members, 'province', cityName, days, from, to);
  const worst = [...gridLines]
    .sort(worseGrid)
    .filter((g) => g.complaints > 0)
    .slice(0, TOP.worstGrids);

  const inScope = new Set(grids.map((g) => g.id));
  const seen = new Set<string>();
  const records: ComplaintRecord[] = [];
  for (const c of input.complaints)
    if (c.time >= from && c.time < to && inScope.has(c.grid) && !seen.has(c.id)) {
      seen.add(c.id);
      records.push(c);
    }

  return {
    period: input.period,
    date: input.date,
    days,
    timeZone: calendar.timeZone,
    from: formatTime(from),
    to: formatTime(to),
    previousFrom: formatTime(prevFrom),
    city: input.city ?? null,
    targets,
    totals: total ? figuresOf(total, targets) : figuresOf(emptyFigures(), targets),
    cities,
    grids: gridLines,
    worstGrids: worst,
    topRepeatCustomers: topCustomers(records),
    topRepeatLocations: topLocations(records, topology),
  };
}

type Figures = Pick<
  ReturnType<typeof scorecardOf>,
  'subscribers' | 'complaints' | 'complaintsPer10k' | 'byCategory' | 'repeatRate' | 'slaMetPct'
>;

function figuresOf(line: Figures, targets: Targets): ReportFigures {
  const per10k = (n: number) => (line.subscribers > 0 ? round((n / line.subscribers) * 10_000) : null);
  const byCategory = Object.fromEntries(
    COMPLAINT_CATEGORIES.map((c) => [
      c,
      { complaints: line.byCategory[c], per10k: per10k(line.byCategory[c]) },
    ]),
  ) as ReportFigures['byCategory'];
  const repeatRate = line.complaints > 0 ? line.repeatRate : null;
  const figures = {
    complaintsPer10k: line.complaintsPer10k,
    repeatRate,
    deadlineCompliance: line.slaMetPct,
  };
  return {
    subscribers: line.subscribers,
    complaints: line.complaints,
    complaintsPer10k: line.complaintsPer10k,
    byCategory,
    repeatRate,
    deadlineCompliance: line.slaMetPct,
    status: statuses(figures, targets),
  };
}

function emptyFigures(): Figures {
  const byCategory = Object.fromEntries(COMPLAINT_CATEGORIES.map((c) => [c, 0])) as Figures['byCategory'];
  return {
    subscribers: 0,
    complaints: 0,
    complaintsPer10k: null,
    byCategory,
    repeatRate: 0,
    slaMetPct: null,
  };
}

/** Worst first: complaints per 10k subscribers, then complaints, then grid id (stable). */
function worseGrid(a: ReportGrid, b: ReportGrid): number {
  return (
    (b.complaintsPer10k ?? 0) - (a.complaintsPer10k ?? 0) ||
    b.complaints - a.complaints ||
    a.grid.localeCompare(b.grid)
  );
}

function topCustomers(records: readonly ComplaintRecord[]): Report['topRepeatCustomers'] {
  const by = new Map<string, { complaints: number; grids: Set<string>; last: number }>();
  for (const r of records) {
    const c = by.get(r.customer) ?? { complaints: 0, grids: new Set<string>(), last: -Infinity };
    c.complaints++;
    c.grids.add(r.grid);
    c.last = Math.max(c.last, r.time);
    by.set(r.customer, c);
  }
  return [...by]
    .filter(([, c]) => c.complaints >= 2)
    .sort(([ia, a], [ib, b]) => b.complaints - a.complaints || b.last - a.last || ia.localeCompare(ib))
    .slice(0, TOP.customers)
    .map(([customer, c]) => ({
      customer,
      complaints: c.complaints,
      grids: [...c.grids].sort(),
      last: formatTime(c.last),
    }));
}

function topLocations(records: readonly ComplaintRecord[], topology: Topology): Report['topRepeatLocations'] {
  const by = new Map<string, { grid: string; complaints: number; customers: Set<string> }>();
  for (const r of records) {
    const key = `${r.grid}\u0000${r.place}`;
    const p = by.get(key) ?? { grid: r.grid, complaints: 0, customers: new Set<string>() };
    p.complaints++;
    p.customers.add(r.customer);
    by.set(key, p);
  }
  return [...by]
    .filter(([, p]) => p.complaints >= 2)
    .sort(
      ([ka, a], [kb, b]) =>
        b.complaints - a.complaints || b.customers.size - a.customers.size || ka.localeCompare(kb),
    )
    .slice(0, TOP.locations)
    .map(([key, p]) => ({
      place: key.split('\u0000')[1],
      grid: p.grid,
      name: topology.grid(p.grid)?.name ?? p.grid,
      complaints: p.complaints,
      customers: p.customers.size,
    }));
}

/** Six decimals, as the scorecards. */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
