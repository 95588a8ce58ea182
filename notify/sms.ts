/**
 * The SMS stage: tasks for one phone are held for `sms.foldWindow` from the first, then sent as one
 * text — the transition itself when it is alone, a summary when a storm brought several — through
 * the SMS gateway (POST `{to, text, id}`). Held tasks stay unacknowledged in CADRE_NOTIFY, so a
 * crash loses none; a gateway failure naks them all with the retry delay, like webhooks.
 */
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { Notify, Subscriber } from '../config/notify.js';
import { notificationsTotal } from '../shared/metrics.js';
import { postJson } from './http_post.js';
import { keepFailed } from './queue.js';
import { afterFailure } from './retry.js';
import { loneText, summaryText, type Names } from './sms_text.js';
import { surveyText } from './surveys.js';
import { deliveryId, taskOrDrop, type NotifyTask } from './task.js';
import { addAttempt, type NotifyLog } from './log.js';
import type { NoticeAttempt } from '../shared/views.js';

/** Tasks back from a retry were folded already: they wait only for their siblings of the same fold. */
const REGROUP_MS = 1000;

export interface SmsStage {
  js: JetStreamClient;
  notify: Notify;
  names: Names;
  log: (line: string) => void;
  /** False while this instance does not surely hold the SMS stage's lease: held texts go back unsent. */
  allowed?: () => boolean;
  /** The notification log (notify/log.ts): each task of a text gets the text's attempts and outcome. */
  notices?: NotifyLog;
}

interface Fold {
  held: { m: JsMsg; task: NotifyTask }[];
  timer: NodeJS.Timeout;
}

export interface SmsSender {
  handle(m: JsMsg): Promise<void>;
  /** Hands the held tasks back to the server now (another notifier may send them) and waits for texts in flight. */
  stop(): Promise<void>;
}

export function smsSender({ js, notify, names, log, allowed = () => true, notices }: SmsStage): SmsSender {
  const noted = (
    held: Fold['held'],
    outcome: 'sent' | 'retrying' | 'failed',
    attempt?: NoticeAttempt,
    reason?: string,
  ) =>
    notices
      ? Promise.all(
          held.map(({ m, task }) =>
            notices.record(task, (e) => {
              if (attempt) addAttempt(e, attempt, m.info.deliveryCount);
              e.outcome = outcome;
              if (reason) e.reason = reason;
              else delete e.reason;
              if (outcome === 'sent') e.sentAt = attempt?.at ?? new Date().toISOString();
            }),
          ),
        )
      : Promise.resolve();
  const byName = new Map<string, Subscriber>(notify.subscribers.map((s) => [s.name, s]));
  const folds = new Map<string, Fold>();
  const sending = new Set<Promise<void>>();
  const count = (outcome: 'sent' | 'retried' | 'failed' | 'folded', n = 1) =>
    notificationsTotal.inc({ channel: 'sms', outcome }, n);

  const giveUp = async (held: Fold['held'], error: string) => {
    const attempts = Math.max(...held.map(({ m }) => m.info.deliveryCount));
    await noted(held, 'failed', undefined, error);
    for (const { m, task } of held) {
      await keepFailed(js, task, error, attempts);
      m.ack();
    }
    count('failed');
  };

  const send = async (phone: string, held: Fold['held'], own?: string) => {
    const transitions = held.map(({ task }) => task.transition);
    const text =
      own ??
      (held.length === 1
        ? loneText(transitions[0], notify.sms.maxLength)
        : summaryText(transitions, names, notify.sms.maxLength));
    const url = notify.sms.gateway.url;
    if (!url) return giveUp(held, 'no sms.gateway.url in notify.yaml');
    const body = JSON.stringify({ to: phone, text, id: deliveryId(held.map(({ task }) => task.id)) });
    const startedAt = new Date().toISOString();
    const result = await postJson(url, body, {}, notify.webhook.timeout);
    if (result.ok) {
      await noted(held, 'sent', { at: startedAt, result: `HTTP ${result.status}` });
      for (const { m } of held) m.ack();
      count('sent');
      if (held.length > 1) count('folded', held.length);
      return;
    }
    const attempt = Math.max(...held.map(({ m }) => m.info.deliveryCount));
    const next = afterFailure(attempt, notify.webhook.retryDelays);
    if ('retryIn' in next) {
      const retryAt = new Date(Date.now() + next.retryIn).toISOString();
      await noted(held, 'retrying', { at: startedAt, result: result.error, retryAt }, result.error);
      for (const { m } of held) m.nak(next.retryIn);
      count('retried');
      return;
    }
    log(
      `sms: gave up a text to ${phone} (${held.length} transitions) after ${attempt} attempts: ${result.error}`,
    );
    await noted(held, 'failed', { at: startedAt, result: result.error });
    await giveUp(held, result.error);
  };

  const close = (phone: string) => {
    const fold = folds.get(phone);
    if (!fold) return;
    folds.delete(phone);
    // Another notifier folds now (this one was stalled past its lease): it gets these tasks again.
    if (!allowed()) {
      for (const { m } of fold.held) m.nak();
      return;
    }
    const sent: Promise<void> = send(phone, fold.held)
      .catch((err: Error) => log(`sms: text to ${phone} not finished: ${err.message}`))
      .finally(() => sending.delete(sent));
    sending.add(sent);
  };

  return {
    async handle(m) {
      const task = taskOrDrop(m, 'sms', log);
      if (!task) return;
      if (task.survey) {
        // A customer's own text: sent alone at once, never folded into an operator's summary.
        const { phone, complaint } = task.survey;
        const sent: Promise<void> = send(phone, [{ m, task }], surveyText(complaint))
          .catch((err: Error) => log(`sms: survey of ${complaint} not finished: ${err.message}`))
          .finally(() => sending.delete(sent));
        sending.add(sent);
        return;
      }
      const phone = byName.get(task.subscriber)?.phone;
      if (!phone) {
        await keepFailed(
          js,
          task,
          `no sms subscriber "${task.subscriber}" in notify.yaml`,
          m.info.deliveryCount - 1,
        );
        m.ack();
        count('failed');
        return;
      }
      let fold = folds.get(phone);
      if (!fold) {
        const hold = m.info.redelivered ? Math.min(REGROUP_MS, notify.sms.foldWindow) : notify.sms.foldWindow;
        fold = { held: [], timer: setTimeout(() => close(phone), hold) };
        folds.set(phone, fold);
      }
      fold.held.push({ m, task });
    },
    async stop() {
      for (const fold of folds.values()) {
        clearTimeout(fold.timer);
        for (const { m } of fold.held) m.nak();
      }
      folds.clear();
      await Promise.all(sending);
    },
  };
}
