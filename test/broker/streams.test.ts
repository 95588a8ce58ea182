import { describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { useNats } from '../helpers/nats.js';
import { ensureStreams } from '../../broker/streams.js';
import { fixtureConfig } from '../ingest/helpers.js';

const NS_PER_MS = 1_000_000;

describe('ensureStreams', () => {
  const nats = useNats();

  it('creates the streams and buckets with the retention of cadre.yaml, concurrently and again without harm', async () => {
    const config = fixtureConfig({ 'cadre.yaml': 'nats:\n  inputMaxAge: 2d\n  duplicateWindow: 90s\n' });
    // Two "processes" at once: each its own connection.
    const other = await connect({ servers: nats.url });
    const [a, b] = await Promise.all([ensureStreams(nats.nc, config), ensureStreams(other, config)]);
    await other.close();
    expect(Object.keys(a).sort()).toEqual([
      'CADRE_DLQ',
      'CADRE_EVENTS',
      'CADRE_IN',
      'CADRE_NOTIFY',
      'CADRE_NOTIFY_FAILED',
      'KV_cadre_contacts',
      'KV_cadre_events',
      'KV_cadre_grids',
      'KV_cadre_leases',
      'KV_cadre_notify_disabled',
      'KV_cadre_notify_log',
      'OBJ_cadre_checkpoints',
    ]);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());

    const again = await ensureStreams(nats.nc, config);
    expect(Object.values(again).every((o) => o === 'unchanged')).toBe(true);

    const jsm = await jetstreamManager(nats.nc);
    const input = (await jsm.streams.info('CADRE_IN')).config;
    expect(input.subjects).toEqual(['cadre.in.>']);
    expect(input.storage).toBe('file');
    expect(input.max_age).toBe(2 * 86_400_000 * NS_PER_MS);
    expect(input.duplicate_window).toBe(90_000 * NS_PER_MS);
    expect((await jsm.streams.info('CADRE_DLQ')).config.subjects).toEqual(['cadre.dlq.>']);
    const events = (await jsm.streams.info('CADRE_EVENTS')).config;
    expect(events.duplicate_window).toBe(10 * 60_000 * NS_PER_MS);
    const kv = (await jsm.streams.info('KV_cadre_events')).config;
    expect(kv.max_msgs_per_subject).toBe(1);
    expect(kv.max_age).toBe(30 * 86_400_000 * NS_PER_MS);
    expect((await jsm.streams.info('OBJ_cadre_checkpoints')).config.storage).toBe('file');
  });

  it('brings an existing stream in line when cadre.yaml changes, keeping its messages', async () => {
    const jsm = await jetstreamManager(nats.nc);
    await ensureStreams(nats.nc, fixtureConfig());
    await nats.nc.request('cadre.in.alarm.XT', '{}').catch(() => undefined);
    const before = (await jsm.streams.info('CADRE_IN')).state.messages;
    const outcome = await ensureStreams(
      nats.nc,
      fixtureConfig({ 'cadre.yaml': 'nats: {inputMaxAge: 3d, eventsMaxAge: 40d}\n' }),
    );
    expect(outcome.CADRE_IN).toBe('updated');
    expect(outcome.KV_cadre_grids).toBe('updated');
    expect(outcome.CADRE_DLQ).toBe('unchanged');
    const after = await jsm.streams.info('CADRE_IN');
    expect(after.config.max_age).toBe(3 * 86_400_000 * NS_PER_MS);
    expect(after.state.messages).toBe(before);
    expect((await jsm.streams.info('KV_cadre_grids')).config.max_age).toBe(40 * 86_400_000 * NS_PER_MS);
  });

  it('keeps the dedup window within a short retention, which the server would refuse otherwise', async () => {
    const outcome = await ensureStreams(nats.nc, fixtureConfig({ 'cadre.yaml': 'nats: {dlqMaxAge: 60}\n' }));
    expect(outcome.CADRE_DLQ).toBe('updated');
    const jsm = await jetstreamManager(nats.nc);
    const dlq = (await jsm.streams.info('CADRE_DLQ')).config;
    expect(dlq.max_age).toBe(60_000 * NS_PER_MS);
    expect(dlq.duplicate_window).toBe(60_000 * NS_PER_MS);
  });
});
