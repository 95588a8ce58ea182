/**
 * Storing messages in JetStream with proof: every message is a core publish whose reply subject is a
 * token of one shared inbox subscription, and its PubAck (or error) comes back there. That is the
 * same proof `js.publish` gives — the stream's ack with its sequence — without a request object, a
 * promise and a timer per message, which made js.publish the bottleneck of ingest and of the
 * processor's outbox (~4× slower, bench/README.md). `Nats-Msg-Id` = the item's dedup id, so a
 * retried batch stores nothing twice. A window bounds the messages awaiting their ack.
 */
import { createInbox, headers, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { messageId, subjects } from '../shared/subjects.js';
import { connectOptions } from './nats_auth.js';
import { UNANSWERED } from './js_watch.js';
import type { AlarmInput, ComplaintInput, KpiInput } from '../contract/normalize.js';

export const DEFAULT_PUBLISH_WINDOW = 1000;
const DEFAULT_TIMEOUT_MS = 5000;

export interface PublishItem {
  subject: string;
  /** The dedup id: JetStream drops a second message with the same id within the duplicate window. */
  msgId?: string;
  data: string | Uint8Array;
  /** Headers of its own (a dead letter's reason and origin); the dedup id is added to them. */
  headers?: MsgHdrs;
}

export type PublishResult =
  | {
      ok: true;
      seq: number;
      /** JetStream already held this id: accepted, not stored again. */ duplicate: boolean;
    }
  | {
      ok: false;
      error: Error;
      /** No retry can store it (the client refused it: larger than the server's max_payload). */
      permanent?: boolean;
    };

export interface PublishOptions {
  /** Messages awaiting their ack at once. */
  window?: number;
  /** How long the whole batch may wait for its acks, ms; unanswered items fail. */
  timeout?: number;
  /**
   * Asked before each message: false fails it and the rest unsent (a lost lease). Per message, since
   * a process stopped anywhere in this loop (SIGSTOP, a stalled VM) resumes in the middle of it.
   */
  allowed?: () => boolean;
}

/** The inputs producers send, as messages of their subject `cadre.in.<type>.<city>`. */
export type ProducerInput = AlarmInput | KpiInput | ComplaintInput;

export function publishItemOf(input: ProducerInput): PublishItem {
  return {
    subject: subjects.input(input.type, input.city),
    msgId: messageId(input.type, input.msg),
    data: JSON.stringify(input.msg),
  };
}

interface PubAck {
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  error?: { code?: number; description?: string };
}

/**
 * Publishes every item; the result at index i is item i's. Never throws for a single item's failure:
 * one the client refuses is a permanent failure of that item alone.
 */
export async function publishWindowed(
  nc: NatsConnection,
  items: readonly PublishItem[],
  options: PublishOptions = {},
): Promise<PublishResult[]> {
  const results = new Array<PublishResult | undefined>(items.length);
  if (items.length === 0) return [];
  const window = Math.max(1, options.window ?? DEFAULT_PUBLISH_WINDOW);
  // The connection's own prefix: a role may subscribe to its inboxes only (broker/nats_auth.ts).
  const inbox = createInbox(connectOptions(nc).inboxPrefix);
  const decoder = new TextDecoder();
  let sent = 0;
  let settled = 0;
  let wake: (() => void) | undefined;
  let finish!: () => void;
  const allSettled = new Promise<void>((resolve) => (finish = resolve));

  const settle = (index: number, result: PublishResult) => {
    if (results[index]) return;
    results[index] = result;
    settled++;
    if (settled === items.length) finish();
    if (wake && sent - settled < window / 2) {
      wake();
      wake = undefined;
    }
  };
  const sub = nc.subscribe(`${inbox}.*`, {
    callback: (err, msg) => {
      if (err) return;
      const index = Number(msg.subject.slice(inbox.length + 1));
      // A status message instead of an ack: no stream listens on the subject (503) or similar.
      if (msg.headers?.hasError) {
        const { code, description } = msg.headers;
        const error = new Error(`no stream stored it (${code} ${description})`);
        // 503: nobody serves the stream on this server (broker/js_watch.ts moves the connection).
        if (code === 503) Object.assign(error, { [UNANSWERED]: true });
        return settle(index, { ok: false, error });
      }
      const ack = JSON.parse(decoder.decode(msg.data)) as PubAck;
      if (ack.error || ack.seq === undefined)
        return settle(index, { ok: false, error: new Error(ack.error?.description ?? 'no PubAck') });
      settle(index, { ok: true, seq: ack.seq, duplicate: ack.duplicate === true });
    },
  });
  const timer = setTimeout(() => {
    items.forEach((_, i) => settle(i, { ok: false, error: new Error('timed out waiting for the PubAck') }));
  }, options.timeout ?? DEFAULT_TIMEOUT_MS);

  try {
    for (let i = 0; i < items.length; i++) {
      if (options.allowed && !options.allowed()) {
        const refused = { ok: false as const, error: new Error('no longer allowed to publish') };
        for (let j = i; j < items.length; j++) settle(j, refused);
        break;
      }
      const item = items[i];
      let h = item.headers;
      if (item.msgId) {
        h ??= headers();
        h.set('Nats-Msg-Id', item.msgId);
      }
      try {
        nc.publish(item.subject, item.data, { reply: `${inbox}.${i}`, ...(h ? { headers: h } : {}) });
      } catch (err) {
        // Thrown before anything was sent (a payload over max_payload): that item, for good.
        settle(i, { ok: false, error: err as Error, permanent: true });
      }
      sent++;
      if (sent - settled >= window && settled < items.length)
        await new Promise<void>((resolve) => (wake = resolve));
    }
    await allSettled;
  } finally {
    clearTimeout(timer);
    sub.unsubscribe();
  }
  return results as PublishResult[];
}
