/**
 * Two notifiers side by side (two gateways): a storm for one phone is still one summary text — one
 * notifier folds SMS at a time (the `notify-sms` lease), the other stands by and takes over when the
 * first stops — and a webhook subscriber still gets each notice once (the work queue).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { useNats } from '../helpers/nats.js';
import { ensureStreams } from '../../broker/streams.js';
import { startNotifier, type RunningNotifier } from '../../notify/notifier.js';
import {
  notifyConfig,
  publishTransitions,
  quietFor,
  startReceiver,
  transition,
  until,
  type Receiver,
} from './helpers.js';

const nats = useNats();
const PHONE = '+8613800000002';
const open: { notifiers: RunningNotifier[]; connections: NatsConnection[]; receivers: Receiver[] } = {
  notifiers: [],
  connections: [],
  receivers: [],
};

beforeAll(async () => {
  await ensureStreams(nats.nc, notifyConfig({}));
});
afterEach(async () => {
  for (const n of open.notifiers) await n.stop();
  for (const c of open.connections) await c.close();
  for (const r of open.receivers) await r.close();
  Object.assign(open, { notifiers: [], connections: [], receivers: [] });
});

/** A notifier on its own connection, as in its own gateway process. */
async function notifier(config: ReturnType<typeof notifyConfig>): Promise<RunningNotifier> {
  const nc = await connect({ servers: nats.url });
  open.connections.push(nc);
  const n = await startNotifier({ nc, config });
  open.notifiers.push(n);
  return n;
}

const storm = (n: number, second: number) =>
  Array.from({ length: n }, (_, i) =>
    transition({
      level: 'red',
      grid: 'XT-YH-0003',
      title: `outage ${second}-${i}`,
      at: new Date(Date.UTC(2025, 0, 1, 9, second, i)).toISOString(),
    }),
  );

describe('two notifiers side by side', () => {
  it('fold a storm for one phone into one text, and the standby folds once the first stops', async () => {
    const sms = await startReceiver();
    const hook = await startReceiver();
    open.receivers.push(sms, hook);
    const config = notifyConfig({
      subscribers: [
        { name: 'on-call', channel: 'sms', phone: PHONE },
        { name: 'noc', channel: 'webhook', url: hook.url },
      ],
      sms: { gateway: { url: sms.url }, foldWindow: '2s' },
      webhook: { retryDelays: ['50ms'] },
    });
    const first = await notifier(config);
    await notifier(config);
    await quietFor(500); // both running, one of them holding the SMS stage

    await publishTransitions(nats.nc, storm(30, 0));
    await until(() => sms.requests.length === 1, 'the summary text');
    await until(() => hook.requests.length === 30, 'one webhook per notice');
    await quietFor(2500);
    expect(sms.requests).toHaveLength(1);
    expect((JSON.parse(sms.requests[0]!.body) as { text: string }).text).toMatch(/30 events/);
    expect(hook.requests).toHaveLength(30);

    // The folding notifier goes (a gateway stopped): the other takes the stage over.
    await first.stop();
    open.notifiers.splice(open.notifiers.indexOf(first), 1);
    await quietFor(500);
    await publishTransitions(nats.nc, storm(20, 1));
    await until(() => sms.requests.length === 2, 'the second summary text', 20_000);
    await quietFor(2500);
    expect(sms.requests).toHaveLength(2);
    expect((JSON.parse(sms.requests[1]!.body) as { text: string }).text).toMatch(/20 events/);
  }, 60_000);
});
