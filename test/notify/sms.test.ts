/**
 * SMS through a real HTTP gateway stand-in: a storm for one phone within the fold window becomes one
 * summary text that fits one SMS; a lone transition is sent as itself; a gateway failure is retried.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { useNats } from '../helpers/nats.js';
import { ensureStreams } from '../../broker/streams.js';
import { startNotifier, type RunningNotifier } from '../../notify/notifier.js';
import { loneText, summaryText } from '../../notify/sms_text.js';
import { STREAMS } from '../../shared/subjects.js';
import {
  notified,
  notifyConfig,
  publishTransitions,
  quietFor,
  startReceiver,
  transition,
  until,
  type Receiver,
} from './helpers.js';

const nats = useNats();
const PHONE = '+8613800000001';
const open: { notifier?: RunningNotifier; gateway?: Receiver } = {};

beforeAll(async () => {
  await ensureStreams(nats.nc, notifyConfig({}));
});
afterEach(async () => {
  await open.notifier?.stop();
  await open.gateway?.close();
  Object.assign(open, { notifier: undefined, gateway: undefined });
});

async function start(answer?: (n: number) => number) {
  open.gateway = await startReceiver(answer);
  open.notifier = await startNotifier({ nc: nats.nc, config: smsConfig(open.gateway) });
  return open.gateway;
}

function smsConfig(gateway: Receiver) {
  return notifyConfig({
    subscribers: [{ name: 'on-call', channel: 'sms', phone: PHONE }],
    sms: { gateway: { url: gateway.url }, foldWindow: '2s' },
    webhook: { retryDelays: ['50ms'] },
  });
}

const texts = (gateway: Receiver) =>
  gateway.requests.map((r) => JSON.parse(r.body) as { to: string; text: string; id: string });

describe('SMS notifications', () => {
  it('folds a storm of 50 red openings for one phone into one summary text of one SMS', async () => {
    const gateway = await start();
    const foldedBefore = await notified('sms', 'folded');
    const storm = Array.from({ length: 50 }, (_, i) =>
      transition({
        level: 'red',
        grid: i % 2 ? 'XT-YH-0003' : 'XT-YT-0010',
        title: `outage ${i}`,
        at: new Date(Date.UTC(2025, 0, 1, 8, 0, i)).toISOString(),
      }),
    );
    await publishTransitions(nats.nc, storm);

    await until(() => gateway.requests.length === 1, 'the summary text');
    await quietFor(1500);
    const [sms] = texts(gateway);
    expect(texts(gateway)).toHaveLength(1);
    expect(sms!.to).toBe(PHONE);
    // The newest by event time is the last one (index 49, an odd grid).
    expect(sms!.text).toBe('cadre 湘潭 50 events: 50 red; latest 雨湖区_湘大 outage red');
    expect(sms!.text.length).toBeLessThanOrEqual(70);
    expect(await notified('sms', 'folded')).toBe(foldedBefore + 50);
  });

  it('sends a lone transition as itself', async () => {
    const gateway = await start();
    const t = transition({ level: 'red', title: '雨湖区_湘大: outage, 3 elements' });
    await publishTransitions(nats.nc, [t]);
    await until(() => gateway.requests.length === 1, 'the text');
    expect(texts(gateway)[0]).toMatchObject({
      to: PHONE,
      text: 'cadre red opened 雨湖区_湘大: outage, 3 elements',
    });
  });

  it('retries the text when the gateway fails, with the same request id', async () => {
    const gateway = await start((n) => (n === 1 ? 503 : 200));
    const sentBefore = await notified('sms', 'sent');
    await publishTransitions(nats.nc, [transition({ level: 'red' })]);
    await until(() => gateway.requests.length === 2, 'the retried text');
    await quietFor(1500);
    expect(gateway.requests.map((r) => r.status)).toEqual([503, 200]);
    expect(new Set(texts(gateway).map((s) => s.id)).size).toBe(1);
    expect(await notified('sms', 'sent')).toBe(sentBefore + 1);
  });
  it('stopped while folding and started again, sends the text once', async () => {
    const gateway = await start();
    await publishTransitions(nats.nc, [transition({ level: 'red', title: 'held over a restart' })]);
    await until(async () => {
      const jsm = await jetstreamManager(nats.nc);
      return (await jsm.consumers.info(STREAMS.notify.name, 'cadre_notify_sms')).num_ack_pending === 1;
    }, 'the task held in its fold');
    await open.notifier!.stop();
    open.notifier = await startNotifier({ nc: nats.nc, config: smsConfig(gateway) });

    await until(() => gateway.requests.length === 1, 'the text after the restart');
    await quietFor(2500);
    expect(texts(gateway).map((t) => t.text)).toEqual(['cadre red opened held over a restart']);
  });
});

describe('SMS texts', () => {
  const names = {
    city: (id: string) => ({ XT: '湘潭', HY: '衡阳' })[id] ?? id,
    grid: (id: string) => `grid ${id}`,
  };

  it('shortens a long title to fit, with an ellipsis', () => {
    const text = loneText(transition({ level: 'red', title: '很长的标题'.repeat(30) }), 70);
    expect(text).toHaveLength(70);
    expect(text.endsWith('…')).toBe(true);
  });

  it('names the escalation step', () => {
    expect(
      loneText(transition({ transition: 'escalated', level: 'red', escalationStep: 2, title: 'X' }), 70),
    ).toBe('cadre red escalated step 2 X');
  });

  it('counts events once, at their newest level, across cities, and drops "latest" when it does not fit', () => {
    const a = transition({ level: 'orange', city: 'XT', at: '2025-01-01T08:00:00Z' });
    const list = [
      a,
      { ...a, seq: 2, level: 'red' as const, transition: 'escalated' as const, at: '2025-01-01T08:05:00Z' },
      transition({ level: 'orange', city: 'HY', grid: 'HY-SG-0005', at: '2025-01-01T08:01:00Z' }),
    ];
    expect(summaryText(list, names, 160)).toBe(
      'cadre 2 cities 2 events: 1 red 1 orange; latest grid XT-YH-0003 outage red',
    );
    expect(summaryText(list, names, 40)).toBe('cadre 2 cities 2 events: 1 red 1 orange');
  });
});
