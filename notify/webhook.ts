/**
 * The webhook stage: POSTs a task's transition JSON to its subscriber, signed per Standard Webhooks,
 * with the same `webhook-id` on every attempt. A failure waits in JetStream (a nak with the delay of
 * `webhook.retryDelays`), so back-off survives a restart; after the last delay the task is given up
 * into CADRE_NOTIFY_FAILED. The receiver's own word comes first (Standard Webhooks' expectations):
 * - `410 Gone`: the endpoint is disabled (notify/disabled.ts) — this task and every later one of the
 *   subscriber are given up at once, until an operator re-enables it;
 * - any other 4xx but 408 and 429: the receiver refused this notice; sending it again would not
 *   change its mind, so it is given up at once with the answer as the reason;
 * - `Retry-After` on 429 or 503 (seconds or an HTTP date): the next attempt comes when it asks,
 *   instead of the ladder's delay — at least 1 s, at most `webhook.maxRetryAfter` — and such waits do
 *   not use up the ladder: a task is given up only once it is as old as the whole ladder.
 * Every attempt goes into the notification log (notify/log.ts).
 */
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { Notify, Subscriber } from '../config/notify.js';
import { notificationsTotal, webhookDeliverySeconds } from '../shared/metrics.js';
import type { DisabledEndpoints } from './disabled.js';
import { postJson, type PostResult } from './http_post.js';
import { addAttempt, type NotifyLog } from './log.js';
import { keepFailed } from './queue.js';
import { afterFailure } from './retry.js';
import { sign } from './signature.js';
import { deliveryId, taskOrDrop } from './task.js';

export interface WebhookStage {
  js: JetStreamClient;
  notify: Notify;
  now: () => number;
  log: (line: string) => void;
  disabled: DisabledEndpoints;
  notices: NotifyLog;
}

const MIN_RETRY_AFTER_MS = 1000;

/** What to do after a failed attempt. */
export type WebhookDecision = { retryIn: number } | { giveUp: true; reason: string; disable?: true };

/**
 * The decision after attempt `attempt` (1-based, JetStream's count) failed with `result`, for a task
 * stored `ageMs` ago. Pure.
 */
export function afterWebhookFailure(
  result: Extract<PostResult, { ok: false }>,
  attempt: number,
  ageMs: number,
  webhook: Pick<Notify['webhook'], 'retryDelays' | 'maxRetryAfter'>,
): WebhookDecision {
  const { status } = result;
  if (status === 410) return { giveUp: true, reason: result.error, disable: true };
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429)
    return { giveUp: true, reason: `${result.error}: refused by the receiver, not retried` };
  const delays = webhook.retryDelays;
  const span = delays.reduce((a, b) => a + b, 0);
  // Waits a receiver asked for may have used attempts faster than the ladder: the ladder's whole
  // span is what a task is owed (the broker's clock and ours may differ by a little).
  const owed = span - ageMs > MIN_RETRY_AFTER_MS;
  if ((status === 429 || status === 503) && result.retryAfterMs !== undefined) {
    if (!owed && attempt > delays.length) return { giveUp: true, reason: result.error };
    return { retryIn: Math.min(Math.max(result.retryAfterMs, MIN_RETRY_AFTER_MS), webhook.maxRetryAfter) };
  }
  const next = afterFailure(attempt, delays);
  if ('retryIn' in next) return next;
  if (owed) return { retryIn: Math.min(delays[delays.length - 1], span - ageMs) };
  return { giveUp: true, reason: result.error };
}

export function deliverWebhooks({ js, notify, now, log, disabled, notices }: WebhookStage) {
  const byName = new Map<string, Subscriber>(notify.subscribers.map((s) => [s.name, s]));
  const count = (outcome: 'sent' | 'retried' | 'failed') =>
    notificationsTotal.inc({ channel: 'webhook', outcome });
  const iso = (ms: number) => new Date(ms).toISOString();

  return async (m: JsMsg): Promise<void> => {
    const task = taskOrDrop(m, 'webhook', log);
    if (!task) return;
    const attempt = m.info.deliveryCount;
    const subscriber = byName.get(task.subscriber);
    const giveUp = async (reason: string, attempts: number) => {
      await keepFailed(js, task, reason, attempts);
      await notices.record(task, (e) => {
        e.outcome = 'failed';
        e.reason = reason;
      });
      m.ack();
      count('failed');
    };
    if (subscriber?.channel !== 'webhook' || !subscriber.url) {
      await giveUp(`no webhook subscriber "${task.subscriber}" in notify.yaml`, attempt - 1);
      return;
    }
    const off = disabled.of(subscriber);
    if (off) {
      await giveUp(`endpoint disabled: ${off.url} answered ${off.status} at ${off.at}`, attempt - 1);
      return;
    }
    const body = JSON.stringify(task.transition);
    const id = deliveryId([task.id]);
    const timestamp = Math.floor(now() / 1000);
    const headers: Record<string, string> = { 'webhook-id': id, 'webhook-timestamp': String(timestamp) };
    if (subscriber.secret) headers['webhook-signature'] = sign(subscriber.secret, id, timestamp, body);

    const took = webhookDeliverySeconds.startTimer();
    const startedAt = now();
    const result = await postJson(subscriber.url, body, headers, notify.webhook.timeout, now);
    if (result.ok) {
      await notices.record(task, (e) => {
        addAttempt(e, { at: iso(startedAt), result: `HTTP ${result.status}` }, attempt);
        e.outcome = 'sent';
        e.sentAt = iso(now());
        delete e.reason;
      });
      m.ack();
      count('sent');
      took({ outcome: 'sent' });
      return;
    }
    const ageMs = Date.now() - m.time.getTime();
    const next = afterWebhookFailure(result, attempt, ageMs, notify.webhook);
    if ('retryIn' in next) {
      await notices.record(task, (e) => {
        addAttempt(
          e,
          { at: iso(startedAt), result: result.error, retryAt: iso(now() + next.retryIn) },
          attempt,
        );
        e.outcome = 'retrying';
        e.reason = result.error;
      });
      m.nak(next.retryIn);
      count('retried');
      took({ outcome: 'retried' });
      return;
    }
    took({ outcome: 'failed' });
    await notices.record(task, (e) => addAttempt(e, { at: iso(startedAt), result: result.error }, attempt));
    if (next.disable) {
      log(
        `webhook: subscriber ${subscriber.name} disabled: ${subscriber.url} answered ${result.error} (410 Gone); ` +
          `re-enable with \`nats kv del cadre_notify_disabled ${subscriber.name}\` or a new url in notify.yaml`,
      );
      await disabled.disable(subscriber, task.id, result.status ?? 410, now());
    }
    log(`webhook: gave up ${task.id} to ${subscriber.name} after ${attempt} attempts: ${next.reason}`);
    await giveUp(next.reason, attempt);
  };
}
