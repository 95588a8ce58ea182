/**
 * The escalation ladder (docs/rules.md "First response, area cap, escalation, tracking"): the
 * first response passing with the event still open, and the deadline passing with it not ended,
 * escalate it once each; 48 h open, it is tracked. Each timer counts only when its event still holds
 * the due time it was set for (later changes set new ones). Pure: apply.ts does what it decides.
 */
import type { EventState } from '../state.js';

/** What a first-response or deadline timer does. Constants: nothing allocated per timer. */
export type EscalationDecision =
  | { kind: 'none'; reason: 'stale' }
  /** The event escalates; `in-incident`: its incident escalates for it (incidents.ts), it only notes the overrun. */
  | { kind: 'escalate' | 'note'; reason: 'ack-overdue' | 'deadline-overdue' | 'in-incident' };

const STALE: EscalationDecision = { kind: 'none', reason: 'stale' };
const ACK_OVERDUE: EscalationDecision = { kind: 'escalate', reason: 'ack-overdue' };
const DEADLINE_OVERDUE: EscalationDecision = { kind: 'escalate', reason: 'deadline-overdue' };
const IN_INCIDENT: EscalationDecision = { kind: 'note', reason: 'in-incident' };

/** The first-response timer set for `due` came up. */
export function decideAck(ev: EventState | undefined, due: number): EscalationDecision {
  if (!ev || ev.state !== 'open' || ev.ackEscalated || ev.ackDeadline !== due) return STALE;
  return ev.incident ? IN_INCIDENT : ACK_OVERDUE;
}

/** The deadline timer set for `due` came up. */
export function decideDeadline(ev: EventState | undefined, due: number): EscalationDecision {
  // A deferred event waits by decision; resumed, a deadline passed meanwhile falls due then (deal.ts).
  if (!ev || ev.state === 'deferred' || ev.deadlineEscalated || ev.deadline !== due) return STALE;
  return ev.incident ? IN_INCIDENT : DEADLINE_OVERDUE;
}

/** The tracking timer came up: an event not yet tracked is now. */
export function tracks(ev: EventState | undefined): ev is EventState {
  return ev !== undefined && !ev.tracking;
}
