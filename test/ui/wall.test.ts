/**
 * The wall screen against the real system: a complaint published on NATS turns its grid red on the
 * map within 2 s; the events chart counts openings apart from lifts and agrees with GET /api/activity;
 * no text is below the documented minimum at 1920×1080 and 3840×2160 and no row is cut; the wall is
 * photographed in Chinese, in English and at 4K (docs/screenshots/).
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Activity } from '../../ui/src/lib/types.js';
import { collectPageErrors, complaintNow, RESULTS, SCREENSHOTS, TEST_TIMEOUT, useStack } from './stack.js';
import { checkWallText } from './wall_checks.js';

const stack = useStack();

/** The first grid of a city (by topology order) that no other test of this file uses. */
function gridOf(city: string, index = 0): string {
  return stack.config.topology.grids.filter((g) => g.city === city)[index]!.id;
}

async function openWall(page: Page, query = ''): Promise<void> {
  await page.goto(`${stack.url}/wall${query}`, { timeout: 60_000 });
  await page.waitForSelector('[data-testid="grid-map"]:not([data-drawn="0"])', { timeout: 60_000 });
  await page.waitForSelector('[data-testid="connection-state"][data-state="connected"]', { timeout: 60_000 });
}

async function activity(): Promise<Activity> {
  const res = await fetch(`${stack.url}/api/activity`);
  expect(res.status).toBe(200);
  return (await res.json()) as Activity;
}

/** The events chart's sums as the page draws them. */
async function chartTotals(page: Page) {
  const chart = page.getByTestId('events-chart');
  const read = async (name: string) => Number(await chart.getAttribute(name));
  return {
    opened: {
      red: await read('data-opened-red'),
      orange: await read('data-opened-orange'),
      yellow: await read('data-opened-yellow'),
      blue: await read('data-opened-blue'),
    },
    escalated: await read('data-escalated'),
    lifted: await read('data-lifted'),
  };
}

const sum = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);

describe('wall screen on the real stack', () => {
  it(
    'turns a grid red within 2 s of a media complaint published on NATS',
    async () => {
      const page = await stack.browser.context.newPage();
      const errors = collectPageErrors(page);
      await openWall(page);
      const map = page.getByTestId('grid-map');
      await expect(map.getAttribute('data-red')).resolves.toBe('0');

      // The page notes (wall clock) when the map first draws a red grid; same machine, same clock.
      await page.evaluate(`(() => {
      const map = document.querySelector('[data-testid="grid-map"]');
      const seen = () => { if (Number(map.dataset.red) > 0 && !window.__redAt) window.__redAt = Date.now(); };
      new MutationObserver(seen).observe(map, { attributes: true, attributeFilter: ['data-red'] });
    })()`);
      const grid = gridOf('CS');
      const publishedAt = Date.now();
      await stack.publish('complaint', 'CS', complaintNow(grid, { media: true }));
      // Polled from here (the page's CSP forbids waitForFunction's eval); the page holds the exact time.
      await expect
        .poll(() => page.evaluate('window.__redAt'), { timeout: 15_000, interval: 100 })
        .toBeTruthy();
      const redAt = (await page.evaluate('window.__redAt')) as number;
      const latencyMs = redAt - publishedAt;
      console.log(`publish → red on the wall map: ${latencyMs} ms`);
      expect(latencyMs).toBeLessThan(2000);

      await expect(map.getAttribute('data-red')).resolves.toBe('1');
      await expect(
        page.locator('[data-testid="map-city"][data-city="CS"]').getAttribute('data-red'),
      ).resolves.toBe('1');
      await page.waitForSelector(`[data-testid="worst-grid"][data-grid-id="${grid}"][data-level="red"]`);
      await page.waitForSelector('[data-testid="counter-red"][data-count="1"]');
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT,
  );

  it(
    'counts openings apart from lifts in the events chart, as GET /api/activity does; the ticker says "橙→红"',
    async () => {
      const page = await stack.browser.context.newPage();
      const errors = collectPageErrors(page);
      await openWall(page);
      const grids = [200, 201, 202, 203].map((i) => gridOf('CS', i));
      const before = await activity();
      // Four tier-2 complaints: four orange events opened.
      for (const grid of grids)
        await stack.publish(
          'complaint',
          'CS',
          complaintNow(grid, { customer: { id: `t2-${grid}`, tier: 2 } }),
        );
      await expect
        .poll(async () => (await activity()).totals.opened.orange - before.totals.opened.orange, {
          timeout: 20_000,
        })
        .toBe(4);
      // A media complaint in each: the same four events lift to red — no new red event opens.
      for (const grid of grids) await stack.publish('complaint', 'CS', complaintNow(grid, { media: true }));
      await expect
        .poll(async () => sum((await activity()).totals.lifted) - sum(before.totals.lifted), {
          timeout: 20_000,
        })
        .toBe(4);
      const after = await activity();
      expect(after.totals.lifted.red - before.totals.lifted.red).toBe(4);
      expect(after.totals.opened.red).toBe(before.totals.opened.red);
      expect(sum(after.totals.escalated)).toBe(sum(before.totals.escalated));

      // The chart draws what the API says (its current minute comes with each stats push).
      await expect
        .poll(async () => chartTotals(page), { timeout: 15_000, interval: 250 })
        .toEqual({
          opened: after.totals.opened,
          escalated: sum(after.totals.escalated),
          lifted: sum(after.totals.lifted),
        });
      const lifted = page.locator('[data-testid="ticker-row"][data-change="lifted"][data-level="red"]');
      await expect.poll(() => lifted.count(), { timeout: 10_000 }).toBe(4);
      await expect(
        page.locator('[data-testid="ticker-row"][data-change="lifted"]').first().textContent(),
      ).resolves.toContain('橙→红');
      await page.waitForSelector('[data-testid="counter-red"][data-count="5"]');
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT,
  );

  it(
    'shows every level in several cities with no text below the minimum at 1920×1080 (screenshots wall-zh-CN.png, wall-en.png)',
    async () => {
      const page = await stack.browser.context.newPage();
      const errors = collectPageErrors(page);
      await openWall(page);
      const inputs = [
        { city: 'CS', grid: gridOf('CS', 120), extra: { customer: { id: 'vip-1', tier: 1 as const } } },
        { city: 'CS', grid: gridOf('CS', 260), extra: {} },
        { city: 'CS', grid: gridOf('CS', 330), extra: { media: true } },
        { city: 'XT', grid: gridOf('XT', 5), extra: { escalated: true } },
        { city: 'ZZ', grid: gridOf('ZZ', 20), extra: {} },
        { city: 'HY', grid: gridOf('HY', 10), extra: { media: true } },
        { city: 'YY', grid: gridOf('YY', 3), extra: { customer: { id: 'vip-2', tier: 2 as const } } },
        { city: 'CD', grid: gridOf('CD', 12), extra: {} },
        { city: 'CZ', grid: gridOf('CZ', 7), extra: { category: 'coverage' as const } },
      ];
      for (const { city, grid, extra } of inputs)
        await stack.publish('complaint', city, complaintNow(grid, extra));
      // Earlier tests' five red grids plus these: 7 red, 3 orange, 4 yellow.
      await page.waitForSelector('[data-testid="grid-map"][data-red="7"][data-orange="3"][data-yellow="4"]', {
        timeout: 30_000,
      });
      await page.waitForSelector('[data-testid="map-city"][data-city="HY"][data-red="1"]');
      // Every clock on the wall is the province's (cadre.yaml timeZone), whatever the browser's zone.
      await expect(page.getByTestId('clock').getAttribute('data-zone')).resolves.toBe('Asia/Shanghai');
      await expect(page.getByTestId('clock-zone').textContent()).resolves.toBe('UTC+8');
      await page.waitForTimeout(1500);

      const zh = await checkWallText(page);
      console.log(
        `wall 1920×1080: min text ${zh.min} px, map labels ${zh.labelPx} px, chart ticks ${zh.chartPx} px`,
      );
      expect(zh.min).toBeGreaterThanOrEqual(26.8);
      expect(zh.small).toEqual([]);
      expect(zh.labelPx).toBeGreaterThanOrEqual(zh.min);
      expect(zh.chartPx).toBeGreaterThanOrEqual(zh.min);
      expect(zh.rows).toBeGreaterThan(0);
      expect(zh.cutRows).toBe(0);
      await page.screenshot({ path: `${SCREENSHOTS}/wall-zh-CN.png` });
      await page
        .locator('[data-testid="map-city"][data-city="YY"]')
        .screenshot({ path: `${RESULTS}/wall-yueyang.png` });

      await page.getByTestId('lang-switch').click();
      await page.waitForTimeout(800);
      const en = await checkWallText(page);
      expect(en.small).toEqual([]);
      expect(en.cutRows).toBe(0);
      await expect(page.getByTestId('wall-scope').textContent()).resolves.not.toMatch(/\b1 grids\b/);
      await page.screenshot({ path: `${SCREENSHOTS}/wall-en.png` });
      await page.getByTestId('lang-switch').click();
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT,
  );

  it(
    'keeps every text above the minimum at 3840×2160 in a UTC browser, kiosk mode (screenshot wall-4k.png)',
    async () => {
      const context = await stack.browser.browser.newContext({
        viewport: { width: 3840, height: 2160 },
        locale: 'zh-CN',
        timezoneId: 'UTC',
      });
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      await openWall(page, '?kiosk&rotate=5');
      await page.waitForTimeout(1500);
      const k = await checkWallText(page);
      console.log(
        `wall 3840×2160: min text ${k.min} px, map labels ${k.labelPx} px, chart ticks ${k.chartPx} px`,
      );
      expect(k.min).toBeGreaterThanOrEqual(53.7);
      expect(k.small).toEqual([]);
      expect(k.labelPx).toBeGreaterThanOrEqual(k.min);
      expect(k.chartPx).toBeGreaterThanOrEqual(k.min);
      expect(k.cutRows).toBe(0);
      // A UTC browser shows the province's time: the clock's hour is Shanghai's.
      const shown = (await page.getByTestId('clock').textContent()) ?? '';
      const shanghaiHour = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Asia/Shanghai',
        hour: '2-digit',
        hourCycle: 'h23',
      }).format(new Date());
      expect(shown).toContain(`${shanghaiHour}:`);
      expect(shown).toContain('UTC+8');
      await expect(page.getByTestId('lang-switch').count()).resolves.toBe(0);
      await page.screenshot({ path: `${SCREENSHOTS}/wall-4k.png` });
      // Rotation: province → each city, every 5 s here.
      const cityNames = stack.config.topology.cities.map((c) => c.name);
      await expect
        .poll(
          async () => {
            const scope = (await page.getByTestId('wall-scope').textContent()) ?? '';
            return cityNames.some((n) => scope.startsWith(n));
          },
          { timeout: 12_000 },
        )
        .toBe(true);
      expect(errors).toEqual([]);
      await context.close();
    },
    TEST_TIMEOUT,
  );

  it(
    'keeps every text above the minimum and no row cut at 1366×768 (zh-CN and English)',
    async () => {
      const context = await stack.browser.newContext({ viewport: { width: 1366, height: 768 } });
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      await openWall(page);
      await page.waitForTimeout(1000);
      for (const lang of ['zh-CN', 'en']) {
        const c = await checkWallText(page);
        expect(c.small, lang).toEqual([]);
        expect(c.cutRows, lang).toBe(0);
        await page.getByTestId('lang-switch').click();
        await page.waitForTimeout(500);
      }
      expect(errors).toEqual([]);
      await context.close();
    },
    TEST_TIMEOUT,
  );

  it(
    'answers an unknown page with the app saying so (404), and an unknown API path with JSON',
    async () => {
      const page = await stack.browser.context.newPage();
      const errors = collectPageErrors(page);
      const res = await page.goto(`${stack.url}/no-such-screen`, { timeout: 60_000 });
      expect(res?.status()).toBe(404);
      await expect(page.locator('main.notfound h1').textContent()).resolves.toBe('页面不存在');
      await expect(page.locator('main.notfound a[href="/wall"]').count()).resolves.toBe(1);
      const api = await fetch(`${stack.url}/api/no-such-route`, { headers: { accept: 'text/html' } });
      expect(api.status).toBe(404);
      expect(((await api.json()) as { error: string }).error).toBe('CADRE_ERR_NOT_FOUND');
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT,
  );
});
