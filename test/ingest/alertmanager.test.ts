/**
 * Prometheus's real Alertmanager in front of cadre: alerts posted to its v2 API reach
 * `POST /api/ingest/alertmanager` through a webhook receiver with the ingest key as bearer
 * (`http_config.authorization`), become alarms (fingerprint = alarm id), open an outage event, and
 * clear it when Alertmanager sends the resolve. Everything is real: nats-server, cadre's three roles
 * in this process, Alertmanager as its own process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey, hashPassword } from '../../shared/passwords.js';
import type { EventDoc, GridDoc } from '../../shared/views.js';
import { startAlertmanager, type RunningAlertmanager } from '../helpers/alertmanager.js';
import { eventually, login, startTestApp, type TestApp } from '../helpers/app.js';
import { useNats } from '../helpers/nats.js';

const INGEST_KEY = 'alertmanager-ingest-key-0123456789';
const PASSWORD = 'alertmanager-test';
const GRID = 'HY-SG-0005';
const SITE = 'HY-SG-0005-BTS1';

const nats = useNats();
let stack: TestApp;
let app: TestApp['app'];
let am: RunningAlertmanager;
let token: string;

beforeAll(async () => {
  stack = await startTestApp({
    natsUrl: nats.url,
    name: 'am',
    files: {
      // A short debounce: the outage opens a second after the alert instead of a minute.
      'rules.yaml': 'outage: {debounce: 1s}\n',
      'access.yaml': {
        users: [{ name: 'admin', role: 'admin', passwordHash: await hashPassword(PASSWORD) }],
        apiKeys: [{ name: 'alertmanager', role: 'ingest', keyHash: hashApiKey(INGEST_KEY) }],
      },
    },
  });
  app = stack.app;
  token = await login(stack.url, 'admin', PASSWORD);
  // Every alert its own group, sent at once and its resolve within a second.
  am = await startAlertmanager(
    JSON.stringify({
      route: {
        receiver: 'cadre',
        group_by: ['...'],
        group_wait: '0s',
        group_interval: '1s',
        repeat_interval: '1h',
      },
      receivers: [
        {
          name: 'cadre',
          webhook_configs: [
            {
              url: `${app.url}/api/ingest/alertmanager`,
              send_resolved: true,
              http_config: { authorization: { type: 'Bearer', credentials: INGEST_KEY } },
            },
          ],
        },
      ],
    }),
  );
}, 60_000);

afterAll(async () => {
  await am?.stop();
  await stack?.stop();
}, 30_000);

async function get<T>(path: string): Promise<T> {
  const res = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

/** Alertmanager's own timers are in the path: up to 30 s. */
const settled = <T>(probe: () => Promise<T | undefined>, what: string) => eventually(probe, what, 30_000);

const siteDown = {
  labels: { alertname: 'SITE_DOWN', ne: SITE, severity: 'critical', job: 'enodeb' },
  annotations: { summary: 'eNodeB unreachable' },
};

describe('Alertmanager → cadre', () => {
  it('a firing alert becomes an alarm and an outage; its resolve clears the outage', async () => {
    const startsAt = new Date().toISOString();
    await am.postAlerts([
      { ...siteDown, startsAt },
      // No ne and no instance label: cadre rejects it, naming the labels.
      { labels: { alertname: 'SITE_DOWN', severity: 'critical' }, startsAt },
    ]);
    const [alert] = await settled(async () => {
      const alerts = (await (await fetch(`${am.url}/api/v2/alerts?filter=ne="${SITE}"`)).json()) as {
        fingerprint: string;
      }[];
      return alerts.length ? alerts : undefined;
    }, 'Alertmanager holds the alert');

    const alarm = await settled(async () => {
      const { status } = await get<{ status: GridDoc }>(`/api/grids/${GRID}`);
      return status.alarms.find((a) => a.id === alert!.fingerprint);
    }, 'the alarm in the grid');
    expect(alarm).toMatchObject({
      ne: SITE,
      code: 'SITE_DOWN',
      severity: 1,
      outage: true,
      text: 'eNodeB unreachable',
    });
    expect(alarm.clearedAt).toBeUndefined();

    const outage = await settled(async () => {
      const { events } = await get<{ events: EventDoc[] }>(`/api/events?grid=${GRID}&rule=outage`);
      return events.find((e) => e.evidence.alarms.includes(alert!.fingerprint));
    }, 'an outage event');
    expect(outage.state).toBe('open');

    await am.postAlerts([{ ...siteDown, startsAt, endsAt: new Date().toISOString() }]);
    const cleared = await settled(async () => {
      const { events } = await get<{ events: EventDoc[] }>(`/api/events?state=all&grid=${GRID}&rule=outage`);
      const e = events.find((x) => x.id === outage.id);
      return e?.state === 'cleared' ? e : undefined;
    }, 'the outage cleared');
    expect(cleared.transition).toBe('cleared');

    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/cadre_rejected_total\{type="alarm",reason="missing_label"\} [1-9]/);
  }, 90_000);

  it('answers 401 to a webhook without the ingest key, and 400 to a payload that is not version 4', async () => {
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${app.url}/api/ingest/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const anonymous = await post({ version: '4', alerts: [] });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: 'CADRE_ERR_UNAUTHORIZED' });
    const old = await post({ version: '3', alerts: [] }, { authorization: `Bearer ${INGEST_KEY}` });
    expect(old.status).toBe(400);
    expect(((await old.json()) as { message: string }).message).toContain('version "4"');
  });
});
