/**
 * A notification task: one transition for one subscriber, the unit of the CADRE_NOTIFY work queue.
 * Its id `<eventId>:<seq>:<subscriber>` is the task's Nats-Msg-Id, so routing a transition twice
 * (after a crash) stores it once.
 */
import { createHash } from 'node:crypto';
import type { JsMsg } from '@nats-io/jetstream';
import { Type, type Static } from '@sinclair/typebox';
import type { Subscriber } from '../config/notify.js';
import {
  EventTransitionSchema,
  IncidentTransitionSchema,
  type EventTransition,
  type IncidentTransition,
} from '../shared/schemas.js';
import { compile, decodeChecked } from '../shared/validate.js';

export type Channel = Subscriber['channel'];

export const NotifyTaskSchema = Type.Object({
  id: Type.String(),
  subscriber: Type.String(),
  channel: Type.Union([Type.Literal('webhook'), Type.Literal('sms')]),
  /** An event's transition, or an incident's (told once for all its grids). */
  transition: Type.Union([EventTransitionSchema, IncidentTransitionSchema]),
  /** A satisfaction SMS to a customer (surveys.ts) instead of a notice to a subscriber. */
  survey: Type.Optional(Type.Object({ complaint: Type.String(), phone: Type.String() })),
  /** Held for the subscriber's quiet hours until then (ISO); the held stage releases it (notify/held.ts). */
  holdUntil: Type.Optional(Type.String()),
});
export type NotifyTask = Static<typeof NotifyTaskSchema>;
const NOTIFY_TASK = compile(NotifyTaskSchema);

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

/**
 * The task of a stage's CADRE_NOTIFY message, checked by its schema; a message that is none (nothing
 * cadre wrote) is acked (dropped) with a log line naming it and the problem.
 */
export function taskOrDrop(m: JsMsg, stage: string, log: (line: string) => void): NotifyTask | undefined {
  const task = decodeChecked(m, NOTIFY_TASK, (line) => log(`${stage}: ${line}, dropped`));
  if (!task) m.ack();
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
