/**
 * Who is told about a transition: the escalation ladder of notify.yaml, as a pure decision.
 *
 * - `opened`: subscribers on step 0 (no `steps` means `[0]`) whose `levels` hold the event's level.
 * - `escalated`: subscribers whose `steps` hold the new `escalationStep`. The ladder is by step, not
 *   by level: an escalation exists because someone missed a deadline, and it already raised the
 *   level one notch, so a manager on step 2 hears of every overrun that reaches step 2.
 * - any transition a subscriber lists in `transitions` (e.g. `resolved`, `cleared`): when the
 *   event's level is one of its `levels`.
 * - `cities`, when set, always filter.
 */
import type { Subscriber } from '../config/notify.js';
import type { EventTransition } from '../shared/schemas.js';

/** Why a subscriber gets a transition; undefined when it does not. */
export type MatchReason = 'opened' | 'escalated' | 'listed';

export function matchReason(subscriber: Subscriber, t: EventTransition): MatchReason | undefined {
  if (subscriber.cities && !subscriber.cities.includes(t.city)) return undefined;
  const atLevel = subscriber.levels.includes(t.level);
  if (t.transition === 'opened' && subscriber.steps.includes(0) && atLevel) return 'opened';
  if (t.transition === 'escalated' && subscriber.steps.includes(t.escalationStep)) return 'escalated';
  if (subscriber.transitions.includes(t.transition) && atLevel) return 'listed';
  return undefined;
}

/** The subscribers a transition goes to, in config order, each once. */
export function recipients(subscribers: readonly Subscriber[], t: EventTransition): Subscriber[] {
  return subscribers.filter((s) => matchReason(s, t) !== undefined);
}
