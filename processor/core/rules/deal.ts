/**
 * Deal's timers (docs/rules.md "Deal"): a work order's first response passing with no contact
 * attempt, and its contact deadline passing with the customer not reached, count against the grid
 * and escalate the event once per work order (not while it may wait); a promise passing with the
 * event unresolved is broken, counted, and escalates. Each timer counts only when its work order
 * still holds the due time it was set for. New evidence brings a deferred event back, a deadline
 * passed meanwhile due then. Pure: deal.ts does what it decides.
 */
import type { EventState, WorkOrderState } from '../state.js';

/** What a work order's timer does. Constants: nothing allocated per timer. */
export type DealTimerDecision =
  | { kind: 'none'; reason: 'stale' }
  /** Counted against the grid, and the event escalates. */
  | { kind: 'escalate'; reason: 'first-response-overdue' | 'contact-overdue' | 'promise-broken' }
  /**
   * Counted, no escalation. `covered`: the event's own first response, tightened to this order's,
   * escalated for this very deadline (that was this overrun's escalation); `escalated-before`: the
   * work order escalated already; `deferred`: the event may wait.
   */
  | { kind: 'count'; reason: 'covered' | 'escalated-before' | 'deferred' };

const STALE: DealTimerDecision = { kind: 'none', reason: 'stale' };
const FIRST_RESPONSE_OVERDUE: DealTimerDecision = { kind: 'escalate', reason: 'first-response-overdue' };
const CONTACT_OVERDUE: DealTimerDecision = { kind: 'escalate', reason: 'contact-overdue' };
const PROMISE_BROKEN: DealTimerDecision = { kind: 'escalate', reason: 'promise-broken' };
const COVERED: DealTimerDecision = { kind: 'count', reason: 'covered' };
const ESCALATED_BEFORE: DealTimerDecision = { kind: 'count', reason: 'escalated-before' };
const DEFERRED: DealTimerDecision = { kind: 'count', reason: 'deferred' };

/** The first-response timer of `order` (in active event `ev`) set for `due` came up. */
export function decideFirstResponse(
  ev: EventState | undefined,
  order: WorkOrderState | undefined,
  due: number,
): DealTimerDecision {
  if (!ev || !order || order.respondedAt !== undefined || order.ackDeadline !== due) return STALE;
  if (ev.ackEscalated && ev.ackDeadline === due) return COVERED;
  return overrun(ev, order, FIRST_RESPONSE_OVERDUE);
}

/** The contact timer of `order` set for `due` came up. */
export function decideContactDeadline(
  ev: EventState | undefined,
  order: WorkOrderState | undefined,
  due: number,
): DealTimerDecision {
  if (!ev || !order || order.contactedAt !== undefined || order.contactDeadline !== due) return STALE;
  return overrun(ev, order, CONTACT_OVERDUE);
}

/** The promise timer of `order` set for `due` came up, its event unresolved (still active). */
export function decidePromise(
  ev: EventState | undefined,
  order: WorkOrderState | undefined,
  due: number,
): DealTimerDecision {
  if (!ev || !order || order.promise?.at !== due || order.promiseBroken) return STALE;
  return ev.state === 'deferred' ? DEFERRED : PROMISE_BROKEN;
}

/** One escalation per work order for its missed deadlines, not while the event may wait. */
function overrun(ev: EventState, order: WorkOrderState, escalate: DealTimerDecision): DealTimerDecision {
  if (order.escalated) return ESCALATED_BEFORE;
  return ev.state === 'deferred' ? DEFERRED : escalate;
}

/**
 * What new evidence does to a deferred event: it is open again, and a first response or deadline
 * that passed while it waited (not escalated yet) falls due now — the wait was a decision, the new
 * evidence is a new fact.
 */
export interface ResumeDecision {
  kind: 'resume';
  reason: 'new-evidence';
  ackDue: boolean;
  deadlineDue: boolean;
}

/** A deferred event's new evidence at `at` (rare: allocated). */
export function decideResume(ev: EventState, at: number): ResumeDecision {
  return {
    kind: 'resume',
    reason: 'new-evidence',
    ackDue: !ev.ackEscalated && ev.ackDeadline < at,
    deadlineDue: !ev.deadlineEscalated && ev.deadline < at,
  };
}
