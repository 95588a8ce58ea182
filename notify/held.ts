/**
 * The held stage: notices held for a subscriber's quiet hours (router.ts puts them on
 * `cadre.notify.held` with `holdUntil`) wait in JetStream — a nak with the time left, so the wait
 * survives a restart — and are released to their channel's subject when the quiet hours end. The
 * released task keeps its id (the receiver sees the same `webhook-id`) and starts its own retries.
 */
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { subjects } from '../shared/subjects.js';
import type { NotifyLog } from './log.js';
import { taskOrDrop } from './task.js';

/** A released task whose publish failed is offered again after this long. */
const RELEASE_RETRY_MS = 2000;

export function releaseHeld(
  js: JetStreamClient,
  notices: NotifyLog,
  now: () => number,
  log: (line: string) => void,
) {
  return async (m: JsMsg): Promise<void> => {
    const task = taskOrDrop(m, 'held', log);
    if (!task) return;
    const until = Date.parse(task.holdUntil ?? '');
    const left = Number.isNaN(until) ? 0 : until - now();
    if (left > 0) {
      m.nak(left);
      return;
    }
    const released = { ...task };
    delete released.holdUntil;
    try {
      await js.publish(subjects.notify(task.channel), JSON.stringify(released), {
        msgID: `${task.id}:released`,
      });
    } catch (err) {
      log(`held: ${task.id} not released (${(err as Error).message}), retrying`);
      m.nak(RELEASE_RETRY_MS);
      return;
    }
    await notices.record(task, (e) => {
      if (e.outcome === 'held') e.outcome = 'queued';
    });
    m.ack();
  };
}
