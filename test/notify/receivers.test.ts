/**
 * Notices as Standard Webhooks receivers and on-call people expect (issue 16), on a real nats-server
 * with real HTTP receivers: a `Retry-After` is honoured instead of the ladder (seconds or an HTTP
 * date, capped); 410 disables the endpoint, across a restart, on /metrics, until re-enabled; another
 * 4xx than 408/429 is not retried; quiet hours hold back yellow but never red; and the notification
 * log says who was told what, when, how, with the outcome and the attempts.
 */
import { describe, expect, it } from 'vitest';
import { jetstreamManager, jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { useNats } from '../helpers/nats.js';
import { readNotifyLog } from '../../gateway/notifications.js';
import { FAILED_HEADERS } from '../../notify/task.js';
import { DayCalendar } from '../../shared/calendar.js';
import { registry } from '../../shared/metrics.js';
import { BUCKETS, STREAMS, subjects } from '../../shared/subjects.js';
import {
  notified,
  notifyConfig,
  publishTransitions,
  quietFor,
  transition,
  until,
  useNotifier,
  type Receiver,
} from './helpers.js';

const nats = useNats();
const lines: string[] = [];
const bench = useNotifier(nats, { log: (line) => lines.push(line) });
const { receiver, notifier } = bench;

async function lastFailed() {
  const jsm = await jetstreamManager(nats.nc);
  const kept = await jsm.streams.getMessage(STREAMS.notifyFailed.name, {
    last_by_subj: subjects.notifyFailed('webhook'),
  });
  return {
    task: kept?.json<{ id: string }>().id,
    error: kept?.header.get(FAILED_HEADERS.error),
    attempts: kept?.header.get(FAILED_HEADERS.attempts),
  };
}

const gap = (r: Receiver, i: number) => r.requests[i]!.at - r.requests[i - 1]!.at;

describe('Retry-After', () => {
  it('comes back when a 503 asks (1 s), not after the ladder’s 30 s', async () => {
    const busy = await receiver((n) => (n === 1 ? { status: 503, headers: { 'retry-after': '1' } } : 200));
    await notifier({
      subscribers: [{ name: 'busy', channel: 'webhook', url: busy.url }],
      webhook: { retryDelays: ['30s'] },
    });
    await publishTransitions(nats.nc, [transition({ level: 'red' })]);
    await until(() => busy.requests.length === 2, 'the attempt after the 503', 8000);
    expect(busy.requests.map((r) => r.status)).toEqual([503, 200]);
    expect(gap(busy, 1)).toBeGreaterThanOrEqual(900);
    expect(gap(busy, 1)).toBeLessThan(5000);
  });

  it('takes an HTTP date, and waits no longer than webhook.maxRetryAfter', async () => {
    const dated = await receiver((n) =>
      n === 1
        ? { status: 429, headers: { 'retry-after': new Date(Date.now() + 3000).toUTCString() } }
        : n === 2
          ? { status: 429, headers: { 'retry-after': '86400' } }
          : 200,
    );
    await notifier({
      subscribers: [{ name: 'dated', channel: 'webhook', url: dated.url }],
      webhook: { retryDelays: ['30s', '30s'], maxRetryAfter: '2s' },
    });
    await publishTransitions(nats.nc, [transition({ level: 'red' })]);
    await until(() => dated.requests.length === 3, 'three attempts', 12_000);
    // The date is whole seconds: 2–3 s after the first answer, then the day asked for is capped at 2 s.
    expect(gap(dated, 1)).toBeGreaterThanOrEqual(1000);
    expect(gap(dated, 1)).toBeLessThan(3500);
    expect(gap(dated, 2)).toBeGreaterThanOrEqual(1900);
    expect(gap(dated, 2)).toBeLessThan(4500);
    expect(dated.requests.map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('waits asked for do not use up the ladder: a throttling receiver is not given up early', async () => {
    const throttled = await receiver((n) =>
      n <= 3 ? { status: 429, headers: { 'retry-after': '1' } } : 204,
    );
    const failedBefore = await notified('webhook', 'failed');
    await notifier({
      subscribers: [{ name: 'throttled', channel: 'webhook', url: throttled.url }],
      webhook: { retryDelays: ['6s'] },
    });
    await publishTransitions(nats.nc, [transition({ level: 'red' })]);
    await until(() => throttled.requests.length === 4, 'the fourth attempt', 10_000);
    expect(throttled.requests.map((r) => r.status)).toEqual([429, 429, 429, 204]);
    expect(await notified('webhook', 'failed')).toBe(failedBefore);
  });
});

describe('4xx', () => {
  it('400 is given up at once with the reason; 408 and 429 without Retry-After are retried', async () => {
    const refusing = await receiver(() => 400);
    const slow = await receiver((n) => (n === 1 ? 408 : n === 2 ? 429 : 200));
    await notifier({
      subscribers: [
        { name: 'refusing', channel: 'webhook', url: refusing.url },
        { name: 'slow', channel: 'webhook', url: slow.url },
      ],
      webhook: { retryDelays: ['50ms', '50ms', '50ms'] },
    });
    const t = transition({ level: 'red' });
    await publishTransitions(nats.nc, [t]);
    await until(() => slow.requests.length === 3, 'the retries of 408 and 429');
    await until(async () => (await lastFailed()).task === `${t.id}:1:refusing`, 'the give-up of the 400');
    await quietFor(300);
    expect(refusing.requests).toHaveLength(1);
    expect(await lastFailed()).toEqual({
      task: `${t.id}:1:refusing`,
      error: 'HTTP 400: refused by the receiver, not retried',
      attempts: '1',
    });
    expect(slow.requests.map((r) => r.status)).toEqual([408, 429, 200]);
  });
});

describe('410 Gone', () => {
  it('disables the endpoint: no more deliveries, across a restart, on /metrics and in the log, until re-enabled', async () => {
    const gone = await receiver((n) => (n === 1 ? 410 : 200));
    const notify = {
      subscribers: [{ name: 'gone-hook', channel: 'webhook', url: gone.url }],
      webhook: { retryDelays: ['50ms'] },
    };
    await notifier(notify);
    const first = transition({ level: 'red' });
    await publishTransitions(nats.nc, [first]);
    await until(
      async () => (await lastFailed()).task === `${first.id}:1:gone-hook`,
      'the give-up of the 410',
    );
    expect(lines.some((l) => l.includes('subscriber gone-hook disabled'))).toBe(true);
    const scrape = await registry.metrics();
    expect(scrape).toContain('cadre_webhook_endpoint_disabled{subscriber="gone-hook"} 1');

    // The next notice is not sent: given up at once, saying why.
    const second = transition({ level: 'red' });
    await publishTransitions(nats.nc, [second]);
    await until(async () => (await lastFailed()).task === `${second.id}:1:gone-hook`, 'the second give-up');
    expect((await lastFailed()).error).toMatch(/^endpoint disabled: .* answered 410 at /);

    // A restart keeps it disabled.
    await bench.current()!.stop();
    await notifier(notify);
    const third = transition({ level: 'red' });
    await publishTransitions(nats.nc, [third]);
    await until(
      async () => (await lastFailed()).task === `${third.id}:1:gone-hook`,
      'the give-up after the restart',
    );
    expect(gone.requests).toHaveLength(1);
    expect(lines.some((l) => l.includes('subscriber gone-hook is disabled'))).toBe(true);

    // The operator re-enables it (docs/notifications.md): the next notice is delivered.
    const kv = await new Kvm(jetstream(nats.nc)).open(BUCKETS.notifyDisabled);
    await kv.delete('gone-hook');
    await until(
      async () =>
        (await registry.metrics()).includes('cadre_webhook_endpoint_disabled{subscriber="gone-hook"} 0'),
      'the gauge back at 0',
    );
    const fourth = transition({ level: 'red' });
    await publishTransitions(nats.nc, [fourth]);
    await until(() => gone.requests.length === 2, 'the delivery after re-enabling');
    expect(JSON.parse(gone.requests[1]!.body).id).toBe(fourth.id);
  });
});

describe('quiet hours', () => {
  it('hold back yellow until they end (then it is sent), never red', async () => {
    const phone = await receiver();
    // The notifier's clock 4 s before 07:00 in cadre.yaml's timeZone: quiet hours 22:00–07:00 end then
    // (on a loaded machine the notices take a second or two to be routed).
    const QUIET_LEFT_MS = 4000;
    const config = notifyConfig({});
    const calendar = new DayCalendar(config.cadre.timeZone);
    const seven = calendar.startOf(calendar.key(Date.now())) + 7 * 3_600_000;
    const offset = seven - QUIET_LEFT_MS - Date.now();
    const quietEndsAt = seven - offset; // on this process's wall clock
    await notifier(
      {
        subscribers: [
          {
            name: 'on-call',
            channel: 'webhook',
            url: phone.url,
            levels: ['red', 'yellow'],
            quietHours: { from: '22:00', to: '07:00' },
          },
        ],
      },
      () => Date.now() + offset,
    );
    const yellow = transition({ level: 'yellow' });
    const red = transition({ level: 'red' });
    await publishTransitions(nats.nc, [yellow, red]);
    await until(() => phone.requests.length >= 1, 'the red notice');
    expect(JSON.parse(phone.requests[0]!.body).id).toBe(red.id);
    expect(phone.requests[0]!.at).toBeLessThan(quietEndsAt);

    const kv = await new Kvm(jetstream(nats.nc)).open(BUCKETS.notifyLog);
    await until(async () => (await readNotifyLog(kv, yellow.id))[0]?.outcome === 'held', 'the held entry');
    expect((await readNotifyLog(kv, yellow.id))[0]!.heldUntil).toBe(new Date(seven).toISOString());

    await until(() => phone.requests.length === 2, 'the yellow notice after the quiet hours', 12_000);
    expect(JSON.parse(phone.requests[1]!.body).id).toBe(yellow.id);
    expect(phone.requests[1]!.at).toBeGreaterThanOrEqual(quietEndsAt - 100);
    await until(async () => (await readNotifyLog(kv, yellow.id))[0]?.outcome === 'sent', 'the yellow sent');
  });
});

describe('notification log', () => {
  it('keeps per event who was told what, when, by which channel, the outcome and the attempts', async () => {
    const flaky = await receiver((n) => (n === 1 ? 503 : 204));
    const dead = await receiver(() => 404);
    await notifier({
      subscribers: [
        { name: 'desk-bot', channel: 'webhook', url: flaky.url },
        { name: 'old-bot', channel: 'webhook', url: dead.url },
      ],
      webhook: { retryDelays: ['100ms'] },
    });
    const t = transition({ level: 'red' });
    await publishTransitions(nats.nc, [t]);
    const kv = await new Kvm(jetstream(nats.nc)).open(BUCKETS.notifyLog);
    await until(async () => {
      const entries = await readNotifyLog(kv, t.id);
      return entries.length === 2 && entries.every((e) => e.outcome === 'sent' || e.outcome === 'failed');
    }, 'both outcomes in the log');
    const entries = await readNotifyLog(kv, t.id);
    const bot = entries.find((e) => e.subscriber === 'desk-bot')!;
    expect(bot).toMatchObject({
      kind: 'event',
      id: t.id,
      channel: 'webhook',
      transition: 'opened',
      seq: 1,
      level: 'red',
      outcome: 'sent',
      attemptCount: 2,
    });
    expect(bot.attempts.map((a) => a.result)).toEqual(['HTTP 503', 'HTTP 204']);
    expect(bot.attempts[0]!.retryAt).toBeDefined();
    expect(Date.parse(bot.sentAt!)).toBeGreaterThanOrEqual(Date.parse(bot.queuedAt));
    expect(entries.find((e) => e.subscriber === 'old-bot')).toMatchObject({
      outcome: 'failed',
      reason: 'HTTP 404: refused by the receiver, not retried',
      attemptCount: 1,
    });
  });
});
