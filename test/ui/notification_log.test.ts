/**
 * The desk shows the notification log of an event (issue 16), on the real stack: a media complaint
 * opens a red event, the notifier tells a real local webhook receiver (which answers 503 once, then
 * 200), and the event's panel on the desk lists the notice — subscriber, channel, outcome, attempts.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import {
  collectPageErrors,
  complaintNow,
  logIn,
  PASSWORD,
  RESULTS,
  TEST_TIMEOUT,
  USERS,
  useStack,
} from './stack.js';

let receiver: Server | undefined;
const statuses: number[] = [];

const stack = useStack({
  configFiles: async () => {
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const status = statuses.length === 0 ? 503 : 200;
        statuses.push(status);
        res.writeHead(status).end();
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const { port } = receiver.address() as AddressInfo;
    return {
      'notify.yaml': JSON.stringify({
        subscribers: [{ name: 'duty-bot', channel: 'webhook', url: `http://127.0.0.1:${port}/hook` }],
        webhook: { retryDelays: ['200ms'] },
      }),
    };
  },
});
afterAll(() => void receiver?.close());

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('notification log on the desk', () => {
  it(
    'lists who was told of the event, by which channel, with the outcome and the attempts',
    async () => {
      const grid = stack.config.topology.grids.filter((g) => g.city === 'CS')[12]!.id;
      const context = await stack.browser.newContext({ viewport: { width: 1600, height: 960 } });
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      await logIn(page, stack.url, USERS.dispatcher);
      await page.waitForSelector('[data-testid="connection-state"][data-state="connected"]', {
        timeout: 60_000,
      });

      await stack.publish('complaint', 'CS', complaintNow(grid, { media: true }));
      const row = page.locator(`[data-testid="event-row"][data-event-id^="${grid}."]`);
      await row.waitFor({ timeout: 30_000 });
      const id = (await row.getAttribute('data-event-id'))!;
      await until(() => statuses.length === 2, 'the 503 and the delivery');
      // The log is written as the answer comes: wait until the API says so, then open the panel.
      const login = await fetch(`${stack.url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: USERS.dispatcher, password: PASSWORD }),
      });
      const { token } = (await login.json()) as { token: string };
      await until(async () => {
        const res = await fetch(`${stack.url}/api/events/${encodeURIComponent(id)}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = (await res.json()) as { notifications?: { outcome: string }[] };
        return body.notifications?.[0]?.outcome === 'sent';
      }, 'the log saying sent');

      await row.click();
      const notice = page.locator(
        `[data-testid="event-detail"][data-event-id="${id}"] [data-testid="notification-row"]`,
      );
      await notice.waitFor({ timeout: 30_000 });
      expect(await notice.count()).toBe(1);
      expect(await notice.getAttribute('data-subscriber')).toBe('duty-bot');
      expect(await notice.getAttribute('data-channel')).toBe('webhook');
      expect(await notice.getAttribute('data-outcome')).toBe('sent');
      expect(await notice.getByTestId('notification-attempts').textContent()).toMatch(/2/);
      await page.getByTestId('detail-notifications').screenshot({ path: `${RESULTS}/notification-log.png` });
      expect(errors).toEqual([]);
      await context.close();
    },
    TEST_TIMEOUT,
  );
});
