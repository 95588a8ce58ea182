/**
 * The outbox stage: follows CADRE_EVENTS with a durable consumer and turns each transition into one
 * task per matching subscriber on the CADRE_NOTIFY work queue (and a resolved complaint event one
 * satisfaction SMS per customer with a phone, surveys.ts). The transition is acknowledged only
 * once all its tasks are stored, and a task's Nats-Msg-Id is its id, so a transition routed again
 * after a crash adds nothing: every notice is queued exactly once.
 */
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { Subscriber } from '../config/notify.js';
import type { EventTransition, IncidentTransition } from '../shared/schemas.js';
import { subjects } from '../shared/subjects.js';
import { recipients } from './match.js';
import { surveyTasks } from './surveys.js';
import { taskFor } from './task.js';

/** A transition whose tasks could not all be stored is offered again after this long. */
const STORE_RETRY_MS = 2000;

export function routeTransitions(
  js: JetStreamClient,
  subscribers: readonly Subscriber[],
  contacts: KV,
  log: (line: string) => void,
) {
  return async (m: JsMsg): Promise<void> => {
    let transition: EventTransition | IncidentTransition;
    try {
      transition = m.json<EventTransition | IncidentTransition>();
    } catch {
      log(`router: ${m.subject} #${m.seq} is not JSON, skipped`);
      m.ack();
      return;
    }
    try {
      const tasks = [
        ...recipients(subscribers, transition).map((s) => taskFor(transition, s)),
        ...(transition.kind === 'event' ? await surveyTasks(contacts, transition) : []),
      ];
      await Promise.all(
        tasks.map((task) =>
          js.publish(subjects.notify(task.channel), JSON.stringify(task), { msgID: task.id }),
        ),
      );
      m.ack();
    } catch (err) {
      log(
        `router: tasks of ${transition.id}#${transition.seq} not stored (${(err as Error).message}), retrying`,
      );
      m.nak(STORE_RETRY_MS);
    }
  };
}
