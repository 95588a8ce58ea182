/**
 * Who is told about a transition: the escalation ladder of notify.yaml, as a pure decision.
 *
 * - step-0 subscribers (no `steps` means `[0]`) hear of an event when it **reaches** one of their
 *   `levels`, however it got there: `opened` at it, or lifted or escalated into it (the transition
 *   carries `levelFrom`). An event that opens orange and is lifted to red reaches a red-only
 *   subscriber at the lift; one that stays orange never does.
 * - `escalated`: subscribers whose `steps` hold the new `escalationStep`. The ladder is by step, not
 *   by level: an escalation exists because someone missed a deadline, and it already raised the
 *   level one notch, so a manager on step 2 hears of every overrun that reaches step 2.
 * - any transition a subscriber lists in `transitions` (e.g. `resolved`, `cleared`): when the
 *   event's level is one of its `levels`.
 * - `cities`, when set, always filter.
 * - An event inside an incident is told of through its incident (once for all its grids): its own
 *   openings, lifts and escalations are not routed.
 */
import type { Subscriber } from '../config/notify.js';
import type { EventTransition, IncidentTransition } from '../shared/schemas.js';

/** Why a subscriber gets a transition; undefined when it does not. */
export type MatchReason = 'reached' | 'escalated' | 'listed';

type Routed = EventTransition | IncidentTransition;

export function matchReason(subscriber: Subscriber, t: Routed): MatchReason | undefined {
  if (subscriber.cities && !subscriber.cities.includes(t.city)) return undefined;
  const inIncident = t.kind === 'event' && t.incident !== undefined;
  const atLevel = subscriber.levels.includes(t.level);
  const reached = t.transition === 'opened' || t.levelFrom !== undefined;
  if (!inIncident && reached && subscriber.steps.includes(0) && atLevel) return 'reached';
  if (!inIncident && t.transition === 'escalated' && subscriber.steps.includes(t.escalationStep))
    return 'escalated';
  if ((subscriber.transitions as readonly string[]).includes(t.transition) && atLevel) return 'listed';
  return undefined;
}

/** The subscribers a transition goes to, in config order, each once. */
export function recipients(subscribers: readonly Subscriber[], t: Routed): Subscriber[] {
  return subscribers.filter((s) => matchReason(s, t) !== undefined);
}
