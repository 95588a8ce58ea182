/**
 * `/metrics` as Prometheus reads it: the whole system in this process (startApp, real nats-server),
 * traffic through every measured path — an alarm over HTTP ingest, the outage it opens, a screen on
 * Socket.IO, a webhook subscriber — then Debian's real `promtool check metrics` on the scrape, and the
 * latency histograms holding observations.
 */
import { spawnSync } from 'node:child_process';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../shared/passwords.js';
import { findTool, PROMTOOL } from '../../shared/tools.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { useNats } from '../helpers/nats.js';
import { startReceiver, type Receiver } from '../notify/helpers.js';

const KEY = 'metrics-ingest-key-0123456789';
const nats = useNats();
let stack: TestApp;
let app: TestApp['app'];
let receiver: Receiver;
let screen: Socket;

beforeAll(async () => {
  receiver = await startReceiver();
  stack = await startTestApp({
    natsUrl: nats.url,
    name: 'metrics',
    files: {
      'rules.yaml': 'outage: {debounce: 1s}\n',
      'access.yaml': {
        anonymousViewer: true,
        apiKeys: [{ name: 'feed', role: 'ingest', keyHash: hashApiKey(KEY) }],
      },
      'notify.yaml': {
        subscribers: [{ name: 'bot', channel: 'webhook', url: receiver.url, levels: ['red', 'orange'] }],
      },
    },
  });
  app = stack.app;
  screen = connectSocket(`${app.url}/live`, { transports: ['websocket'] });
  await new Promise<void>((resolve) => screen.once('snapshot', () => resolve()));
}, 60_000);

afterAll(async () => {
  screen?.close();
  await stack?.stop();
  await receiver?.close();
}, 30_000);

/** The `_count` of a histogram (summed over its labels) in a scrape. */
function histogramCount(scrape: string, name: string): number {
  const lines = scrape.split('\n').filter((l) => l.startsWith(`${name}_count`));
  return lines.reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

describe('/metrics', () => {
  it('passes promtool check metrics, with the latency histograms observed', async () => {
    const res = await fetch(`${app.url}/api/ingest/alarms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          id: 'm-1',
          ne: 'HY-ZH-0002-BTS1',
          severity: 1,
          category: 'fault',
          code: 'SITE_DOWN',
          state: 'raised',
          time: new Date().toISOString(),
        },
      ]),
    });
    expect(res.status).toBe(202);
    // The outage (a key grid: red) reaches the screen and the webhook subscriber.
    await new Promise<void>((resolve) => screen.once('events', () => resolve()));
    const deadline = Date.now() + 20_000;
    while (receiver.requests.length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(receiver.requests.length).toBeGreaterThan(0);

    const scrape = await (await fetch(`${app.url}/metrics`)).text();
    const promtool = findTool(PROMTOOL);
    expect(
      promtool,
      'promtool (Debian package prometheus; scripts/ensure_tools.ts installs it)',
    ).toBeDefined();
    const check = spawnSync(promtool!, ['check', 'metrics'], { input: scrape, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);

    expect(histogramCount(scrape, 'cadre_input_to_transition_seconds')).toBeGreaterThan(0);
    expect(histogramCount(scrape, 'cadre_transition_to_screen_seconds')).toBeGreaterThan(0);
    expect(histogramCount(scrape, 'cadre_webhook_delivery_seconds')).toBeGreaterThan(0);
    expect(scrape).toContain('cadre_process_cpu_seconds_total');
  }, 60_000);
});
