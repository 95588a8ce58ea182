/**
 * The outbox stage: follows CADRE_EVENTS with a durable consumer and turns each transition into one
 * task per matching subscriber on the CADRE_NOTIFY work queue (and a resolved complaint event one
 * satisfaction SMS per customer with a phone, surveys.ts). The transition is acknowledged only
 * once all its tasks are stored, and a task's Nats-Msg-Id is its id, so a transition routed again
 * after a crash adds nothing: every notice is queued exactly once. A notice below red for a subscriber
 * in its quiet hours goes to the held subject instead, with the instant they end (notify/held.ts);
 * every notice queued gets its entry in the notification log (notify/log.ts).
 */
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { Subscriber } from '../config/notify.js';
import { subjects } from '../shared/subjects.js';
import { decodeChecked, TRANSITION_DOC } from '../shared/validate.js';
import type { NotifyLog } from './log.js';
import { recipients } from './match.js';
import { quietUntil } from './quiet.js';
import { surveyTasks } from './surveys.js';
import { taskFor } from './task.js';

/** A transition whose tasks could not all be stored is offered again after this long. */
const STORE_RETRY_MS = 2000;

export function routeTransitions(
  js: JetStreamClient,
  subscribers: readonly Subscriber[],
  contacts: KV,
  log: (line: string) => void,
  opts: { notices?: NotifyLog; timeZone: string; now: () => number } = { timeZone: 'UTC', now: Date.now },
) {
  const listed = new Set<string>(subscribers.flatMap((s) => s.transitions));
  return async (m: JsMsg): Promise<void> => {
    if (routesNowhere(m.data, listed)) {
      m.ack();
      return;
    }
    const transition = decodeChecked(m, TRANSITION_DOC, (line) => log(`router: ${line}`));
    if (!transition) {
      m.ack();
      return;
    }
    try {
      const at = opts.now();
      const tasks = [
        ...recipients(subscribers, transition).map((s) => {
          const task = taskFor(transition, s);
          const until = quietUntil(s, transition.level, at, opts.timeZone);
          return until === undefined ? task : { ...task, holdUntil: new Date(until).toISOString() };
        }),
        ...(transition.kind === 'event' ? await surveyTasks(contacts, transition) : []),
      ];
      await Promise.all(
        tasks.map((task) =>
          js.publish(
            task.holdUntil ? subjects.notifyHeld() : subjects.notify(task.channel),
            JSON.stringify(task),
            {
              msgID: task.id,
            },
          ),
        ),
      );
      const { notices } = opts;
      if (notices)
        await Promise.all(
          tasks.map((task) =>
            notices.record(task, (e) => {
              // Routed again after a crash: what happened since stays.
              if (e.outcome !== 'queued' || e.attemptCount > 0 || !task.holdUntil) return;
              e.outcome = 'held';
              e.heldUntil = task.holdUntil;
            }),
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

const HEAD = /^\{"kind":"event","id":"[^"]*","seq":\d+,"transition":"([a-z]+)"/;

/**
 * A transition no subscriber can get and no survey follows, told from its bytes without decoding
 * it: an event's transition other than opened, escalated and resolved that no subscriber lists and
 * that raised no level (no `levelFrom`). In a storm nearly every transition is such an `updated`,
 * and decoding each to route it to nobody was a second full decode of the stream in the gateway's
 * process. Anything else (an incident, another shape) is decoded and routed as before.
 */
export function routesNowhere(data: Uint8Array, listed: ReadonlySet<string>): boolean {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const name = HEAD.exec(bytes.toString('latin1', 0, Math.min(bytes.length, 512)))?.[1];
  if (name === undefined || name === 'opened' || name === 'escalated' || name === 'resolved') return false;
  if (listed.has(name)) return false;
  return bytes.indexOf('"levelFrom":') === -1;
}
