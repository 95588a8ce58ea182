/**
 * Reading a stream back to its end, once: an ephemeral consumer on `filter` from `startTime` (or the
 * stream's start), fetched in batches until nothing is pending, then deleted. The history of an
 * event or incident (history.ts) and a report's complaints (complaint_log.ts) read so.
 */
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';

export async function readToEnd(
  js: JetStreamClient,
  stream: string,
  filter: string,
  startTime: string | undefined,
  batch: number,
  each: (m: JsMsg) => void,
): Promise<void> {
  const consumer = await js.consumers.get(stream, {
    filter_subjects: filter,
    ...(startTime ? { opt_start_time: startTime } : {}),
  });
  try {
    let pending = (await consumer.info(true)).num_pending;
    while (pending > 0) {
      const messages = await consumer.fetch({ max_messages: Math.min(pending, batch), expires: 5000 });
      let got = 0;
      for await (const m of messages) {
        got += 1;
        pending = m.info.pending;
        each(m);
        if (pending === 0) break;
      }
      if (got === 0) break;
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
}
