/**
 * The wall when its server goes away, on the real stack with the gateway in a process of its own:
 * stopping the gateway dims the board and says "数据截至 HH:MM:SS" within 5 s; starting it again
 * clears that, and the events chart shows the same past (history from the streams, not zero).
 */
import { describe, expect, it } from 'vitest';
import type { Activity } from '../../ui/src/lib/types.js';
import { collectPageErrors, complaintNow, SCREENSHOTS, TEST_TIMEOUT, useStack } from './stack.js';

const stack = useStack({ splitGateway: true });

function gridOf(city: string, index = 0): string {
  return stack.config.topology.grids.filter((g) => g.city === city)[index]!.id;
}

async function activity(): Promise<Activity> {
  const res = await fetch(`${stack.url}/api/activity`);
  expect(res.status).toBe(200);
  return (await res.json()) as Activity;
}

describe('wall screen when the gateway stops and comes back', () => {
  for (const viewport of [
    { width: 1920, height: 1080 },
    { width: 3840, height: 2160 },
  ])
    it(
      `goes stale within 5 s of the gateway stopping and recovers with its chart history (${viewport.width}×${viewport.height})`,
      async () => {
        const context = await stack.browser.browser.newContext({ viewport, locale: 'zh-CN' });
        const page = await context.newPage();
        const errors = collectPageErrors(page);
        await page.goto(`${stack.url}/wall`, { timeout: 60_000 });
        await page.waitForSelector('[data-testid="grid-map"]:not([data-drawn="0"])', { timeout: 60_000 });
        await page.waitForSelector('[data-testid="connection-state"][data-state="connected"]', {
          timeout: 60_000,
        });

        const first = viewport.width === 1920;
        if (first) {
          await stack.publish('complaint', 'CS', complaintNow(gridOf('CS', 40), { media: true }));
          await stack.publish(
            'complaint',
            'CS',
            complaintNow(gridOf('CS', 41), { customer: { id: 'r-1', tier: 1 } }),
          );
          await stack.publish('complaint', 'XT', complaintNow(gridOf('XT', 2)));
          await page.waitForSelector(
            '[data-testid="grid-map"][data-red="1"][data-orange="1"][data-yellow="1"]',
            { timeout: 30_000 },
          );
        }
        const before = await activity();
        await expect
          .poll(async () => Number(await page.getByTestId('events-chart').getAttribute('data-opened-red')), {
            timeout: 10_000,
          })
          .toBe(before.totals.opened.red);
        expect(page.getByTestId('stale-banner')).toBeDefined();
        await expect(page.getByTestId('stale-banner').count()).resolves.toBe(0);

        const stopping = Date.now();
        let stoppedAt = stopping;
        try {
          await stack.stopGateway();
          stoppedAt = Date.now();
          await page.waitForSelector('[data-testid="stale-banner"]', { timeout: 10_000 });
        } catch (err) {
          console.log('no stale banner', (err as Error).message);
          await stack.startGateway();
          throw err;
        }
        const staleAfterMs = Date.now() - stoppedAt;
        console.log(
          `gateway stopped (close took ${stoppedAt - stopping} ms) → stale on the wall: ${staleAfterMs} ms`,
        );
        expect(staleAfterMs).toBeLessThan(5000);
        await expect(page.getByTestId('wall').getAttribute('data-stale')).resolves.toBe('true');
        // The rate is not shown as if it were current; the time of the last data is.
        await expect(page.getByTestId('input-rate').count()).resolves.toBe(0);
        await expect(page.getByTestId('stale-banner').textContent()).resolves.toMatch(
          /数据截至 \d\d:\d\d:\d\d/,
        );
        if (first) await page.screenshot({ path: `${SCREENSHOTS}/wall-stale.png` });

        await stack.startGateway();
        await page.waitForSelector('[data-testid="stale-banner"]', { state: 'detached', timeout: 30_000 });
        await page.waitForSelector('[data-testid="connection-state"][data-state="connected"]', {
          timeout: 30_000,
        });
        await expect(page.getByTestId('wall').getAttribute('data-stale')).resolves.toBe('false');
        // The restarted gateway read the past hour back: the same openings, not zero.
        const after = await activity();
        expect(after.totals.opened).toEqual(before.totals.opened);
        expect(after.totals.lifted).toEqual(before.totals.lifted);
        await expect
          .poll(async () => Number(await page.getByTestId('events-chart').getAttribute('data-opened-red')), {
            timeout: 10_000,
          })
          .toBe(before.totals.opened.red);
        expect(before.totals.opened.red).toBeGreaterThanOrEqual(1);
        expect(errors).toEqual([]);
        await context.close();
      },
      TEST_TIMEOUT,
    );

  it(
    'goes stale when the processor behind a live gateway falls silent, and says so',
    async () => {
      const page = await stack.browser.context.newPage();
      const errors = collectPageErrors(page);
      await page.goto(`${stack.url}/wall`, { timeout: 60_000 });
      await page.waitForSelector('[data-testid="connection-state"][data-state="connected"]', {
        timeout: 60_000,
      });
      await expect(page.getByTestId('stale-banner').count()).resolves.toBe(0);
      const stoppedAt = Date.now();
      await stack.stopProcessor();
      await page.waitForSelector('[data-testid="stale-banner"][data-reason="processor"]', {
        timeout: 15_000,
      });
      console.log(`processor stopped → stale on the wall: ${Date.now() - stoppedAt} ms`);
      expect(Date.now() - stoppedAt).toBeLessThan(6000);
      await expect(page.getByTestId('stale-banner').textContent()).resolves.toMatch(
        /数据截至 \d\d:\d\d:\d\d/,
      );
      await expect(page.getByTestId('stale-banner').textContent()).resolves.toContain('处理服务');
      // The gateway itself is still there: the badge says the data is stale, not that it reconnects.
      await expect(page.getByTestId('connection-state').getAttribute('data-state')).resolves.toBe('stale');
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT,
  );
});
