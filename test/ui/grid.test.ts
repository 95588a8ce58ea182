/**
 * The grid page against the real system: the 7- and 30-day complaint bars are labelled with the
 * days that end today in the province's zone; a KPI chart with one sample shows that sample at its
 * time on a 24 h axis; percentage axes are readable; metrics without a sample say "no data yet".
 * Screenshot docs/screenshots/grid.png.
 */
import { describe, expect, it } from 'vitest';
import { collectPageErrors, complaintNow, RESULTS, SCREENSHOTS, TEST_TIMEOUT, useStack } from './stack.js';

const stack = useStack();

/** `YYYY-MM-DD` of `ms` in Asia/Shanghai (the shipped cadre.yaml timeZone). */
function shanghaiDay(ms: number): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(ms));
}

describe('grid page on the real stack', () => {
  for (const [i, viewport] of [
    { width: 1920, height: 1080 },
    { width: 3840, height: 2160 },
  ].entries())
    it(
      `labels its axes with the right days and times, in the province zone from a UTC browser at ${viewport.width}×${viewport.height}${i === 0 ? ' (screenshot grid.png)' : ''}`,
      async () => {
        const grid = stack.config.topology.grids.filter(
          (g) => g.city === 'CS' && stack.config.topology.elementsOf(g.id).length >= 2,
        )[i]!;
        const cell = stack.config.topology.elementsOf(grid.id)[0]!;
        // One KPI sample, a quarter-hour period that ended before now; congestion past warning.
        const period = 900;
        const start = Math.floor(Date.now() / (period * 1000)) * period * 1000 - period * 1000;
        await stack.publish('kpi', 'CS', {
          ne: cell.id,
          time: new Date(start).toISOString(),
          period,
          metrics: { drop_rate: 0.004, setup_success: 0.992, congestion: 0.08 },
          competitor: { drop_rate: 0.003, setup_success: 0.995, congestion: 0.02 },
        });
        await stack.publish(
          'complaint',
          'CS',
          complaintNow(grid.id, { customer: { id: `g-${i}`, tier: 2 } }),
        );

        const context = await stack.browser.browser.newContext({
          viewport,
          locale: 'zh-CN',
          timezoneId: 'UTC',
        });
        const page = await context.newPage();
        const errors = collectPageErrors(page);
        await page.goto(`${stack.url}/grid/${encodeURIComponent(grid.id)}`, { timeout: 60_000 });
        await page.waitForSelector('[data-testid="grid-page"] [data-testid="grid-level"]', {
          timeout: 60_000,
        });
        await expect
          .poll(async () => page.getByTestId('kpi-drop_rate').getAttribute('data-samples'), {
            timeout: 20_000,
            interval: 500,
          })
          .toBe('1');

        // Complaints per day: the last 7 days ending today (Shanghai), each labelled once, in order.
        const now = Date.now();
        const days = Array.from({ length: 7 }, (_, i) => shanghaiDay(now - (6 - i) * 86_400_000));
        await expect(page.getByTestId('daily-complaints').getAttribute('data-days')).resolves.toBe(
          days.join(','),
        );
        await expect
          .poll(async () => page.getByTestId('daily-chart').getAttribute('data-x-ticks'), { timeout: 10_000 })
          .toBe(days.map((d) => d.slice(5)).join('|'));

        // A one-sample KPI chart: a 24 h axis of real times (not "00:00" at the sample), the sample's time in the head.
        const sampleHm = new Intl.DateTimeFormat('en-GB', {
          timeZone: 'Asia/Shanghai',
          hour: '2-digit',
          minute: '2-digit',
          hourCycle: 'h23',
        }).format(new Date(start));
        await expect(page.getByTestId('kpi-drop_rate').locator('.at').textContent()).resolves.toContain(
          sampleHm,
        );
        const xTicks = (
          (await page.getByTestId('kpi-chart-drop_rate').getAttribute('data-x-ticks')) ?? ''
        ).split('|');
        expect(xTicks.length).toBeGreaterThanOrEqual(3);
        expect(new Set(xTicks).size).toBe(xTicks.length);
        for (const tick of xTicks) expect(tick).toMatch(/^([01]\d|2[0-3]):[0-5]\d$/);
        // The setup-success axis reads as percentages (it was clipped to ".00.0%").
        const yTicks = (
          (await page.getByTestId('kpi-chart-setup_success').getAttribute('data-y-ticks')) ?? ''
        ).split('|');
        expect(yTicks.length).toBeGreaterThanOrEqual(2);
        for (const tick of yTicks) expect(tick).toMatch(/^\d{1,3}(\.\d{1,3})?%$/);
        // Metrics the source never sent say so.
        await expect(page.getByTestId('kpi-dl_mbps').getByTestId('kpi-empty').count()).resolves.toBe(1);
        await expect(page.getByTestId('kpi-mos').getByTestId('kpi-empty').count()).resolves.toBe(1);

        // 30 days: thirty bars, labelled every fifth day and today.
        await page.getByRole('radio', { name: '30 天' }).click();
        await expect
          .poll(
            async () =>
              ((await page.getByTestId('daily-complaints').getAttribute('data-days')) ?? '').split(',')
                .length,
          )
          .toBe(30);
        await page.getByRole('radio', { name: '7 天' }).click();
        await page.waitForTimeout(500);
        if (i === 0) await page.screenshot({ path: `${SCREENSHOTS}/grid.png`, fullPage: true });
        else await page.screenshot({ path: `${RESULTS}/grid-4k.png` });
        expect(errors).toEqual([]);
        await context.close();
      },
      TEST_TIMEOUT,
    );

  it(
    "explains a kpi event by the bad cell's value against its thresholds and the competitor's (GET /api/events/:id/why)",
    async () => {
      const grid = stack.config.topology.grids.filter(
        (g) => g.city === 'CS' && stack.config.topology.elementsOf(g.id).length >= 2,
      )[5]!;
      const cell =
        stack.config.topology.elementsOf(grid.id).find((e) => e.kind === 'cell') ??
        stack.config.topology.elementsOf(grid.id)[0]!;
      const period = 900;
      const last = Math.floor(Date.now() / (period * 1000)) * period * 1000 - period * 1000;
      // Two consecutive samples past critical congestion (0.15); the competitor is fine.
      for (const start of [last - period * 1000, last])
        await stack.publish('kpi', 'CS', {
          ne: cell.id,
          time: new Date(start).toISOString(),
          period,
          metrics: { congestion: 0.21 },
          competitor: { congestion: 0.03 },
        });
      let id = '';
      await expect
        .poll(
          async () => {
            const r = (await (await fetch(`${stack.url}/api/events?grid=${grid.id}&rule=kpi`)).json()) as {
              events: { id: string }[];
            };
            id = r.events[0]?.id ?? '';
            return id;
          },
          { timeout: 30_000 },
        )
        .not.toBe('');
      type Why = {
        level: string;
        reasons: { code: string }[];
        kpi: {
          ne: string;
          metric: string;
          value: number;
          competitor?: number;
          warning: number;
          critical: number;
          basis: string;
        }[];
      };
      let why: Why | undefined;
      // The grid's document (its degraded elements) follows the event's transition by a moment.
      await expect
        .poll(
          async () => {
            why = (
              (await (await fetch(`${stack.url}/api/events/${encodeURIComponent(id)}/why`)).json()) as {
                why: Why;
              }
            ).why;
            return why.kpi.length;
          },
          { timeout: 15_000 },
        )
        .toBe(1);
      if (!why) throw new Error('no why');
      expect(why.reasons.map((r) => r.code)).toContain('kpi.critical');
      expect(why.kpi).toEqual([
        expect.objectContaining({
          ne: cell.id,
          metric: 'congestion',
          value: 0.21,
          competitor: 0.03,
          warning: 0.05,
          critical: 0.15,
          basis: 'critical',
        }),
      ]);
    },
    TEST_TIMEOUT,
  );
});
