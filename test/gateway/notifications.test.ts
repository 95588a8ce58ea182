/**
 * The notification log at the gateway (issue 16): a real notifier tells a real receiver, and
 * `GET /api/events/:id` / `GET /api/incidents/:id` answer `notifications` — who was told what, when,
 * by which channel, with the outcome and the attempts. An event inside an incident shows the
 * incident's notices (it was told of through them); an event nobody was told of has an empty log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { useNats } from '../helpers/nats.js';
import { ensureStreams } from '../../broker/streams.js';
import { startNotifier, type RunningNotifier } from '../../notify/notifier.js';
import type { Gateway } from '../../gateway/server.js';
import type { IncidentTransition } from '../../shared/schemas.js';
import { BUCKETS, subjects } from '../../shared/subjects.js';
import { notifyConfig, startReceiver, type Receiver } from '../notify/helpers.js';
import {
  loginToken,
  publishTransitions,
  putEventDoc,
  startGateway,
  testConfig,
  transition,
  until,
} from './helpers.js';

const nats = useNats();
let gw: Gateway;
let notifier: RunningNotifier;
let hook: Receiver;
let token: string;

const INCIDENT = 'XT.incident.20261015T010100';
const alone = transition({ id: 'ev-told', level: 'red' });
const quiet = transition({ id: 'ev-untold', level: 'yellow', grid: 'XT-YT-0010' });
const member = transition({ id: 'ev-member', level: 'red', grid: 'XT-YH-0001', incident: INCIDENT });
const incident: IncidentTransition = {
  kind: 'incident',
  id: INCIDENT,
  seq: 1,
  transition: 'opened',
  city: 'XT',
  level: 'red',
  state: 'open',
  title: '雨湖区 transport down, 2 grids',
  openedAt: alone.at,
  at: alone.at,
  ackDeadline: alone.at,
  deadline: alone.at,
  escalationStep: 0,
  root: { alarms: ['a1'], elements: ['XT-TR-1'] },
  grids: ['XT-YH-0001', 'XT-YH-0003'],
  events: ['ev-member'],
  cause: 'upstream',
  titleParts: { area: '雨湖区', grids: 2 },
};

beforeAll(async () => {
  await ensureStreams(nats.nc, notifyConfig({}));
  hook = await startReceiver((n) => (n === 1 ? 503 : 200));
  notifier = await startNotifier({
    nc: nats.nc,
    config: notifyConfig({
      subscribers: [{ name: 'duty-bot', channel: 'webhook', url: hook.url }],
      webhook: { retryDelays: ['50ms'] },
    }),
  });
  for (const doc of [alone, quiet, member]) await putEventDoc(nats.nc, doc);
  const kv = await new Kvm(jetstream(nats.nc)).open(BUCKETS.events);
  await kv.put(INCIDENT, JSON.stringify(incident));
  gw = await startGateway(nats.nc, { config: await testConfig() });
  token = await loginToken(gw, 'admin');

  await publishTransitions(nats.nc, [alone, quiet, member]);
  await jetstream(nats.nc).publish(subjects.incident('XT'), JSON.stringify(incident), {
    msgID: `${INCIDENT}:1`,
  });
}, 30_000);

afterAll(async () => {
  await notifier?.stop();
  await gw?.close();
  await hook?.close();
});

const get = async (url: string) =>
  (await gw.app.inject({ url, headers: { authorization: `Bearer ${token}` } })).json();

describe('notifications in GET /api/events/:id and /api/incidents/:id', () => {
  it('says who was told of an event, how, when, with the outcome and the attempts', async () => {
    await until(async () => {
      const { notifications } = await get('/api/events/ev-told');
      return notifications?.[0]?.outcome === 'sent';
    });
    const body = await get('/api/events/ev-told');
    expect(body.event.id).toBe('ev-told');
    expect(body.history).toBeDefined();
    expect(body.notifications).toHaveLength(1);
    const [notice] = body.notifications;
    expect(notice).toMatchObject({
      kind: 'event',
      id: 'ev-told',
      subscriber: 'duty-bot',
      channel: 'webhook',
      transition: 'opened',
      level: 'red',
      outcome: 'sent',
    });
    expect(notice.attemptCount).toBeGreaterThanOrEqual(1);
    expect(notice.attempts.at(-1).result).toBe('HTTP 200');
    expect(Date.parse(notice.sentAt)).toBeGreaterThanOrEqual(Date.parse(notice.queuedAt));
  });

  it('shows an incident’s notices on it and on its events; an untold event has none', async () => {
    await until(async () => (await get(`/api/incidents/${INCIDENT}`)).notifications?.[0]?.outcome === 'sent');
    const inc = await get(`/api/incidents/${INCIDENT}`);
    expect(inc.incident.id).toBe(INCIDENT);
    expect(inc.events.map((e: { id: string }) => e.id)).toEqual(['ev-member']);
    expect(
      inc.notifications.map((n: { kind: string; subscriber: string }) => [n.kind, n.subscriber]),
    ).toEqual([['incident', 'duty-bot']]);
    const ev = await get('/api/events/ev-member');
    expect(ev.notifications.map((n: { kind: string; id: string }) => [n.kind, n.id])).toEqual([
      ['incident', INCIDENT],
    ]);
    expect((await get('/api/events/ev-untold')).notifications).toEqual([]);
  });
});
