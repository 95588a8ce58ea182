/**
 * The feeder thread's batches: what the processor reads back is exactly what the consumer received —
 * every payload byte, stream sequence and subject, in order — also when payloads outgrow the buffer.
 */
import { describe, expect, it } from 'vitest';
import {
  FeedBatchWriter,
  forEachMessage,
  messagesBehind,
  wrappingAdd,
  type FeedMessage,
} from '../../processor/feed_batch.js';

describe('feed batches', () => {
  it('hand over payloads, sequences and subjects in order, growing past the first buffer', () => {
    const writer = new FeedBatchWriter(100, 64);
    const sent = Array.from({ length: 100 }, (_, i) => ({
      subject: `cadre.in.${i % 3 ? 'kpi' : 'alarm'}.city${i % 5}`,
      seq: 1_000_000 + i,
      data: new TextEncoder().encode(JSON.stringify({ i, text: '基站退服'.repeat(i % 7) })),
      storedAt: 1_700_000_000_000 + i,
    }));
    for (const m of sent) writer.add(m.subject, m.seq, m.data, 100 - m.seq, m.storedAt);
    expect(writer.full).toBe(true);

    const batch = writer.take();
    expect(writer.count).toBe(0);
    const received: FeedMessage[] = [];
    forEachMessage(batch, (m) => received.push({ ...m, data: m.data.slice() }));
    expect(received).toEqual(sent);
    expect(batch.subjects.length).toBe(new Set(sent.map((m) => m.subject)).size);
  });

  it('count how far behind the processor is across the 2^31 wrap of months of input', () => {
    const consumed = new Int32Array(1);
    let posted = 0;
    for (const n of [2 ** 31 - 100, 60, 60, 1024]) posted = wrappingAdd(posted, n);
    Atomics.add(consumed, 0, 2 ** 31 - 100);
    Atomics.add(consumed, 0, 60);
    expect(posted).toBeLessThan(0); // wrapped
    expect(messagesBehind(posted, Atomics.load(consumed, 0))).toBe(60 + 1024);
  });
});
