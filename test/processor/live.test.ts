/**
 * The live processor against a real nats-server: input published on NATS becomes transitions on
 * CADRE_EVENTS and read models in KV within a second; commands are answered; bad input goes to the
 * DLQ with its reason; a restart continues from its checkpoint without repeating a transition.
 */
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { headers } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { useNats } from '../helpers/nats.js';
import { BUCKETS, HEADERS, STREAMS, kvKey, subjects } from '../../shared/subjects.js';
import type { EventTransition } from '../../shared/schemas.js';
import type { CommandReply, GridDoc } from '../../shared/views.js';
import { complaint, readStream, useLiveProcessor, waitFor } from './live_helpers.js';

const nats = useNats();
const live = useLiveProcessor(nats, 'processor:\n  checkpointInterval: 0.1\n');

function publish(subject: string, body: unknown, msgId?: string) {
  const h = headers();
  if (msgId) h.set(HEADERS.msgId, msgId);
  nats.nc.publish(subject, typeof body === 'string' ? body : JSON.stringify(body), { headers: h });
}

/** The next transition published for a grid (subscribed before the input is sent). */
function nextTransition(grid: string, city: string, predicate: (t: EventTransition) => boolean) {
  const sub = nats.nc.subscribe(subjects.event(city, grid));
  return (async () => {
    for await (const m of sub) {
      const t = m.json<EventTransition>();
      if (predicate(t)) {
        sub.unsubscribe();
        return t;
      }
    }
    throw new Error('subscription closed');
  })();
}

describe('live processor', () => {
  it('turns a complaint published on NATS into a transition within a second, with its read models in KV', async () => {
    await live.start();
    const opened = nextTransition('HY-SG-0005', 'HY', (t) => t.transition === 'opened');
    const sentAt = Date.now();
    publish(subjects.input('complaint', 'HY'), complaint('L-1', { media: true }), 'complaint:L-1');
    const transition = await opened;
    const latencyMs = Date.now() - sentAt;
    expect(transition).toMatchObject({ rule: 'complaint', level: 'red', state: 'open', seq: 1 });
    expect(transition.evidence.complaints).toEqual(['L-1']);
    expect(latencyMs).toBeLessThan(1500); // the reorder window (0.5 s) plus a tick
    console.log(`publish → transition: ${latencyMs} ms`);

    const kvm = new Kvm(nats.nc);
    const events = await kvm.open(BUCKETS.events);
    const grids = await kvm.open(BUCKETS.grids);
    const doc = await waitFor('event doc in KV', async () =>
      (await events.get(kvKey(transition.id)))?.json<EventTransition>(),
    );
    expect(doc.id).toBe(transition.id);
    // Grid documents are rewritten about once a second: wait for the one that shows the event.
    const grid = await waitFor('grid doc in KV showing the event', async () => {
      const doc = (await grids.get('HY-SG-0005'))?.json<GridDoc>();
      return doc?.level === 'red' ? doc : undefined;
    });
    expect(grid).toMatchObject({ id: 'HY-SG-0005', level: 'red', active: [transition.id] });
    // Desks show tier and category beside the evidence's complaint ids.
    expect(grid.complaints).toEqual([
      expect.objectContaining({ id: 'L-1', tier: 3, category: 'data', media: true }),
    ]);
  });

  it('answers a dispatcher command on its reply subject and publishes the transition', async () => {
    const event = JSON.parse((await readStream(nats.nc, STREAMS.events.name))[0]!.text) as EventTransition;
    const commandId = randomUUID();
    const reply = nats.nc.subscribe(subjects.commandReply(commandId), { max: 1 });
    const acknowledged = nextTransition('HY-SG-0005', 'HY', (t) => t.transition === 'acknowledged');
    publish(
      subjects.input('command', 'HY'),
      {
        type: 'command',
        id: commandId,
        action: 'ack',
        event: event.id,
        by: 'li.na',
        time: new Date().toISOString(),
      },
      `command:${commandId}`,
    );
    for await (const m of reply) expect(m.json<CommandReply>()).toMatchObject({ ok: true });
    expect(await acknowledged).toMatchObject({ id: event.id, seq: 2, state: 'acknowledged', by: 'li.na' });
  });

  it('sends bad input to the DLQ with its reason and goes on', async () => {
    publish(subjects.input('alarm', 'XT'), '{oops');
    publish(subjects.input('alarm', 'XT'), {
      type: 'alarm',
      id: 'A-9',
      ne: 'NO-SUCH-NE',
      severity: 1,
      category: 'fault',
      code: 'SITE_DOWN',
      state: 'raised',
      time: new Date().toISOString(),
    });
    const dlq = await waitFor('two DLQ messages', async () => {
      const all = await readStream(nats.nc, STREAMS.dlq.name);
      return all.length >= 2 ? all : undefined;
    });
    expect(dlq.map((m) => m.subject)).toEqual(['cadre.dlq.alarm', 'cadre.dlq.alarm']);
    const consumer = await (await import('@nats-io/jetstream')).jetstreamManager(nats.nc);
    const first = (await consumer.streams.getMessage(STREAMS.dlq.name, { seq: 1 }))!;
    expect(first.header.get(HEADERS.rejectCode)).toBe('CADRE_ERR_BAD_JSON');
    expect(dlq[0]!.text).toBe('{oops');
    const second = (await consumer.streams.getMessage(STREAMS.dlq.name, { seq: 2 }))!;
    expect(second.header.get(HEADERS.rejectReason)).toContain('NO-SUCH-NE');
  });

  it('continues after a restart from its checkpoint, repeating nothing', async () => {
    await live.processor!.stop();
    const before = await readStream(nats.nc, STREAMS.events.name);
    await live.start();
    const event = JSON.parse(before[0]!.text) as EventTransition;
    const updated = nextTransition('HY-SG-0005', 'HY', (t) => t.transition === 'updated');
    publish(subjects.input('complaint', 'HY'), complaint('L-2'), 'complaint:L-2');
    expect(await updated).toMatchObject({ seq: 3, evidence: { complaints: ['L-1', 'L-2'] } });
    const after = await readStream(nats.nc, STREAMS.events.name);
    expect(after.map((m) => m.msgId)).toEqual([...before.map((m) => m.msgId), `${event.id}:3`]);
  });

  it('runs on through a grid whose alarms would make a document past NATS max_payload, and after a restart', async () => {
    // 300 active alarms with 4,000-character texts (the schema allows it): 1.2 MB of text in one grid.
    const text = '传输中断，光缆被挖断。'.repeat(364).slice(0, 4000);
    for (let i = 0; i < 300; i++)
      publish(subjects.input('alarm', 'XT'), {
        type: 'alarm',
        id: `BIG-${i}`,
        ne: 'XT-YT-0010-BTS1',
        severity: 3,
        category: 'fault',
        code: 'HIGH_TEMP',
        state: 'raised',
        time: new Date().toISOString(),
        text,
      });
    const swept = nextTransition('XT-YT-0010', 'XT', (t) => t.evidence.complaints.includes('BIG-C1'));
    publish(subjects.input('complaint', 'XT'), complaint('BIG-C1', { grid: 'XT-YT-0010' }));
    expect((await swept).evidence.alarms).toHaveLength(300);
    const grids = await new Kvm(nats.nc).open(BUCKETS.grids);
    const doc = await waitFor('the grid document with its alarms', async () => {
      const entry = await grids.get('XT-YT-0010');
      const d = entry?.json<GridDoc>();
      return d?.activeAlarms === 300 ? { d, bytes: entry!.value.length } : undefined;
    });
    expect(doc.d.alarms).toHaveLength(200);
    expect(Math.max(...doc.d.alarms.map((a) => a.text?.length ?? 0))).toBe(500);
    expect(doc.bytes).toBeLessThan(512 * 1024);

    await live.processor!.stop();
    await live.start();
    const again = nextTransition('XT-YT-0010', 'XT', (t) => t.evidence.complaints.includes('BIG-C2'));
    publish(subjects.input('complaint', 'XT'), complaint('BIG-C2', { grid: 'XT-YT-0010' }));
    expect(await again).toMatchObject({ rule: 'complaint', evidence: { complaints: ['BIG-C1', 'BIG-C2'] } });
  });
});
