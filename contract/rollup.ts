/**
 * Scorecards above the grid: district, city and province lines whose counts are the sums of their
 * grids' and whose rates come from those sums (complaints per 10k = all complaints ÷ all
 * subscribers × 10,000 — not a mean of the grids' rates). Every figure is contract/scorecard.ts's,
 * computed over the summed daily counters as if the area were one grid. Pure.
 */
import type { Grid } from '../config/topology.js';
import { scorecardOf, type Scorecard } from './scorecard.js';
import type { DayStats } from '../shared/views.js';

export const ROLLUP_LEVELS = ['grid', 'district', 'city', 'province'] as const;
/** The name of the province-level line (the topology names cities only). */
export const PROVINCE_NAME = '全省';
export type RollupLevel = (typeof ROLLUP_LEVELS)[number];

/** A scorecard line of an area: `id` (`<city>/<district>` for a district), its name, its grids. */
export type RollupLine = Omit<Scorecard, 'kind' | 'grid' | 'city'> & {
  level: Exclude<RollupLevel, 'grid'>;
  id: string;
  name: string;
  city?: string;
  grids: number;
};

export interface RollupMember {
  grid: Pick<Grid, 'id' | 'city' | 'district' | 'subscribers'>;
  elements: number;
  byDay: (key: string) => DayStats | undefined;
}

/** The area a grid belongs to at a level; grids without a district form their city's "—" district. */
export function areaOf(grid: RollupMember['grid'], level: Exclude<RollupLevel, 'grid'>): string {
  if (level === 'province') return 'province';
  if (level === 'city') return grid.city;
  return `${grid.city}/${grid.district ?? '—'}`;
}

export function rollUp(
  members: readonly RollupMember[],
  level: Exclude<RollupLevel, 'grid'>,
  cityName: (id: string) => string | undefined,
  days: readonly string[],
  from: number,
  to: number,
): RollupLine[] {
  const areas = new Map<string, RollupMember[]>();
  for (const m of members) {
    const key = areaOf(m.grid, level);
    let list = areas.get(key);
    if (!list) areas.set(key, (list = []));
    list.push(m);
  }
  return [...areas].map(([id, list]) => {
    const { city: gridCity, district } = list[0].grid;
    const city = level === 'province' ? undefined : gridCity;
    const summed = (key: string) => sumStats(list.map((m) => m.byDay(key)));
    const area = {
      id,
      city: city ?? '',
      subscribers: list.reduce((n, m) => n + m.grid.subscribers, 0),
    };
    const elements = list.reduce((n, m) => n + m.elements, 0);
    const { kind: _k, grid: _g, city: _c, ...figures } = scorecardOf(area, elements, summed, days, from, to);
    const name =
      level === 'province'
        ? PROVINCE_NAME
        : level === 'city'
          ? (cityName(id) ?? id)
          : `${cityName(gridCity) ?? gridCity} ${district ?? '—'}`;
    return { level, id, name, ...(city ? { city } : {}), grids: list.length, ...figures };
  });
}

/** The day counters of several grids added up, field by field (nested counts too). */
export function sumStats(days: readonly (DayStats | undefined)[]): DayStats | undefined {
  const present = days.filter((d): d is DayStats => d !== undefined);
  if (present.length === 0) return undefined;
  const total = emptyLike(present[0]);
  for (const d of present) addNumbers(total, d);
  return total;
}

function emptyLike<T>(shape: T): T {
  if (typeof shape === 'number') return 0 as T;
  if (typeof shape !== 'object' || shape === null) return shape;
  return Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, emptyLike(v)])) as T;
}

function addNumbers<T>(total: T, more: T): T {
  const t = total as Record<string, unknown>;
  for (const [k, v] of Object.entries(more as Record<string, unknown>)) {
    if (typeof v === 'number') t[k] = ((t[k] as number | undefined) ?? 0) + v;
    else if (typeof v === 'object' && v !== null) t[k] = addNumbers((t[k] as object | undefined) ?? {}, v);
  }
  return total;
}
