/**
 * The read model's sources race (KV load, KV follow, stream follow); the rule "apply only a newer seq"
 * makes the order harmless. Also: a missing source is a clear error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { useNats } from '../helpers/nats.js';
import { startNatsServer } from '../../broker/nats_server.js';
import { ReadModel } from '../../gateway/state.js';
import type { EventTransition } from '../../shared/schemas.js';
import { emptyKpiSeries, quietGridDoc } from '../../shared/views.js';
import { BUCKETS } from '../../shared/subjects.js';
import {
  ensureCadreStreams,
  publishTransitions,
  putEventDoc,
  putGridDoc,
  transition,
  until,
} from './helpers.js';

const nats = useNats();
let model: ReadModel;
const heard: string[] = [];
const doc = transition({ id: 'ev-race', seq: 3, transition: 'escalated', level: 'red' });

beforeAll(async () => {
  await ensureCadreStreams(nats.nc);
  await putEventDoc(nats.nc, doc);
  model = new ReadModel({ nc: nats.nc, now: Date.now });
  await model.start();
  model.onChange((d) => heard.push(`${d.id}:${d.seq}`));
});

afterAll(async () => {
  await model?.stop();
});

describe('read model', () => {
  it('loads KV, then ignores an older seq from the stream and applies newer ones from either source', async () => {
    expect(model.event('ev-race')?.seq).toBe(3);
    const older: EventTransition = { ...doc, seq: 2, transition: 'updated', level: 'orange' };
    const newer: EventTransition = { ...doc, seq: 4, transition: 'acknowledged', state: 'acknowledged' };
    await publishTransitions(nats.nc, [older, newer]);
    await until(() => model.event('ev-race')?.seq === 4);
    expect(model.event('ev-race')?.level).toBe('red');

    // The processor's KV write of a later state arrives through the KV follower even without a stream message.
    await putEventDoc(nats.nc, { ...doc, seq: 6, transition: 'resolved', state: 'resolved' });
    await until(() => model.event('ev-race')?.seq === 6);
    expect([...model.activeEvents()].map((e) => e.id)).not.toContain('ev-race');
    expect([...model.endedEvents()].map((e) => e.id)).toContain('ev-race');
    // A stream message older than the held seq (5 < 6) changes nothing.
    await publishTransitions(nats.nc, [{ ...doc, seq: 5, transition: 'commented' }]);
    await new Promise((r) => setTimeout(r, 200));
    expect(heard).toEqual(['ev-race:4', 'ev-race:6']);
  });

  it('follows grid docs written after start', async () => {
    await putGridDoc(nats.nc, {
      id: 'XT-YH-0003',
      city: 'XT',
      level: 'red',
      active: ['ev-race'],
      alarms: [],
      activeAlarms: 0,
      degraded: [],
      kpi: emptyKpiSeries(),
      complaints: [],
      days: {},
      updatedAt: new Date().toISOString(),
    });
    await until(() => model.grid('XT-YH-0003')?.level === 'red');
  });

  it('keeps the last document of a deleted grid key and hands a purge over, as the KV watcher did', async () => {
    const kv = await new Kvm(nats.nc).open(BUCKETS.grids);
    const grid = (id: string, updatedAt: string) => quietGridDoc(id, 'XT', updatedAt);
    await putGridDoc(nats.nc, grid('XT-YH-0004', '2026-12-03T08:00:00.000Z'));
    await putGridDoc(nats.nc, grid('XT-YH-0005', '2026-12-03T08:00:00.000Z'));
    await until(() => model.grid('XT-YH-0005') !== undefined);
    await kv.delete('XT-YH-0004');
    await kv.purge('XT-YH-0005');
    // A document written after both is the sign that they were read.
    await putGridDoc(nats.nc, grid('XT-YH-0006', '2026-12-03T08:00:01.000Z'));
    await until(() => model.grid('XT-YH-0006') !== undefined);
    expect(model.grid('XT-YH-0004')?.updatedAt).toBe('2026-12-03T08:00:00.000Z');
    // A purge's empty value is no grid document: the page answers the quiet one.
    expect(model.grid('XT-YH-0005')).toBeUndefined();
    // A document written again after its delete is followed.
    await putGridDoc(nats.nc, grid('XT-YH-0004', '2026-12-03T08:00:02.000Z'));
    await until(() => model.grid('XT-YH-0004')?.updatedAt === '2026-12-03T08:00:02.000Z');
  });

  it('names the missing sources when the streams are not there', async () => {
    const bare = await startNatsServer();
    const nc = await connect({ servers: bare.url });
    try {
      const lonely = new ReadModel({ nc, now: Date.now });
      await expect(lonely.start()).rejects.toMatchObject({
        code: 'CADRE_ERR_UNAVAILABLE',
        message: expect.stringContaining('ensureStreams'),
      });
    } finally {
      await nc.close();
      await bare.stop();
    }
  });
});
