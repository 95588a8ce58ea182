/**
 * Sinks that go away for a while: the dead-letter stream and a KV bucket deleted under a running
 * processor and recreated 10 s later. Nothing the processor accepted or rejected meanwhile is lost —
 * the checkpoint waits for the DLQ, the outbox retries its writes — and nothing is doubled.
 */
import { describe, expect, it } from 'vitest';
import { headers } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { useNats } from '../helpers/nats.js';
import { ensureStreams } from '../../broker/streams.js';
import { BUCKETS, HEADERS, STREAMS, kvKey, subjects } from '../../shared/subjects.js';
import type { EventTransition } from '../../shared/schemas.js';
import type { GridDoc } from '../../shared/views.js';
import { complaint, readStream, useLiveProcessor, waitFor } from './live_helpers.js';

const nats = useNats();
const live = useLiveProcessor(nats, 'processor:\n  checkpointInterval: 0.2\n', { started: true });

function publish(subject: string, body: string, msgId?: string) {
  const h = headers();
  if (msgId) h.set(HEADERS.msgId, msgId);
  nats.nc.publish(subject, body, { headers: h });
}

describe('sinks unavailable for 10 s', () => {
  it('lose no reject while CADRE_DLQ is gone, and no event or grid document while their buckets are', async () => {
    const jsm = await jetstreamManager(nats.nc);
    await jsm.streams.delete(STREAMS.dlq.name);
    await jsm.streams.delete(`KV_${BUCKETS.grids}`);
    await jsm.streams.delete(`KV_${BUCKETS.events}`);

    publish(subjects.input('alarm', 'XT'), '{not json');
    publish(subjects.input('complaint', 'HY'), JSON.stringify(complaint('U-1')), 'complaint:U-1');
    await waitFor(
      'the transition of the complaint',
      async () =>
        (await readStream(nats.nc, STREAMS.events.name)).some((m) => m.text.includes('"U-1"')) || undefined,
    );
    await new Promise((r) => setTimeout(r, 10_000));
    await ensureStreams(nats.nc, live.config);

    const dlq = await waitFor(
      'the reject in the recreated DLQ',
      async () => {
        const all = await readStream(nats.nc, STREAMS.dlq.name);
        return all.length ? all : undefined;
      },
      15_000,
    );
    expect(dlq.map((m) => [m.subject, m.text])).toEqual([['cadre.dlq.alarm', '{not json']]);
    const grids = await new Kvm(nats.nc).open(BUCKETS.grids);
    const doc = await waitFor(
      'the grid document in the recreated bucket',
      async () => (await grids.get('HY-SG-0005'))?.json<GridDoc>(),
      15_000,
    );
    expect(doc.complaints.map((c) => c.id)).toEqual(['U-1']);
    const events = await new Kvm(nats.nc).open(BUCKETS.events);
    const transition = (await readStream(nats.nc, STREAMS.events.name))
      .map((m) => JSON.parse(m.text) as EventTransition)
      .find((t) => t.evidence.complaints.includes('U-1'))!;
    const eventDoc = await waitFor(
      "the complaint event's document in the recreated bucket",
      async () => (await events.get(kvKey(transition.id)))?.json<EventTransition>(),
      15_000,
    );
    expect(eventDoc.seq).toBe(transition.seq);

    // Restarted from its checkpoint (taken after the DLQ came back): nothing again.
    await live.processor!.stop();
    await live.start();
    publish(subjects.input('complaint', 'HY'), JSON.stringify(complaint('U-2')), 'complaint:U-2');
    await waitFor(
      'the next transition',
      async () =>
        (await readStream(nats.nc, STREAMS.events.name)).some((m) => m.text.includes('"U-2"')) || undefined,
    );
    expect(await readStream(nats.nc, STREAMS.dlq.name)).toHaveLength(1);
    const stored = (await readStream(nats.nc, STREAMS.events.name)).map(
      (m) => JSON.parse(m.text) as EventTransition,
    );
    const keys = stored.map((t) => `${t.id}:${t.seq}`);
    expect(new Set(keys).size).toBe(keys.length);
  }, 60_000);
});
