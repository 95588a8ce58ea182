/**
 * Escalations on the wall at 3840×2160, with a first-response deadline short enough to pass during
 * the test (rules.yaml complaint.ackDeadline.other: 15 s): three yellow complaint events opened and
 * then escalated to orange are three yellow openings and three escalations — no orange opening — on
 * the events chart and in GET /api/activity alike; the ticker says 超时升级; the deadline tile counts
 * the overdue acknowledgements.
 */
import { describe, expect, it } from 'vitest';
import type { Activity } from '../../ui/src/lib/types.js';
import { collectPageErrors, complaintNow, TEST_TIMEOUT, useStack } from './stack.js';

const stack = useStack({ rules: { complaint: { ackDeadline: { other: '15s' } } } });

async function activity(): Promise<Activity> {
  return (await (await fetch(`${stack.url}/api/activity`)).json()) as Activity;
}

describe('wall screen when deadlines pass', () => {
  it(
    'draws escalations apart from openings, as GET /api/activity counts them (3840×2160)',
    async () => {
      const context = await stack.browser.browser.newContext({
        viewport: { width: 3840, height: 2160 },
        locale: 'zh-CN',
      });
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      await page.goto(`${stack.url}/wall`, { timeout: 60_000 });
      await page.waitForSelector('[data-testid="connection-state"][data-state="connected"]', {
        timeout: 60_000,
      });
      const grids = stack.config.topology.grids.filter((g) => g.city === 'ZZ').slice(0, 3);
      for (const g of grids)
        await stack.publish(
          'complaint',
          'ZZ',
          complaintNow(g.id, { customer: { id: `esc-${g.id}`, tier: 4 } }),
        );
      await page.waitForSelector('[data-testid="counter-yellow"][data-count="3"]', { timeout: 30_000 });

      // 15 s later each is escalated: orange, escalation step 1.
      await page.waitForSelector('[data-testid="counter-orange"][data-count="3"]', { timeout: 60_000 });
      await expect.poll(async () => (await activity()).totals.escalated.orange, { timeout: 15_000 }).toBe(3);
      const api = await activity();
      expect(api.totals.opened).toEqual({ red: 0, orange: 0, yellow: 3, blue: 0 });
      expect(api.totals.lifted).toEqual({ red: 0, orange: 0, yellow: 0, blue: 0 });
      const chart = page.getByTestId('events-chart');
      const drawn = async () => ({
        yellow: Number(await chart.getAttribute('data-opened-yellow')),
        orange: Number(await chart.getAttribute('data-opened-orange')),
        escalated: Number(await chart.getAttribute('data-escalated')),
        lifted: Number(await chart.getAttribute('data-lifted')),
      });
      await expect
        .poll(drawn, { timeout: 15_000 })
        .toEqual({ yellow: 3, orange: 0, escalated: 3, lifted: 0 });
      await expect
        .poll(() => page.locator('[data-testid="ticker-row"][data-change="escalated"]').count(), {
          timeout: 10_000,
        })
        .toBe(3);
      await expect(
        page.locator('[data-testid="ticker-row"][data-change="escalated"]').first().textContent(),
      ).resolves.toContain('超时升级');
      // The tile counts by the screen's own clock, which ticks once a second.
      await expect
        .poll(() => page.getByTestId('counter-overdue').getAttribute('data-ack-overdue'), { timeout: 5000 })
        .toBe('3');
      expect(errors).toEqual([]);
      await context.close();
    },
    TEST_TIMEOUT,
  );
});
