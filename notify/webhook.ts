/**
 * The webhook stage: POSTs a task's transition JSON to its subscriber, signed per Standard Webhooks,
 * with the same `webhook-id` on every attempt. A failure waits in JetStream (a nak with the delay of
 * `webhook.retryDelays`), so back-off survives a restart; after the last delay the task is given up
 * into CADRE_NOTIFY_FAILED. A receiver's own word comes first: `410 Gone` is given up at once (it says
 * the endpoint will never take it), and a `Retry-After` (429, 503) is waited out when it asks for
 * longer than the configured delay, up to an hour (a receiver cannot park a notice for days).
 */
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { Notify, Subscriber } from '../config/notify.js';
import { notificationsTotal, webhookDeliverySeconds } from '../shared/metrics.js';
import { postJson } from './http_post.js';
import { keepFailed } from './queue.js';
import { afterFailure } from './retry.js';
import { sign } from './signature.js';
import { deliveryId, taskOf } from './task.js';

export interface WebhookStage {
  js: JetStreamClient;
  notify: Notify;
  now: () => number;
  log: (line: string) => void;
}

const MAX_RETRY_AFTER_MS = 3_600_000;

export function deliverWebhooks({ js, notify, now, log }: WebhookStage) {
  const byName = new Map<string, Subscriber>(notify.subscribers.map((s) => [s.name, s]));
  const count = (outcome: 'sent' | 'retried' | 'failed') =>
    notificationsTotal.inc({ channel: 'webhook', outcome });

  return async (m: JsMsg): Promise<void> => {
    const task = taskOf(m);
    if (!task) {
      log(`webhook: message ${m.seq} is not a task, dropped`);
      m.ack();
      return;
    }
    const attempt = m.info.deliveryCount;
    const subscriber = byName.get(task.subscriber);
    if (subscriber?.channel !== 'webhook' || !subscriber.url) {
      await keepFailed(js, task, `no webhook subscriber "${task.subscriber}" in notify.yaml`, attempt - 1);
      m.ack();
      count('failed');
      return;
    }
    const body = JSON.stringify(task.transition);
    const id = deliveryId([task.id]);
    const timestamp = Math.floor(now() / 1000);
    const headers: Record<string, string> = { 'webhook-id': id, 'webhook-timestamp': String(timestamp) };
    if (subscriber.secret) headers['webhook-signature'] = sign(subscriber.secret, id, timestamp, body);

    const took = webhookDeliverySeconds.startTimer();
    const result = await postJson(subscriber.url, body, headers, notify.webhook.timeout, now);
    if (result.ok) {
      m.ack();
      count('sent');
      took({ outcome: 'sent' });
      return;
    }
    const next = result.status === 410 ? { giveUp: true } : afterFailure(attempt, notify.webhook.retryDelays);
    if ('retryIn' in next) {
      const asked = Math.min(result.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS);
      m.nak(Math.max(next.retryIn, asked));
      count('retried');
      took({ outcome: 'retried' });
      return;
    }
    took({ outcome: 'failed' });
    log(`webhook: gave up ${task.id} to ${subscriber.name} after ${attempt} attempts: ${result.error}`);
    await keepFailed(js, task, result.error, attempt);
    m.ack();
    count('failed');
  };
}
