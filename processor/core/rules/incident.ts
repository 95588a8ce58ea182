/**
 * Incidents (docs/rules.md "Incidents: one cause, many grids"): an outage event is explained by the
 * topmost failed element up its upstream links (cell → site → transport / power → ring → core);
 * outage events of `incidents.minGrids` grids or more explained by one failed element are one
 * incident. Where the topology says nothing of an element, outage events of one alarm code in one
 * district opened within `incidents.window` are. It clears when its root is up again (or, grouped by
 * district, when its last event ends). Pure: reads the books (`IncidentBooks`, the world's), decides;
 * incidents.ts does what it decides.
 */
import type { Rules } from '../../../config/rules.js';
import type { Grid, Topology } from '../../../config/topology.js';
import { levelRank, type Level } from '../../../shared/levels.js';
import type { IncidentState } from '../incidents.js';
import type { AlarmState, EventState, GridState } from '../state.js';

/** What the rule reads: the world's incidents, waiting events, what is down, and the topology. */
export interface IncidentBooks {
  readonly ctx: { readonly topology: Topology };
  gridInfo(id: string): Grid;
  readonly grids: ReadonlyMap<string, GridState>;
  readonly active: ReadonlyMap<string, EventState>;
  readonly incidents: ReadonlyMap<string, IncidentState>;
  /** The active incident of each cause key, and the events waiting under a key for more grids. */
  readonly incidentKeys: ReadonlyMap<string, string>;
  readonly waitingByKey: ReadonlyMap<string, readonly string[]>;
  /** Active outage alarms per element. */
  readonly outageDown: ReadonlyMap<string, number>;
}

/** What an outage alarm counted into an outage event does to incidents. */
export type IncidentDecision =
  /** `in-incident`: the event is in one already, the alarm not of its root element. */
  | { kind: 'none'; reason: 'in-incident' }
  /** An alarm of the incident's root element: one more root alarm. */
  | { kind: 'root'; reason: 'root-alarm'; inc: IncidentState }
  | { kind: 'join'; reason: 'same-cause'; inc: IncidentState }
  /** Fewer grids than `minGrids` share the cause: `waiting`, the ids of the events under `key` now. */
  | { kind: 'wait'; reason: 'too-few-grids'; key: string; waiting: string[] }
  | ({ kind: 'open'; reason: 'upstream' | 'district'; members: EventState[] } & IncidentOpening);

/** What a new incident starts from. */
export interface IncidentOpening {
  key: string;
  city: string;
  area: string;
  element?: { id: string; kind: string };
  code?: string;
  level: Level;
  ackDeadline: number;
  deadline: number;
  rootAlarms: string[];
}

const IN_INCIDENT: IncidentDecision = { kind: 'none', reason: 'in-incident' };

/** Outage alarm `alarm` was counted into outage event `ev` at `at`. */
export function decideIncident(
  rules: Rules['incidents'],
  books: IncidentBooks,
  ev: EventState,
  alarm: AlarmState,
  at: number,
): IncidentDecision {
  const inc = ev.incident ? books.incidents.get(ev.incident) : undefined;
  if (inc) return inc.element?.id === alarm.ne ? { kind: 'root', reason: 'root-alarm', inc } : IN_INCIDENT;
  const { topology } = books.ctx;
  const root = rootOf(books, alarm.ne);
  const linked = root !== alarm.ne || topology.upstreamOf(alarm.ne).length > 0;
  const info = books.gridInfo(ev.grid);
  const district = info.district ?? info.city;
  const key = linked ? `upstream:${root}` : `district:${info.city}/${district}/${alarm.code}`;

  const activeId = books.incidentKeys.get(key);
  const active = activeId ? books.incidents.get(activeId) : undefined;
  if (active && (linked || at <= active.openedAt + rules.window))
    return { kind: 'join', reason: 'same-cause', inc: active };

  // The events waiting under the key that still may join: active, in no incident, within the window.
  const waiting: string[] = [];
  const members: EventState[] = [];
  for (const id of books.waitingByKey.get(key) ?? []) {
    const other = books.active.get(id);
    if (!other || other.incident || other.id === ev.id || (!linked && other.openedAt < at - rules.window))
      continue;
    waiting.push(id);
    members.push(other);
  }
  waiting.push(ev.id);
  members.push(ev);
  if (new Set(members.map((m) => m.grid)).size < rules.minGrids)
    return { kind: 'wait', reason: 'too-few-grids', key, waiting };

  const element = linked ? topology.element(root) : undefined;
  return {
    kind: 'open',
    reason: linked ? 'upstream' : 'district',
    members,
    key,
    city: info.city,
    area: district,
    ...(element ? { element: { id: element.id, kind: element.kind } } : { code: alarm.code }),
    level: members.reduce<Level>((l, m) => (levelRank(m.level) > levelRank(l) ? m.level : l), 'blue'),
    ackDeadline: Math.max(at, Math.min(...members.map((m) => m.ackDeadline))),
    deadline: Math.max(at, Math.min(...members.map((m) => m.deadline))),
    rootAlarms: linked ? rootAlarmsOf(books, root) : members.flatMap((m) => [...m.alarms].slice(0, 1)),
  };
}

/** A member event ended: an incident grouped by district is over with its last active event. */
export function endsWithMember(inc: IncidentState, active: ReadonlyMap<string, EventState>): boolean {
  if (isOver(inc) || inc.cause !== 'district') return false;
  for (const id of inc.events) if (active.has(id)) return false;
  return true;
}

export const isOver = (inc: IncidentState) => inc.state === 'resolved' || inc.state === 'cleared';

/** The topmost failed element explaining `ne`: up its links while the element above is down. */
function rootOf(books: IncidentBooks, ne: string): string {
  const seen = new Set([ne]);
  let at = ne;
  for (;;) {
    const up = books.ctx.topology
      .upstreamOf(at)
      .find((u) => !seen.has(u) && (books.outageDown.get(u) ?? 0) > 0);
    if (up === undefined) return at;
    seen.add(up);
    at = up;
  }
}

/** The active outage alarms of an element (in the grid the topology puts it in). */
function rootAlarmsOf(books: IncidentBooks, element: string): string[] {
  const grid = books.ctx.topology.element(element)?.grid;
  const alarms = grid === undefined ? undefined : books.grids.get(grid)?.alarms;
  return alarms ? [...alarms.values()].filter((a) => a.ne === element && a.outage).map((a) => a.id) : [];
}
