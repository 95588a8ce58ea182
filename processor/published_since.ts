/**
 * The ids (`<eventId>:<seq>`) of transitions stored in CADRE_EVENTS after a given sequence: what a
 * crashed processor had already published past its checkpoint. JetStream's duplicate window would
 * catch most re-publishes, but only for minutes; this catches them however long the outage was.
 *
 * All of them or an error, within `timeoutMs`: a partial set would let the processor publish some
 * again, and an ordered consumer that cannot be created (a cluster node just restarted answers
 * "jetstream is not enabled" for a while) retries on its own for minutes — the caller's start is
 * retried instead (processor/ownership.ts).
 */
import { DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream';
import { HEADERS, STREAMS } from '../shared/subjects.js';

export async function publishedSince(
  js: JetStreamClient,
  eventsSeq: number,
  timeoutMs = 30_000,
): Promise<Set<string>> {
  const ids = new Set<string>();
  const last = (await (await js.streams.get(STREAMS.events.name)).info()).state.last_seq;
  if (last <= eventsSeq) return ids;
  const consumer = await js.consumers.get(STREAMS.events.name, {
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: eventsSeq + 1,
  });
  const deadline = Date.now() + timeoutMs;
  let seen = eventsSeq;
  while (seen < last) {
    const left = deadline - Date.now();
    if (left <= 0)
      throw new Error(`CADRE_EVENTS read up to ${seen} of ${last} in ${timeoutMs / 1000} s, not further`);
    const messages = await consumer.fetch({ max_messages: last - seen, expires: Math.min(5000, left) });
    const timer = setTimeout(() => messages.stop(), left);
    try {
      for await (const m of messages) {
        const id = m.headers?.get(HEADERS.msgId);
        if (id) ids.add(id);
        seen = m.seq;
        if (seen >= last) break;
      }
    } finally {
      clearTimeout(timer);
    }
  }
  return ids;
}
