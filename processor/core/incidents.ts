/**
 * Incidents (CONTRACT.md "Incidents"): one cause, many grids. An outage event is explained by the
 * topmost failed element up its upstream links (cell → site → transport / power → ring → core);
 * outage events of `incidents.minGrids` grids or more explained by one failed element are one
 * incident. Where the topology says nothing of an element, outage events of one alarm code in one
 * district opened within `incidents.window` are. The incident has its own id, level (the worst of its
 * events), deadlines and escalation: its events escalate with it, once, instead of each on its own.
 * It clears when its root is up again (or, grouped by district, when its last event ends).
 */
import { levelRank, raiseLevel, type Level } from '../../shared/levels.js';
import type { IncidentTransition, IncidentTransitionName } from '../../shared/schemas.js';
import { formatTime } from '../../shared/time.js';
import { renderIncidentTitle } from '../../shared/titles.js';
import type { AlarmState, EventState } from './state.js';
import type { Timer } from './timers.js';
import { decideIncident, endsWithMember, isOver, type IncidentDecision } from './rules/incident.js';
import { decideIncidentTimer, decideMemberChange } from './rules/incident_escalation.js';
import type { World } from './world.js';

export interface IncidentState {
  id: string;
  seq: number;
  city: string;
  /** `upstream:<element>` or `district:<city>/<district>/<code>`: what groups its events. */
  key: string;
  cause: 'upstream' | 'district';
  area: string;
  element?: { id: string; kind: string };
  code?: string;
  level: Level;
  state: 'open' | 'acknowledged' | 'resolved' | 'cleared';
  openedAt: number;
  ackDeadline: number;
  deadline: number;
  escalationStep: number;
  ackEscalated: boolean;
  deadlineEscalated: boolean;
  rootAlarms: Set<string>;
  events: Set<string>;
  grids: Set<string>;
  assignee?: string;
  last?: { transition: IncidentTransitionName; at: number; by?: string; text?: string; levelFrom?: Level };
  emittedLevel?: Level;
}

/** Every SWEEP_EVERY new waiting keys, keys whose events all ended are dropped. */
const SWEEP_EVERY = 64;

/**
 * An outage alarm was counted into outage event `ev` (apply.ts applyOutage): the event joins the
 * incident its cause belongs to, opening it when enough grids share the cause (rules/incident.ts).
 */
export function explainOutage(w: World, ev: EventState, alarm: AlarmState, at: number): void {
  const d = decideIncident(w.rules.incidents, w, ev, alarm, at);
  switch (d.kind) {
    case 'none':
      return;
    case 'root':
      d.inc.rootAlarms.add(alarm.id);
      return markIncident(w, d.inc, 'updated', at);
    case 'join':
      return join(w, d.inc, ev, at);
    case 'wait':
      if (!w.waitingByKey.has(d.key) && (w.waitingByKey.size + 1) % SWEEP_EVERY === 0) sweepWaiting(w);
      w.waitingByKey.set(d.key, d.waiting);
      return;
    case 'open':
      return openIncident(w, d, at);
  }
}

function openIncident(w: World, d: Extract<IncidentDecision, { kind: 'open' }>, at: number): void {
  w.waitingByKey.delete(d.key);
  const opened: IncidentState = {
    id: newIncidentId(w, d.city, at),
    seq: 0,
    city: d.city,
    key: d.key,
    cause: d.reason,
    area: d.area,
    level: d.level,
    state: 'open',
    openedAt: at,
    ackDeadline: d.ackDeadline,
    deadline: d.deadline,
    escalationStep: 0,
    ackEscalated: false,
    deadlineEscalated: false,
    rootAlarms: new Set(d.rootAlarms),
    events: new Set(),
    grids: new Set(),
  };
  if (d.element) opened.element = d.element;
  else if (d.code !== undefined) opened.code = d.code;
  w.incidents.set(opened.id, opened);
  w.incidentKeys.set(d.key, opened.id);
  w.setTimer('incidentAck', opened.ackDeadline, opened.id);
  w.setTimer('incidentDeadline', opened.deadline, opened.id);
  markIncident(w, opened, 'opened', at);
  for (const m of d.members) join(w, opened, m, at);
}

function join(w: World, inc: IncidentState, ev: EventState, at: number): void {
  ev.incident = inc.id;
  inc.events.add(ev.id);
  inc.grids.add(ev.grid);
  if (levelRank(ev.level) > levelRank(inc.level)) inc.level = ev.level;
  w.mark(ev, 'updated', at);
  markIncident(w, inc, 'updated', at);
}

function sweepWaiting(w: World): void {
  for (const [key, ids] of w.waitingByKey)
    if (!ids.some((id) => w.active.has(id))) w.waitingByKey.delete(key);
}

function newIncidentId(w: World, city: string, at: number): string {
  const base = `${city}.incident.${formatTime(at).slice(0, 19).replace(/[-:]/g, '')}`;
  const n = (w.incidentIdBases.get(base)?.n ?? 0) + 1;
  w.incidentIdBases.set(base, { n, at });
  if (w.incidentIdBases.size > 256)
    for (const [key, used] of w.incidentIdBases)
      if (used.at < at - w.rules.maxAge - 1000) w.incidentIdBases.delete(key);
  return n === 1 ? base : `${base}-${n}`;
}

/** A member event's level or deadlines changed (rules/incident_escalation.ts decideMemberChange). */
export function memberChanged(w: World, ev: EventState, at: number): void {
  const inc = ev.incident ? w.incidents.get(ev.incident) : undefined;
  const d = decideMemberChange(inc, ev, at);
  if (d.kind === 'none' || !inc) return;
  if (d.level !== undefined) inc.level = d.level;
  if (d.ackDeadline !== undefined) {
    inc.ackDeadline = d.ackDeadline;
    w.setTimer('incidentAck', inc.ackDeadline, inc.id);
  }
  if (d.deadline !== undefined) {
    inc.deadline = d.deadline;
    w.setTimer('incidentDeadline', inc.deadline, inc.id);
  }
  markIncident(w, inc, 'updated', at);
}

/** A member event ended: an incident grouped by district is over with its last event. */
export function memberEnded(w: World, ev: EventState, at: number): void {
  const inc = ev.incident ? w.incidents.get(ev.incident) : undefined;
  if (inc && endsWithMember(inc, w.active)) endIncident(w, inc, 'cleared', at);
}

/** An outage alarm of `ne` cleared and the element is up: an incident rooted there clears. */
export function elementUp(w: World, ne: string, at: number): void {
  const id = w.incidentKeys.get(`upstream:${ne}`);
  const inc = id ? w.incidents.get(id) : undefined;
  if (inc && !isOver(inc)) endIncident(w, inc, 'cleared', at);
}

export function endIncident(
  w: World,
  inc: IncidentState,
  how: 'cleared' | 'resolved',
  at: number,
  by?: string,
  text?: string,
): void {
  inc.state = how;
  if (w.incidentKeys.get(inc.key) === inc.id) w.incidentKeys.delete(inc.key);
  markIncident(w, inc, how, at, by, text);
}

/** The incident's first response or deadline passed (rules/incident_escalation.ts): it escalates, and its events with it, once. */
export function onIncidentTimer(w: World, timer: Timer): void {
  const inc = w.incidents.get(timer.ref);
  if (timer.kind !== 'incidentAck' && timer.kind !== 'incidentDeadline') return;
  const d = decideIncidentTimer(inc, timer.kind, timer.due);
  if (d.kind === 'none' || !inc) return;
  if (d.reason === 'ack-overdue') inc.ackEscalated = true;
  else inc.deadlineEscalated = true;
  inc.escalationStep++;
  inc.level = raiseLevel(inc.level);
  for (const id of inc.events) {
    const ev = w.active.get(id);
    if (ev && ev.state !== 'deferred') w.escalate(ev, timer.due);
  }
  markIncident(w, inc, 'escalated', timer.due);
}

/** One transition per incident per step, like events: `updated` folds into any other. */
export function markIncident(
  w: World,
  inc: IncidentState,
  transition: IncidentTransitionName,
  at: number,
  by?: string,
  text?: string,
): void {
  const pending = w.incidentPending.get(inc.id);
  if (pending && transition === 'updated') return;
  if (pending && pending.transition !== 'updated') emitIncident(w, inc, pending);
  w.incidentPending.set(inc.id, { transition, at, by, text });
}

export function endIncidentStep(w: World): void {
  if (w.incidentPending.size === 0) return;
  for (const [id, p] of w.incidentPending) {
    const inc = w.incidents.get(id);
    if (!inc) throw new Error(`incident ${id} has a pending transition but is not in the books`);
    emitIncident(w, inc, p);
  }
  w.incidentPending.clear();
}

function emitIncident(w: World, inc: IncidentState, p: NonNullable<IncidentState['last']>): void {
  inc.seq++;
  if (inc.emittedLevel !== undefined && levelRank(inc.level) > levelRank(inc.emittedLevel))
    p = { ...p, levelFrom: inc.emittedLevel };
  inc.emittedLevel = inc.level;
  inc.last = p;
  w.incidentOut.push(incidentTransitionOf(w, inc, p));
}

export function incidentDocOf(w: World, inc: IncidentState): IncidentTransition {
  return incidentTransitionOf(w, inc, inc.last ?? { transition: 'opened', at: inc.openedAt });
}

function incidentTransitionOf(
  w: World,
  inc: IncidentState,
  p: NonNullable<IncidentState['last']>,
): IncidentTransition {
  const titleParts = {
    area: inc.area,
    grids: inc.grids.size,
    ...(inc.element ? { element: inc.element } : {}),
    ...(inc.code !== undefined ? { code: inc.code } : {}),
  };
  const t: IncidentTransition = {
    kind: 'incident',
    id: inc.id,
    seq: inc.seq,
    transition: p.transition,
    city: inc.city,
    level: inc.level,
    state: inc.state,
    title: renderIncidentTitle(titleParts, w.ctx.locale ?? 'zh-CN'),
    openedAt: formatTime(inc.openedAt),
    at: formatTime(p.at),
    ackDeadline: formatTime(inc.ackDeadline),
    deadline: formatTime(inc.deadline),
    escalationStep: inc.escalationStep,
    root: { alarms: [...inc.rootAlarms], elements: inc.element ? [inc.element.id] : [] },
    grids: [...inc.grids],
    events: [...inc.events],
    cause: inc.cause,
    titleParts,
  };
  if (inc.assignee !== undefined) t.assignee = inc.assignee;
  if (p.by !== undefined) t.by = p.by;
  if (p.text !== undefined) t.text = p.text;
  if (p.levelFrom !== undefined) t.levelFrom = p.levelFrom;
  return t;
}
