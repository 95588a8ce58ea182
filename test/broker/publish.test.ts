import { describe, expect, it, beforeAll } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { useNats } from '../helpers/nats.js';
import { ensureStreams } from '../../broker/streams.js';
import { publishItemOf, publishWindowed } from '../../broker/publish.js';
import { normalize, type AlarmInput } from '../../contract/normalize.js';
import { fixtureConfig, sample } from '../ingest/helpers.js';

describe('publishWindowed', () => {
  const nats = useNats();
  const config = fixtureConfig();
  beforeAll(async () => {
    await ensureStreams(nats.nc, config);
  });

  it('stores each input once on its type/city subject; the same message id again is accepted as a duplicate', async () => {
    const inputs = ['a', 'b', 'c'].map((tag) => {
      const result = normalize(sample.alarm(tag, '2026-10-15T09:00:00+08:00'), 'alarm', config.topology);
      if (!result.ok) throw new Error(result.reject.reason);
      return result.input as AlarmInput;
    });
    const items = inputs.map(publishItemOf);
    expect(items[0]!.subject).toBe('cadre.in.alarm.XT');
    expect(items[0]!.msgId).toBe(`alarm:ALM-a:raised:${Date.parse('2026-10-15T09:00:00+08:00')}`);

    const first = await publishWindowed(nats.nc, items, { window: 2 });
    expect(first.map((r) => r.ok && r.duplicate)).toEqual([false, false, false]);
    const second = await publishWindowed(nats.nc, [items[1]!, items[1]!]);
    expect(second.every((r) => r.ok && r.duplicate)).toBe(true);

    const jsm = await jetstreamManager(nats.nc);
    expect((await jsm.streams.info('CADRE_IN')).state.messages).toBe(3);
    const stored = (await jsm.streams.getMessage('CADRE_IN', { seq: first[1]!.ok ? first[1]!.seq : 0 }))!;
    expect(stored.json()).toEqual(sample.alarm('b', '2026-10-15T09:00:00+08:00'));
    expect(stored.header.get('Nats-Msg-Id')).toBe(items[1]!.msgId);
  });

  it('reports a failure per item instead of throwing when no stream takes the subject', async () => {
    const results = await publishWindowed(nats.nc, [{ subject: 'nowhere.at.all', msgId: 'x', data: '{}' }], {
      timeout: 1000,
    });
    expect(results[0]!.ok).toBe(false);
  });

  it('fails an item past the server max_payload for good, alone, without throwing', async () => {
    const big = 'x'.repeat(nats.nc.info!.max_payload + 1);
    const results = await publishWindowed(nats.nc, [
      { subject: 'cadre.in.alarm.XT', msgId: 'too-big', data: big },
      publishItemOf(
        (
          normalize(sample.alarm('d', '2026-10-15T09:00:00+08:00'), 'alarm', config.topology) as {
            input: AlarmInput;
          }
        ).input,
      ),
    ]);
    expect(results[0]).toMatchObject({ ok: false, permanent: true });
    expect(results[1]).toMatchObject({ ok: true });
  });
});
