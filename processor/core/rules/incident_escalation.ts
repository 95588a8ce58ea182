/**
 * An incident's urgency and escalation (docs/rules.md "Incidents: one cause, many grids"): it is as
 * urgent as its most urgent event — the worst level, the soonest first response and deadline — and
 * its first response and deadline passing escalate it once each, its events with it instead of each
 * on its own. Each timer counts only when the incident still holds the due time it was set for.
 * Pure: incidents.ts does what it decides.
 */
import { levelRank, type Level } from '../../../shared/levels.js';
import type { IncidentState } from '../incidents.js';
import type { EventState } from '../state.js';
import { isOver } from './incident.js';

/** What an incident's first-response or deadline timer does. Constants: nothing allocated per timer. */
export type IncidentTimerDecision =
  { kind: 'none'; reason: 'stale' } | { kind: 'escalate'; reason: 'ack-overdue' | 'deadline-overdue' };

const STALE: IncidentTimerDecision = { kind: 'none', reason: 'stale' };
const ACK_OVERDUE: IncidentTimerDecision = { kind: 'escalate', reason: 'ack-overdue' };
const DEADLINE_OVERDUE: IncidentTimerDecision = { kind: 'escalate', reason: 'deadline-overdue' };

/** The incident's timer of `kind` set for `due` came up. */
export function decideIncidentTimer(
  inc: IncidentState | undefined,
  kind: 'incidentAck' | 'incidentDeadline',
  due: number,
): IncidentTimerDecision {
  if (!inc || isOver(inc)) return STALE;
  if (kind === 'incidentAck')
    return inc.state !== 'open' || inc.ackEscalated || inc.ackDeadline !== due ? STALE : ACK_OVERDUE;
  return inc.deadlineEscalated || inc.deadline !== due ? STALE : DEADLINE_OVERDUE;
}

/** What a member event's change of level or deadlines does to its incident; each field set only when it changes. */
export type MemberChange =
  | { kind: 'none'; reason: 'unchanged' }
  | {
      kind: 'update';
      reason: 'member-changed';
      level: Level | undefined;
      ackDeadline: number | undefined;
      deadline: number | undefined;
    };

/** The answer to most changes (a member lifted no higher than its incident): nothing allocated. */
const UNCHANGED: MemberChange = { kind: 'none', reason: 'unchanged' };

/**
 * Member `ev` of `inc` changed at `at`. A first response or deadline already escalated stays; one
 * sooner than now is due now.
 */
export function decideMemberChange(inc: IncidentState | undefined, ev: EventState, at: number): MemberChange {
  if (!inc || isOver(inc)) return UNCHANGED;
  const level = levelRank(ev.level) > levelRank(inc.level) ? ev.level : undefined;
  const ackDeadline =
    !inc.ackEscalated && inc.state === 'open' && ev.ackDeadline < inc.ackDeadline
      ? Math.max(ev.ackDeadline, at)
      : undefined;
  const deadline =
    !inc.deadlineEscalated && ev.deadline < inc.deadline ? Math.max(ev.deadline, at) : undefined;
  if (level === undefined && ackDeadline === undefined && deadline === undefined) return UNCHANGED;
  return { kind: 'update', reason: 'member-changed', level, ackDeadline, deadline };
}
