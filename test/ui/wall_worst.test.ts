/**
 * The wall's worst ten against the real system: complaints published on NATS (some dated in the
 * previous 7 days, which `maxAge: 20d` lets in) move the grids' composite scores, and the wall lists
 * the grids in the order `GET /api/scorecards?period=P7D&sort=score&limit=10` ranks them, each with
 * its score, its trend (▲ worse / ▼ better, with the change) and its live level; `?city=` ranks one
 * city's grids. Screenshot `test-results/wall-worst.png`.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ScorecardLine } from '../../ui/src/lib/scorecard.js';
import { trendView, worstByScore } from '../../ui/src/lib/wall.js';
import { collectPageErrors, complaintNow, RESULTS, TEST_TIMEOUT, useStack } from './stack.js';

const stack = useStack({ rules: { maxAge: '20d' } });
const DAY = 86_400_000;

async function ranking(city?: string): Promise<ScorecardLine[]> {
  const res = await fetch(
    `${stack.url}/api/scorecards?period=P7D&sort=score&limit=10${city ? `&city=${city}` : ''}`,
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { scorecards: ScorecardLine[] }).scorecards;
}

interface Row {
  grid: string;
  level: string;
  score: string;
  trend: string;
  dir: string;
  shownScore: string;
  shownTrend: string;
}

/** The worst list's rows as the page shows them, top to bottom. */
function rowsOf(page: Page): Promise<Row[]> {
  return page.evaluate(`[...document.querySelectorAll('[data-testid="worst-grid"]')].map((r) => ({
    grid: r.dataset.gridId, level: r.dataset.level, score: r.dataset.score, trend: r.dataset.trend,
    dir: r.querySelector('[data-testid="worst-trend"]').dataset.dir,
    shownScore: r.querySelector('[data-testid="worst-score"]').textContent.trim(),
    shownTrend: r.querySelector('[data-testid="worst-trend"]').textContent.trim(),
  }))`);
}

/** Polls until the page's rows are the API's ranking (both read in one round), and returns both. */
async function sameAsApi(page: Page, city?: string): Promise<{ rows: Row[]; api: ScorecardLine[] }> {
  let last = { rows: [] as Row[], api: [] as ScorecardLine[] };
  await expect
    .poll(
      async () => {
        const api = await ranking(city);
        const rows = await rowsOf(page);
        last = { rows, api };
        return (
          rows.length > 0 &&
          rows.map((r) => r.grid).join() ===
            worstByScore(api, rows.length)
              .map((l) => l.grid)
              .join()
        );
      },
      { timeout: 40_000, interval: 500 },
    )
    .toBe(true);
  return last;
}

describe('the wall ranks the worst grids by composite score', () => {
  it(
    'lists the API ranking with score, trend and live level; one city with ?city= (1920×1080)',
    async () => {
      const cs = stack.config.topology.grids.filter((g) => g.city === 'CS');
      const xt = stack.config.topology.grids.filter((g) => g.city === 'XT');
      const better = cs[40]!.id;
      const now = Date.now();
      // The grid that got better: four complaints 10 days ago (the previous 7 days), one now.
      for (let i = 0; i < 4; i++)
        await stack.publish(
          'complaint',
          'CS',
          complaintNow(better, { time: new Date(now - 10 * DAY + i * 60_000).toISOString() }),
        );
      await stack.publish('complaint', 'CS', complaintNow(better));
      // Grids that got worse (nothing before): one to four complaints each, one a media complaint (red).
      const worseGrids = [cs[41]!, cs[42]!, cs[43]!, xt[3]!, xt[4]!];
      const worse = worseGrids.map((g) => g.id);
      for (const [i, grid] of worseGrids.entries())
        for (let n = 0; n <= i % 4; n++)
          await stack.publish(
            'complaint',
            grid.city,
            complaintNow(grid.id, i === 0 && n === 0 ? { media: true } : {}),
          );

      const context = await stack.browser.browser.newContext({ viewport: { width: 1920, height: 1080 } });
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      await page.goto(`${stack.url}/wall`, { timeout: 60_000 });
      await page.waitForSelector('[data-testid="connection-state"][data-state="connected"]', {
        timeout: 60_000,
      });

      // Every grid published to is ranked, by the API and on the wall alike.
      await expect
        .poll(async () => new Set((await ranking()).filter((l) => l.score > 0).map((l) => l.grid)).size, {
          timeout: 30_000,
          interval: 1000,
        })
        .toBe(6);
      const { rows, api } = await sameAsApi(page);
      expect(rows.length).toBe(6);
      const byGrid = new Map(api.map((l) => [l.grid, l]));
      for (const row of rows) {
        const line = byGrid.get(row.grid)!;
        expect(Number(row.score)).toBe(line.score);
        expect(row.trend).toBe(line.trend === null ? '' : String(line.trend));
        expect(row.shownTrend).toBe(trendView(line.trend).text);
        expect(row.shownScore).toBe(line.score.toFixed(1));
      }
      // Nothing before: the score's trend is the whole score, up.
      const worseRows = rows.filter((r) => worse.includes(r.grid));
      expect(worseRows.map((r) => r.dir)).toEqual(worseRows.map(() => 'up'));
      for (const r of worseRows) expect(r.shownTrend).toMatch(/^▲ \d/);
      // Four complaints the week before, one now: down.
      const betterLine = byGrid.get(better)!;
      console.log(`worst list: ${rows.map((r) => `${r.grid} ${r.shownScore} ${r.shownTrend}`).join(' | ')}`);
      expect(betterLine.trend).not.toBeNull();
      expect(betterLine.trend!).toBeLessThan(0);
      expect(rows.find((r) => r.grid === better)!.shownTrend).toMatch(/^▼ \d/);
      // The live level beside each: the media complaint's grid is red, every grid has an event.
      expect(rows.find((r) => r.grid === worse[0])!.level).toBe('red');
      for (const r of rows) expect(['red', 'orange', 'yellow', 'blue']).toContain(r.level);
      await page.screenshot({ path: `${RESULTS}/wall-worst.png` });

      // One city: that city's ranking only.
      await page.goto(`${stack.url}/wall?city=XT`, { timeout: 60_000 });
      const xtOnly = await sameAsApi(page, 'XT');
      expect(xtOnly.rows.map((r) => r.grid).sort()).toEqual(
        xt
          .slice(3, 5)
          .map((g) => g.id)
          .sort(),
      );
      expect(errors).toEqual([]);
      await context.close();
    },
    TEST_TIMEOUT,
  );

  it(
    'says so while no grid has anything against it',
    async () => {
      const context = await stack.browser.browser.newContext({ viewport: { width: 1920, height: 1080 } });
      const page = await context.newPage();
      // A city nobody published to.
      await page.goto(`${stack.url}/wall?city=CZ`, { timeout: 60_000 });
      await page.waitForSelector('[data-testid="worst-grids"][data-state="empty"]', { timeout: 60_000 });
      await expect(page.getByTestId('worst-grids').textContent()).resolves.toContain(
        '近 7 天没有投诉或超时的网格',
      );
      await context.close();
    },
    TEST_TIMEOUT,
  );
});
