/**
 * The wall screen against the real system: a complaint published on NATS turns its grid red on the
 * map within 2 s, and the wall is photographed with events of every kind on it.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { collectPageErrors, complaintNow, RESULTS, TEST_TIMEOUT, useStack } from './stack.js';

const stack = useStack();

/** The first grid of a city (by topology order) that no other test of this file uses. */
function gridOf(city: string, index = 0): string {
  return stack.config.topology.grids.filter((g) => g.city === city)[index]!.id;
}

async function openWall(page: Page): Promise<void> {
  await page.goto(`${stack.url}/wall`, { timeout: 60_000 });
  await page.waitForSelector('[data-testid="grid-map"]:not([data-drawn="0"])', { timeout: 60_000 });
  await page.waitForSelector('[data-testid="connection-state"][data-state="connected"]', { timeout: 60_000 });
}

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
    'shows every level in several cities (screenshot test-results/wall.png)',
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
      // The first test's red grid plus these: 3 red, 3 orange, 4 yellow.
      await page.waitForSelector('[data-testid="grid-map"][data-red="3"][data-orange="3"][data-yellow="4"]', {
        timeout: 30_000,
      });
      await page.waitForSelector('[data-testid="map-city"][data-city="HY"][data-red="1"]');
      await page.screenshot({ path: `${RESULTS}/wall.png` });
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT,
  );
});
