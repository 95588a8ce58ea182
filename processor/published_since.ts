/**
 * The ids (`<eventId>:<seq>`) of transitions stored in CADRE_EVENTS after a given sequence: what a
 * crashed processor had already published past its checkpoint. JetStream's duplicate window would
 * catch most re-publishes, but only for minutes; this catches them however long the outage was.
 */
import { DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream';
import { HEADERS, STREAMS } from '../shared/subjects.js';

export async function publishedSince(js: JetStreamClient, eventsSeq: number): Promise<Set<string>> {
  const ids = new Set<string>();
  const last = (await (await js.streams.get(STREAMS.events.name)).info()).state.last_seq;
  if (last <= eventsSeq) return ids;
  const consumer = await js.consumers.get(STREAMS.events.name, {
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: eventsSeq + 1,
  });
  const messages = await consumer.fetch({ max_messages: last - eventsSeq, expires: 5000 });
  for await (const m of messages) {
    const id = m.headers?.get(HEADERS.msgId);
    if (id) ids.add(id);
    if (m.seq >= last) break;
  }
  return ids;
}
