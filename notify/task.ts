/**
 * A notification task: one transition for one subscriber, the unit of the CADRE_NOTIFY work queue.
 * Its id `<eventId>:<seq>:<subscriber>` is the task's Nats-Msg-Id, so routing a transition twice
 * (after a crash) stores it once.
 */
import { createHash } from 'node:crypto';
import type { JsMsg } from '@nats-io/jetstream';
import type { Subscriber } from '../config/notify.js';
import type { EventTransition, IncidentTransition } from '../shared/schemas.js';

export type Channel = Subscriber['channel'];

export interface NotifyTask {
  id: string;
  subscriber: string;
  channel: Channel;
  /** An event's transition, or an incident's (told once for all its grids). */
  transition: EventTransition | IncidentTransition;
  /** A satisfaction SMS to a customer (surveys.ts) instead of a notice to a subscriber. */
  survey?: { complaint: string; phone: string };
  /** Held for the subscriber's quiet hours until then (ISO); the held stage releases it (notify/held.ts). */
  holdUntil?: string;
}

/** Headers of a task in CADRE_NOTIFY_FAILED: why it was given up, after how many attempts. */
export const FAILED_HEADERS = { error: 'Cadre-Notify-Error', attempts: 'Cadre-Notify-Attempts' } as const;

export function taskFor(
  transition: EventTransition | IncidentTransition,
  subscriber: Subscriber,
): NotifyTask {
  return {
    id: `${transition.id}:${transition.seq}:${subscriber.name}`,
    subscriber: subscriber.name,
    channel: subscriber.channel,
    transition,
  };
}

/** The task of a CADRE_NOTIFY message, or undefined when it is not one (nothing cadre wrote). */
export function taskOf(m: JsMsg): NotifyTask | undefined {
  try {
    const task = m.json<NotifyTask>();
    return typeof task.id === 'string' && typeof task.subscriber === 'string' && task.transition
      ? task
      : undefined;
  } catch {
    return undefined;
  }
}

/** The task of a stage's message; a message that is none is acked (dropped) with a log line. */
export function taskOrDrop(m: JsMsg, stage: string, log: (line: string) => void): NotifyTask | undefined {
  const task = taskOf(m);
  if (!task) {
    log(`${stage}: message ${m.seq} is not a task, dropped`);
    m.ack();
  }
  return task;
}

/**
 * A delivery's id as receivers see it (`webhook-id`, the SMS request's `id`): the same for the same
 * tasks — on every retry and after a crash — and safe in an HTTP header whatever a subscriber is named.
 */
export function deliveryId(taskIds: readonly string[]): string {
  const hash = createHash('sha256')
    .update([...taskIds].sort().join('\n'))
    .digest('base64url');
  return `msg_${hash.slice(0, 27)}`;
}
