/**
 * Webhook delivery on a real nats-server to real HTTP receivers: every matching transition arrives
 * once, signed per Standard Webhooks; failures are retried with the same webhook-id; the last failure
 * is given up, counted and kept in CADRE_NOTIFY_FAILED; a restart mid-retry neither loses nor doubles.
 */
import { describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { useNats } from '../helpers/nats.js';
import { verify } from '../../notify/signature.js';
import { FAILED_HEADERS } from '../../notify/task.js';
import { STREAMS, subjects } from '../../shared/subjects.js';
import type { EventTransition, IncidentTransition } from '../../shared/schemas.js';
import {
  notified,
  publishTransitions,
  quietFor,
  transition,
  until,
  useNotifier,
  type Received,
} from './helpers.js';

const nats = useNats();
const SECRET = 'whsec_' + Buffer.from('a test secret of 32 bytes.......').toString('base64');
const bench = useNotifier(nats);
const { receiver, notifier } = bench;

function verified(r: Received): boolean {
  return verify(
    SECRET,
    {
      id: String(r.headers['webhook-id']),
      timestamp: String(r.headers['webhook-timestamp']),
      signature: String(r.headers['webhook-signature']),
    },
    r.body,
  );
}

const bodyOf = (r: Received) => JSON.parse(r.body) as EventTransition;

describe('webhook notifications', () => {
  it('delivers each matching transition once, signed, and nothing else', async () => {
    const desk = await receiver();
    const hy = await receiver();
    await notifier({
      subscribers: [
        { name: 'desk', channel: 'webhook', url: desk.url, secret: SECRET },
        {
          name: 'hy',
          channel: 'webhook',
          url: hy.url,
          secret: SECRET,
          cities: ['HY'],
          levels: ['orange'],
          transitions: ['resolved'],
        },
      ],
    });
    const redXt = transition({ level: 'red', city: 'XT' });
    const orangeHy = transition({ level: 'orange', city: 'HY', grid: 'HY-SG-0005' });
    await publishTransitions(nats.nc, [
      redXt,
      orangeHy,
      { ...redXt, seq: 2, transition: 'updated' },
      { ...orangeHy, seq: 2, transition: 'resolved', state: 'resolved' },
      transition({ level: 'yellow' }),
    ]);
    // The same transition published again (a processor re-run) is stored once and told once.
    await publishTransitions(nats.nc, [redXt]);

    await until(() => desk.requests.length >= 1 && hy.requests.length >= 2, 'the deliveries');
    await quietFor(300);
    expect(desk.requests.map((r) => [bodyOf(r).id, bodyOf(r).transition])).toEqual([[redXt.id, 'opened']]);
    expect(hy.requests.map((r) => bodyOf(r).transition).sort()).toEqual(['opened', 'resolved']);
    for (const r of [...desk.requests, ...hy.requests]) {
      expect(verified(r)).toBe(true);
      expect(r.headers['content-type']).toBe('application/json');
      expect(Math.abs(Number(r.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    }
    expect(bodyOf(desk.requests[0]!)).toEqual(redXt);
    expect(new Set([...desk.requests, ...hy.requests].map((r) => r.headers['webhook-id'])).size).toBe(3);
  });

  it('tells of an incident once for all its grids, and of its grids through it', async () => {
    const desk = await receiver();
    await notifier({ subscribers: [{ name: 'desk', channel: 'webhook', url: desk.url, secret: SECRET }] });
    const incident = 'XT.incident.20261015T010100';
    const members = ['XT-YH-0003', 'XT-YT-0010', 'XT-YH-0001'].map((grid) =>
      transition({ level: 'red', city: 'XT', grid, incident }),
    );
    await publishTransitions(nats.nc, [
      ...members,
      { ...members[0]!, seq: 2, transition: 'escalated', escalationStep: 1 },
    ]);
    // An incident's transition as the processor writes it (the notifier checks it by its schema).
    const at = members[0]!.at;
    const opened: IncidentTransition = {
      kind: 'incident',
      id: incident,
      seq: 1,
      transition: 'opened',
      city: 'XT',
      level: 'red',
      state: 'open',
      title: '雨湖区 transport down, 3 grids',
      openedAt: at,
      at,
      ackDeadline: at,
      deadline: at,
      escalationStep: 0,
      root: { alarms: ['a1'], elements: ['XT-TR-1'] },
      grids: members.map((m) => m.grid),
      events: members.map((m) => m.id),
      cause: 'upstream',
      titleParts: { area: '雨湖区', grids: 3 },
    };
    await jetstream(nats.nc).publish(subjects.incident('XT'), JSON.stringify(opened), {
      msgID: `${incident}:1`,
    });
    await until(() => desk.requests.length >= 1, 'the incident notice');
    await quietFor(300);
    expect(desk.requests.map((r) => [JSON.parse(r.body).kind, JSON.parse(r.body).id])).toEqual([
      ['incident', incident],
    ]);
  });

  it('retries a failing receiver with the same webhook-id until it answers, and delivers once', async () => {
    const flaky = await receiver((n) => (n <= 2 ? 503 : 204));
    const before = { sent: await notified('webhook', 'sent'), retried: await notified('webhook', 'retried') };
    await notifier({
      subscribers: [{ name: 'flaky', channel: 'webhook', url: flaky.url, secret: SECRET }],
      webhook: { retryDelays: ['50ms', '100ms'] },
    });
    await publishTransitions(nats.nc, [transition({ level: 'red' })]);

    await until(() => flaky.requests.length === 3, 'three attempts');
    await quietFor(400);
    expect(flaky.requests.map((r) => r.status)).toEqual([503, 503, 204]);
    expect(new Set(flaky.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(flaky.requests.every(verified)).toBe(true);
    expect(await notified('webhook', 'retried')).toBe(before.retried + 2);
    expect(await notified('webhook', 'sent')).toBe(before.sent + 1);
  });

  it('gives up after the last delay: counted as failed and kept in CADRE_NOTIFY_FAILED', async () => {
    const dead = await receiver(() => 500);
    const failedBefore = await notified('webhook', 'failed');
    await notifier({
      subscribers: [{ name: 'dead', channel: 'webhook', url: dead.url }],
      webhook: { retryDelays: ['50ms', '100ms'] },
    });
    const t = transition({ level: 'red' });
    await publishTransitions(nats.nc, [t]);

    await until(async () => (await notified('webhook', 'failed')) === failedBefore + 1, 'the give-up');
    await quietFor(300);
    expect(dead.requests).toHaveLength(3);
    expect(dead.requests[0]!.headers['webhook-signature']).toBeUndefined(); // no secret, no signature

    const jsm = await jetstreamManager(nats.nc);
    const kept = await jsm.streams.getMessage(STREAMS.notifyFailed.name, {
      last_by_subj: subjects.notifyFailed('webhook'),
    });
    expect(kept?.json<{ id: string; transition: EventTransition }>()).toMatchObject({
      id: `${t.id}:1:dead`,
      transition: t,
    });
    expect(kept?.header.get(FAILED_HEADERS.error)).toBe('HTTP 500');
    expect(kept?.header.get(FAILED_HEADERS.attempts)).toBe('3');
    // Given up means done: nothing of it is left in the work queue.
    expect((await jsm.consumers.info(STREAMS.notify.name, 'cadre_notify_webhook')).num_ack_pending).toBe(0);
  });

  it('waits as long as a 429 asks in Retry-After before the next attempt (it retried after the configured delay)', async () => {
    const limited = await receiver((n) => (n === 1 ? { status: 429, headers: { 'retry-after': '2' } } : 200));
    await notifier({
      subscribers: [{ name: 'limited', channel: 'webhook', url: limited.url }],
      webhook: { retryDelays: ['50ms', '50ms'] },
    });
    await publishTransitions(nats.nc, [transition({ level: 'red' })]);
    await until(() => limited.requests.length === 2, 'the attempt after the 429', 10_000);
    expect(limited.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(limited.requests[1]!.at - limited.requests[0]!.at).toBeGreaterThanOrEqual(1900);
  });

  it('gives up at once on 410 Gone, kept in CADRE_NOTIFY_FAILED (it retried a receiver that said it is gone)', async () => {
    const gone = await receiver(() => 410);
    const failedBefore = await notified('webhook', 'failed');
    await notifier({
      subscribers: [{ name: 'gone', channel: 'webhook', url: gone.url }],
      webhook: { retryDelays: ['50ms', '50ms', '50ms'] },
    });
    await publishTransitions(nats.nc, [transition({ level: 'red' })]);
    await until(async () => (await notified('webhook', 'failed')) === failedBefore + 1, 'the give-up');
    await quietFor(300);
    expect(gone.requests).toHaveLength(1);
    const kept = await (
      await jetstreamManager(nats.nc)
    ).streams.getMessage(STREAMS.notifyFailed.name, {
      last_by_subj: subjects.notifyFailed('webhook'),
    });
    expect(kept?.header.get(FAILED_HEADERS.error)).toBe('HTTP 410');
    expect(kept?.header.get(FAILED_HEADERS.attempts)).toBe('1');
  });

  it('stopped mid-retry and started again, delivers the notice once', async () => {
    const flaky = await receiver((n) => (n === 1 ? 502 : 200));
    const notify = {
      subscribers: [{ name: 'restart', channel: 'webhook', url: flaky.url, secret: SECRET }],
      webhook: { retryDelays: ['1s'] },
    };
    const retriedBefore = await notified('webhook', 'retried');
    const first = await notifier(notify);
    await publishTransitions(nats.nc, [transition({ level: 'red' })]);
    await until(
      async () => (await notified('webhook', 'retried')) === retriedBefore + 1,
      'the first failure',
    );
    await first.stop();
    bench.stopped();

    await notifier(notify);
    await until(() => flaky.requests.length === 2, 'the retry after the restart');
    await quietFor(1500);
    expect(flaky.requests.map((r) => r.status)).toEqual([502, 200]);
    expect(flaky.requests[0]!.headers['webhook-id']).toBe(flaky.requests[1]!.headers['webhook-id']);
  });
});
