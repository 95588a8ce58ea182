/**
 * Incidents on the screens (CONTRACT.md "Incidents"): one cause, many grids. What the desk and the
 * wall derive from the live store's incidents and events — which incidents are active, which events
 * fold under them, the wall's counts with an incident counted once — and the incident's title in the
 * screen's language. Pure functions (the title a store, like eventTitle).
 */
import { derived } from 'svelte/store';
import { lang } from './i18n.js';
import { LEVELS, levelIndex } from './levels.js';
import { renderIncidentTitle } from '../../../shared/titles.js';
import { deadlineCounts, type DeadlineCounts } from './wall.js';
import type { EventDoc, IncidentTransition, Level } from './types.js';

/** Incident ids are `<city>.incident.<yyyyMMddTHHmmss>[-n]`; event ids start with their grid. */
export function isIncidentId(id: string): boolean {
  return /^[^.]+\.incident\./.test(id);
}

export function incidentActive(i: Pick<IncidentTransition, 'state'>): boolean {
  return i.state === 'open' || i.state === 'acknowledged';
}

/** The incident's title in the screen's language, from its parts. */
export const incidentTitle = derived(
  lang,
  (l) =>
    (i: Pick<IncidentTransition, 'title' | 'titleParts'>): string =>
      i.titleParts ? renderIncidentTitle(i.titleParts, l) : i.title,
);

/** The active incidents of a city (all cities: null), from the live store's map. */
export function activeIncidents(
  all: Map<string, IncidentTransition>,
  city: string | null,
): IncidentTransition[] {
  return [...all.values()].filter((i) => incidentActive(i) && (!city || i.city === city));
}

/** The deadline that governs an incident or event now: the first response until acknowledged, then the fix. */
function dueAt(x: { state: string; ackDeadline: string; deadline: string }): number {
  return Date.parse(x.state === 'open' ? x.ackDeadline : x.deadline);
}

/** The desk's order (levels.ts byUrgency), for incidents and events alike. */
export function byUrgencyOf(
  a: { id: string; level: Level; state: string; ackDeadline: string; deadline: string },
  b: { id: string; level: Level; state: string; ackDeadline: string; deadline: string },
): number {
  const da = Math.floor(dueAt(a) / 60_000);
  const db = Math.floor(dueAt(b) / 60_000);
  return da - db || levelIndex(a.level) - levelIndex(b.level) || a.id.localeCompare(b.id);
}

export interface IncidentGroup {
  incident: IncidentTransition;
  /** Its grids' events that the desk's filters keep, most urgent first. */
  events: EventDoc[];
}

/**
 * The desk's list: every active incident with the shown events that belong to it, and the events
 * outside any active incident. An incident with none of its events left by the filters is left out,
 * unless no filter narrows the list (its events may not have arrived yet).
 */
export function groupByIncident(
  shown: EventDoc[],
  incidents: IncidentTransition[],
  filtered: boolean,
): { groups: IncidentGroup[]; loose: EventDoc[] } {
  const byId = new Map(incidents.map((i) => [i.id, { incident: i, events: [] as EventDoc[] }]));
  const loose: EventDoc[] = [];
  for (const e of shown) {
    const g = e.incident ? byId.get(e.incident) : undefined;
    if (g) g.events.push(e);
    else loose.push(e);
  }
  const groups = [...byId.values()].filter((g) => g.events.length > 0 || !filtered);
  for (const g of groups) g.events = rootFirst(g.events, g.incident);
  return { groups, loose };
}

/** The events holding the incident's root alarms (the failed element's grid) first, in their order. */
export function rootFirst(events: EventDoc[], incident: Pick<IncidentTransition, 'root'>): EventDoc[] {
  const root = new Set(incident.root.alarms);
  const holds = (e: EventDoc) => e.evidence?.alarms.some((a) => root.has(a)) ?? false;
  return [...events.filter(holds), ...events.filter((e) => !holds(e))];
}

export interface LevelFold {
  /** What the wall counts per level: an active incident once, the events outside incidents each. */
  problems: Record<Level, number>;
  /** Active incidents per level. */
  incidents: Record<Level, number>;
  /** Grids of those incidents per level. */
  incidentGrids: Record<Level, number>;
}

const zero = (): Record<Level, number> => ({ red: 0, orange: 0, yellow: 0, blue: 0 });

/** The wall's counters with incidents folded: "1 起故障 · 75 个网格" instead of 75. */
export function foldLevels(events: EventDoc[], incidents: IncidentTransition[]): LevelFold {
  const out: LevelFold = { problems: zero(), incidents: zero(), incidentGrids: zero() };
  const active = new Set(incidents.map((i) => i.id));
  for (const e of events) if (!e.incident || !active.has(e.incident)) out.problems[e.level]++;
  for (const i of incidents) {
    if (!LEVELS.includes(i.level)) continue;
    out.problems[i.level]++;
    out.incidents[i.level]++;
    out.incidentGrids[i.level] += i.grids.length;
  }
  return out;
}

/**
 * The wall's deadline tile with incidents folded: an active incident is one open (or acknowledged)
 * item with its own deadlines — its grids' events do not escalate on theirs while in it.
 */
export function foldDeadlines(
  events: EventDoc[],
  incidents: IncidentTransition[],
  now: number,
): DeadlineCounts {
  const active = new Set(incidents.map((i) => i.id));
  const loose = events.filter((e) => !e.incident || !active.has(e.incident));
  return deadlineCounts([...loose, ...(incidents as unknown as EventDoc[])], now);
}
