/**
 * Screenshots of every screen against a running server (the fixture or a real gateway), for looking
 * at the design: `npx tsx ui/dev/screenshots.ts [http://127.0.0.1:3000]` → test-results/ui-*.png.
 * Logs in as admin/admin (the fixture's user; set CADRE_USER / CADRE_PASSWORD for a real gateway).
 */
import { mkdirSync } from 'node:fs';
import { launchBrowser } from '../../test/helpers/browser.js';

const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const only = process.argv[3];
const out = 'test-results';
mkdirSync(out, { recursive: true });

const browser = await launchBrowser();
const page = await browser.context.newPage();
page.on('console', (m) => m.type() === 'error' && console.error('console:', m.text()));
page.on('pageerror', (e) => console.error('pageerror:', e.message));
const shot = async (name: string) => {
  await page.screenshot({ path: `${out}/ui-${name}.png` });
  console.log(`${out}/ui-${name}.png`);
};

try {
  if (!only || only === 'wall') {
    await page.goto(`${base}/wall`);
    await page.waitForSelector('[data-testid="ticker-row"]');
    await page.waitForTimeout(2500);
    await shot('wall');
    if (process.env.STORM) {
      await page.request.post(`${base}/dev/storm?seconds=20`);
      await page.waitForTimeout(2000);
      // Frames painted and the longest frame gap over 4 s of storm: the wall must stay smooth.
      // A string, not a function: tsx would inject its `__name` helper into a serialized function.
      const fps = (await page.evaluate(`new Promise((resolve) => {
        let frames = 0, worst = 0, last = performance.now();
        const end = last + 4000;
        const step = (now) => {
          frames++;
          worst = Math.max(worst, now - last);
          last = now;
          if (now < end) requestAnimationFrame(step);
          else resolve({ frames, worstGapMs: Math.round(worst) });
        };
        requestAnimationFrame(step);
      })`)) as { frames: number; worstGapMs: number };
      console.log('storm: frames in 4 s', fps.frames, 'worst frame gap ms', fps.worstGapMs);
      await shot('wall-storm');
      await page.request.post(`${base}/dev/calm`);
    }
  }
  if (!only || only === 'desk') {
    await page.setViewportSize({ width: 1600, height: 960 });
    await page.goto(`${base}/login?next=/desk`);
    await shot('login');
    await page.fill('[data-testid="login-username"]', process.env.CADRE_USER ?? 'admin');
    await page.fill('[data-testid="login-password"]', process.env.CADRE_PASSWORD ?? 'admin');
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="event-row"]');
    await page.waitForTimeout(1000);
    await shot('desk');
    await page.click('[data-testid="event-row"][data-rule="complaint"]');
    await page.waitForSelector('[data-testid="event-detail"]');
    await page.waitForTimeout(1200);
    await shot('desk-detail');
    const resolve = page.locator('[data-testid="action-resolve"]');
    if (await resolve.count()) {
      await resolve.click();
      await page.click('[data-testid="action-resolve-submit"]');
      await page.waitForTimeout(800);
      await shot('desk-resolve');
    }
    const gridLink = page.locator('[data-testid="open-grid"]');
    if (await gridLink.count()) {
      await gridLink.click();
      await page.waitForSelector('[data-testid="grid-page"]');
      await page.waitForTimeout(1200);
      await shot('grid');
    }
  }
} finally {
  await browser.close();
}
