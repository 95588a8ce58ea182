/**
 * The interpreter of the rules' decisions (rules/): each applies one decision to the world through
 * its event lifecycle (world.ts: open, lift, evidence, titles, deadlines, timers, end). The rules
 * decide from what they read; only this file and the lifecycle change an event.
 */
import type { RuleName } from '../../shared/schemas.js';
import type { AlarmState, EventState, GridState } from './state.js';
import { explainOutage } from './incidents.js';
import type { World } from './world.js';
import { outageParts, pairOf, type OutageClear, type OutageDecision } from './rules/outage.js';
import type { FlappingDecision } from './rules/flapping.js';
import type { KpiDecision } from './rules/kpi.js';
import type { ComplaintDecision } from './rules/complaint.js';
import type { PlanningDecision } from './rules/planning.js';
import type { EscalationDecision } from './rules/escalation.js';
import type { ComplaintInput } from '../../contract/normalize.js';
import { addWorkOrder } from './deal.js';

/** An outage alarm out after its debounce (rules/outage.ts decideOutage). */
export function applyOutage(w: World, d: OutageDecision, grid: string, alarm: AlarmState, at: number): void {
  const rules = w.rules.outage;
  if (d.kind === 'none') return;
  if (d.kind === 'wait') return w.setTimer('debounce', d.until, alarm.id, { grid, raisedAt: alarm.raisedAt });
  const ev =
    d.kind === 'open' ? w.open(grid, 'outage', d.level, at, rules.deadline) : activeOf(w, grid, 'outage');
  if (d.kind === 'open') {
    ev.out = new Map();
    ev.pairs = new Set();
    ev.multi = false;
  }
  const { out, pairs } = outageParts(ev);
  out.set(alarm.id, alarm.ne);
  w.addEvidence(ev, 'alarms', [alarm.id], at);
  w.addEvidence(ev, 'elements', [alarm.ne], at);
  explainOutage(w, ev, alarm, at);
  // Pairs are kept until the event is a multi-fault, which it then stays.
  if (!ev.multi) {
    pairs.add(pairOf(alarm.ne, alarm.code));
    if (d.multi) {
      ev.multi = true;
      w.tightenDeadline(ev, ev.openedAt + w.capped(grid, rules.deadlineMulti), at);
    }
  }
  w.lift(ev, d.level, at);
  // Named by its evidence (which only grows), so a partial recovery is no transition of its own.
  w.setTitle(ev, ev.elements.size, at);
}

/** An alarm of the outage event `ev` cleared (rules/outage.ts decideOutageClear). */
export function applyOutageClear(
  w: World,
  d: OutageClear,
  ev: EventState | undefined,
  alarmId: string,
  at: number,
): void {
  if (d === 'none' || !ev) return;
  outageParts(ev).out.delete(alarmId);
  if (d === 'clear') w.end(ev, 'cleared', at);
}

/** A raise→clear cycle of `alarm` ended (rules/flapping.ts decideFlapping). */
export function applyFlapping(
  w: World,
  d: FlappingDecision,
  grid: string,
  alarm: AlarmState,
  at: number,
): void {
  if (d.kind === 'none') return;
  const rules = w.rules.flapping;
  const ev =
    d.kind === 'open'
      ? w.open(grid, 'flapping', rules.level, at, rules.deadline)
      : activeOf(w, grid, 'flapping');
  if (d.kind !== 'alive') {
    w.addEvidence(ev, 'alarms', [alarm.id], at);
    w.addEvidence(ev, 'elements', [alarm.ne], at);
    w.setTitle(ev, ev.elements.size, at);
  }
  // Any cycle of a flapping element keeps the event alive.
  if (ev.lastCycleAt === undefined || at > ev.lastCycleAt) {
    ev.lastCycleAt = at;
    w.setTimer('quiet', at + rules.quiet, ev.id);
  }
}

/** A kpi sample re-graded grid `g` (rules/kpi.ts decideKpi); `newlyDegraded`: the sample's element, when degraded. */
export function applyKpiDecision(
  w: World,
  d: KpiDecision,
  g: GridState,
  grid: string,
  newlyDegraded: string | undefined,
  at: number,
): void {
  if (d.kind === 'none') return;
  const rules = w.rules.kpi;
  if (d.kind === 'clear') return w.end(activeOf(w, grid, 'kpi'), 'cleared', at);
  let ev: EventState;
  if (d.kind === 'open') {
    ev = w.open(grid, 'kpi', d.level, at, d.several ? rules.deadlineMulti : rules.deadline);
    w.addEvidence(ev, 'elements', d.degraded, at);
  } else {
    ev = activeOf(w, grid, 'kpi');
    w.lift(ev, d.level, at);
    if (newlyDegraded) w.addEvidence(ev, 'elements', [newlyDegraded], at);
    if (d.several) w.tightenDeadline(ev, ev.openedAt + w.capped(grid, rules.deadlineMulti), at);
  }
  g.netEventAt = at;
  // Named by its evidence, like outage: a partial recovery is no transition of its own.
  w.setTitle(ev, ev.elements.size, at);
}

/** A complaint of grid `g` (rules/complaint.ts decideComplaint), with the grid sweep of its evidence. */
export function applyComplaintDecision(
  w: World,
  d: ComplaintDecision,
  g: GridState,
  input: ComplaintInput,
): void {
  const { msg, time: at, grid } = input;
  const ackIn = w.capped(grid, d.ackIn);
  const deadlineIn = w.capped(grid, d.deadlineIn);
  let ev: EventState;
  if (d.kind === 'open') ev = w.open(grid, 'complaint', d.level, at, deadlineIn, ackIn);
  else {
    ev = activeOf(w, grid, 'complaint');
    w.lift(ev, d.level, at);
    w.tightenAck(ev, at + ackIn, at);
    w.tightenDeadline(ev, at + deadlineIn, at);
  }
  // The grid sweep: every alarm active in the grid now, whatever its code or severity.
  w.addEvidence(ev, 'complaints', [msg.id], at);
  addWorkOrder(w, ev, input, ackIn);
  w.addEvidence(ev, 'alarms', g.alarms.keys(), at);
  const elements = [...g.alarms.values()].map((a) => a.ne);
  if (msg.ne !== undefined) elements.push(msg.ne);
  w.addEvidence(ev, 'elements', elements, at);
  w.setTitle(ev, ev.complaints.size, at);
}

/** A coverage complaint of grid `g` (rules/planning.ts decidePlanning). */
export function applyPlanning(w: World, d: PlanningDecision, g: GridState, input: ComplaintInput): void {
  const { msg, time: at, grid } = input;
  if (d.kind === 'none') return;
  if (d.kind === 'join') {
    const ev = activeOf(w, grid, 'planning');
    w.addEvidence(ev, 'complaints', [msg.id], at);
    return w.setTitle(ev, ev.complaints.size, at);
  }
  const rules = w.rules.planning;
  const ev = w.open(grid, 'planning', rules.level, at, rules.deadline);
  w.addEvidence(
    ev,
    'complaints',
    g.coverage.map((c) => c.id),
    at,
  );
  w.setTitle(ev, ev.complaints.size, at);
}

/** An event's first response passed (rules/escalation.ts decideAck): it escalates at most once for it. */
export function applyAckOverdue(
  w: World,
  d: EscalationDecision,
  ev: EventState | undefined,
  at: number,
): void {
  if (d.kind === 'none' || !ev) return;
  ev.ackEscalated = true;
  if (d.kind === 'escalate') w.escalate(ev, at);
}

/** An event's deadline passed (rules/escalation.ts decideDeadline): due for the SLA, escalated at most once for it. */
export function applyDeadlineOverdue(
  w: World,
  d: EscalationDecision,
  ev: EventState | undefined,
  at: number,
): void {
  if (d.kind === 'none' || !ev) return;
  ev.deadlineEscalated = true;
  if (!ev.slaCounted) {
    ev.slaCounted = true;
    w.day(ev.grid, at).slaDue++;
  }
  if (d.kind === 'escalate') w.escalate(ev, at);
}

/** The event a decision to join or update was made on: its absence is a bug of the rule. */
function activeOf(w: World, grid: string, rule: RuleName): EventState {
  const ev = w.activeOf(grid, rule);
  if (!ev) throw new Error(`no active ${rule} event in grid ${grid} to apply a decision to`);
  return ev;
}
