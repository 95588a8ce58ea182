/**
 * Storing normalized inputs in the input log. Each message is a JetStream publish (the PubAck is the
 * proof it is stored) with `Nats-Msg-Id` = the input's key, so a retried batch stores nothing twice.
 * Publishes run in a sliding window: one awaited publish at a time is bound by the round trip, an
 * unbounded burst queues in the client; ~100 in flight was the fastest (BASELINES.md).
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { subjects } from '../shared/subjects.js';
import type { AlarmInput, ComplaintInput, KpiInput } from './normalize.js';

export const DEFAULT_PUBLISH_WINDOW = 100;

export interface PublishItem {
  subject: string;
  /** The dedup id: JetStream drops a second message with the same id within the duplicate window. */
  msgId: string;
  data: string | Uint8Array;
}

export type PublishResult =
  | {
      ok: true;
      seq: number;
      /** JetStream already held this id: accepted, not stored again. */ duplicate: boolean;
    }
  | { ok: false; error: Error };

export interface PublishOptions {
  /** Publishes in flight at once. */
  window?: number;
  /** Per-publish PubAck timeout, ms (the client's default when omitted). */
  timeout?: number;
}

/** The inputs producers send, as messages of their subject `cadre.in.<type>.<city>`. */
export type ProducerInput = AlarmInput | KpiInput | ComplaintInput;

export function publishItemOf(input: ProducerInput): PublishItem {
  return {
    subject: subjects.input(input.type, input.city),
    msgId: input.key,
    data: JSON.stringify(input.msg),
  };
}

/** Publishes every item; the result at index i is item i's. Never throws for a single item's failure. */
export async function publishWindowed(
  js: JetStreamClient,
  items: readonly PublishItem[],
  options: PublishOptions = {},
): Promise<PublishResult[]> {
  const results = new Array<PublishResult>(items.length);
  const publishOptions = options.timeout === undefined ? {} : { timeout: options.timeout };
  let next = 0;
  // Each lane takes the next unpublished item as soon as its previous one is acknowledged.
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      const item = items[i]!;
      try {
        const ack = await js.publish(item.subject, item.data, { ...publishOptions, msgID: item.msgId });
        results[i] = { ok: true, seq: ack.seq, duplicate: ack.duplicate };
      } catch (err) {
        results[i] = { ok: false, error: err as Error };
      }
    }
  };
  const lanes = Math.max(1, Math.min(options.window ?? DEFAULT_PUBLISH_WINDOW, items.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
}
