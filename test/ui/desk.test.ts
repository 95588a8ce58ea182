/**
 * The dispatch desk against the real system: a dispatcher acknowledges and resolves a complaint event
 * while a second desk watches it happen live; a resolve refused for uncleared alarms names them; a
 * viewer gets no actions, and the API refuses the viewer too.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import type { Alarm } from '../../shared/schemas.js';
import {
  collectPageErrors,
  complaintNow,
  logIn,
  PASSWORD,
  RESULTS,
  SCREENSHOTS,
  TEST_TIMEOUT,
  USERS,
  useStack,
} from './stack.js';

const stack = useStack();
const DESK = { width: 1600, height: 960 };

function gridOf(index: number): string {
  return stack.config.topology.grids.filter((g) => g.city === 'CS')[index]!.id;
}

/** A logged-in desk in its own browser context (its own session). */
async function openDesk(user: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await stack.browser.newContext({ viewport: DESK });
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await logIn(page, stack.url, user);
  await page.waitForSelector('[data-testid="connection-state"][data-state="connected"]', { timeout: 60_000 });
  return { context, page, errors };
}

/** The id of the grid's active event as the desk lists it (waits for it to arrive live). */
async function eventRowOf(page: Page, grid: string): Promise<string> {
  const row = page.locator(`[data-testid="event-row"][data-event-id^="${grid}."]`);
  await row.waitFor({ timeout: 30_000 });
  return (await row.getAttribute('data-event-id'))!;
}

async function select(page: Page, eventId: string): Promise<void> {
  await page.locator(`[data-testid="event-row"][data-event-id="${eventId}"]`).click();
  await page.waitForSelector(
    `[data-testid="event-detail"][data-event-id="${eventId}"] [data-testid="detail-state"]`,
    { timeout: 30_000 },
  );
}

const detailState = (page: Page) => page.getByTestId('detail-state');

/** The id of the grid's active event, from the API (polls until the processor has opened it). */
async function activeEventOf(grid: string): Promise<string> {
  let id = '';
  await expect
    .poll(
      async () => {
        const r = (await (await fetch(`${stack.url}/api/events?grid=${grid}`)).json()) as {
          events: { id: string }[];
        };
        id = r.events[0]?.id ?? '';
        return id;
      },
      { timeout: 30_000 },
    )
    .not.toBe('');
  return id;
}

/** A link to the event opened without a session: the login, then that very event's detail. */
async function deepLinkAfterLogin(
  id: string,
  viewport: { width: number; height: number },
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await stack.browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(`${stack.url}/desk?event=${encodeURIComponent(id)}`, { timeout: 60_000 });
  await expect.poll(() => new URL(page.url()).pathname, { timeout: 30_000 }).toBe('/login');
  await page.getByTestId('login-username').fill(USERS.dispatcher);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((u) => u.pathname === '/desk' && u.searchParams.get('event') === id, {
    timeout: 30_000,
  });
  await page.waitForSelector(
    `[data-testid="event-detail"][data-event-id="${id}"] [data-testid="detail-state"]`,
    { timeout: 30_000 },
  );
  return { context, page, errors };
}

describe('dispatch desk on the real stack', () => {
  it(
    'acknowledges and resolves an event; a second desk sees both live',
    async () => {
      const grid = gridOf(40);
      const a = await openDesk(USERS.dispatcher);
      const b = await openDesk(USERS.dispatcher2);
      await stack.publish('complaint', 'CS', complaintNow(grid));
      const id = await eventRowOf(a.page, grid);
      expect(await eventRowOf(b.page, grid)).toBe(id);
      await select(a.page, id);
      await select(b.page, id);
      await expect(detailState(b.page).getAttribute('data-state')).resolves.toBe('open');

      await a.page.getByTestId('action-ack').click();
      await a.page.waitForSelector('[data-testid="detail-state"][data-state="acknowledged"]', {
        timeout: 30_000,
      });
      // Desk B did nothing: the list row and the open detail follow the live feed.
      await b.page.waitForSelector(
        `[data-testid="event-row"][data-event-id="${id}"][data-state="acknowledged"]`,
        { timeout: 30_000 },
      );
      await b.page.waitForSelector('[data-testid="detail-state"][data-state="acknowledged"]', {
        timeout: 30_000,
      });

      await a.page.getByTestId('action-resolve').click();
      await a.page.getByTestId('action-resolve-note').fill('coverage restored, customer called back');
      await a.page.getByTestId('action-resolve-submit').click();
      await a.page.waitForSelector('[data-testid="detail-state"][data-state="resolved"]', {
        timeout: 30_000,
      });
      await b.page.waitForSelector('[data-testid="detail-state"][data-state="resolved"]', {
        timeout: 30_000,
      });
      await b.page
        .locator(`[data-testid="event-row"][data-event-id="${id}"]`)
        .waitFor({ state: 'detached', timeout: 30_000 });

      expect([...a.errors, ...b.errors]).toEqual([]);
      await a.context.close();
      await b.context.close();
    },
    TEST_TIMEOUT,
  );

  it(
    'refuses to resolve while an alarm that was active at the complaint is uncleared, and names it (screenshot desk.png)',
    async () => {
      const grid = gridOf(90);
      const element = stack.config.topology.elements.find((e) => e.grid === grid)!.id;
      const alarm: Alarm = {
        id: `ui-alarm-${process.pid}`,
        ne: element,
        severity: 4,
        category: 'performance',
        code: 'HIGH_TEMPERATURE',
        state: 'raised',
        time: new Date(Date.now() - 2000).toISOString(),
        text: 'cabinet temperature high',
      };
      await stack.publish('alarm', 'CS', alarm);
      await stack.publish(
        'complaint',
        'CS',
        complaintNow(grid, { customer: { id: 'vip-409', tier: 1 }, category: 'voice' }),
      );

      const { context, page, errors } = await openDesk(USERS.dispatcher);
      const id = await eventRowOf(page, grid);
      await select(page, id);
      await page.waitForSelector(`[data-testid="alarm-row"][data-alarm-id="${alarm.id}"]`, {
        timeout: 30_000,
      });
      await page.getByTestId('action-resolve').click();
      await page.getByTestId('action-resolve-submit').click();
      const conflict = page.getByTestId('resolve-conflict');
      await conflict.waitFor({ timeout: 30_000 });
      await expect(
        conflict
          .locator('li[data-alarm-id]')
          .evaluateAll((items) => items.map((li) => li.getAttribute('data-alarm-id'))),
      ).resolves.toEqual([alarm.id]);
      await expect(detailState(page).getAttribute('data-state')).resolves.toBe('open');
      await page.screenshot({ path: `${RESULTS}/desk.png` });
      expect(errors).toEqual([]);
      await context.close();
    },
    TEST_TIMEOUT,
  );

  it(
    'shows a viewer no actions, and the API refuses the viewer with 403',
    async () => {
      const grid = gridOf(200);
      await stack.publish('complaint', 'CS', complaintNow(grid));
      const { context, page, errors } = await openDesk(USERS.viewer);
      const id = await eventRowOf(page, grid);
      await select(page, id);
      await expect(page.getByTestId('actions').count()).resolves.toBe(0);
      await expect(page.getByTestId('action-ack').count()).resolves.toBe(0);

      // The viewer's own token, as the UI keeps it, straight at the API.
      const session = JSON.parse(
        (await page.evaluate('localStorage.getItem("cadre.session")')) as string,
      ) as { token: string };
      const res = await fetch(`${stack.url}/api/events/${encodeURIComponent(id)}/ack`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(403);
      await expect(detailState(page).getAttribute('data-state')).resolves.toBe('open');
      expect(errors).toEqual([]);
      await context.close();
    },
    TEST_TIMEOUT,
  );

  it(
    'opens /desk?event=ID after the login it leads to; says why; assigns from the configured list; the history says what changed (screenshots desk.png, desk-1366.png)',
    async () => {
      const grid = gridOf(130);
      const element = stack.config.topology.elements.find((e) => e.grid === grid)!.id;
      await stack.publish('alarm', 'CS', {
        id: `ui-alarm-why-${process.pid}`,
        ne: element,
        severity: 3,
        category: 'fault',
        code: 'VSWR_ALARM_WITH_A_LONG_NAME',
        state: 'raised',
        time: new Date(Date.now() - 3000).toISOString(),
      });
      await stack.publish(
        'complaint',
        'CS',
        complaintNow(grid, { customer: { id: 'why-1', tier: 2 }, category: 'voice' }),
      );
      const id = await activeEventOf(grid);
      await stack.publish('complaint', 'CS', complaintNow(grid, { customer: { id: 'why-2', tier: 4 } }));

      // A link to the event, opened without a session: login, then that very event.
      const { context, page, errors } = await deepLinkAfterLogin(id, { width: 1920, height: 1080 });

      // Why: the tier-2 customer's complaint makes it orange; the deadlines name their table.
      await page.waitForSelector('[data-testid="why-reason"][data-code="complaint.tier"]', {
        timeout: 30_000,
      });
      await expect(page.getByTestId('why-ack').getAttribute('data-basis')).resolves.toBe('ack.other');
      await expect(page.getByTestId('why-fix').getAttribute('data-basis')).resolves.toBe('fix.tier2');
      // The history says what the second complaint changed.
      await expect
        .poll(async () => (await page.getByTestId('history-diff').allTextContents()).join(' '), {
          timeout: 30_000,
        })
        .toContain('+1 条投诉');

      // Assign from the configured teams and people of the city.
      await page.getByTestId('action-assign').click();
      const options = await page.getByTestId('action-assign-pick').locator('option').allTextContents();
      expect(options.join('|')).toContain('长沙芙蓉网格组');
      expect(options.join('|')).not.toContain('湘潭网格组');
      await page.getByTestId('action-assign-pick').selectOption('长沙芙蓉网格组');
      await page.getByTestId('action-assign-submit').click();
      await page.waitForSelector('[data-testid="history-row"][data-transition="assigned"]', {
        timeout: 30_000,
      });
      await page.waitForSelector(`[data-testid="alarm-row"][data-alarm-id="ui-alarm-why-${process.pid}"]`, {
        timeout: 30_000,
      });
      await page.screenshot({ path: `${SCREENSHOTS}/desk.png` });

      // 1366×768: alarm cells stay on one line (they wrapped into columns of characters).
      await page.setViewportSize({ width: 1366, height: 768 });
      await page.waitForTimeout(500);
      const row = page.locator('[data-testid="alarm-row"]').first();
      const height = (await row.boundingBox())!.height;
      const fontPx = Number(await row.evaluate((el) => parseFloat(getComputedStyle(el).fontSize)));
      expect(height).toBeLessThan(fontPx * 3);
      await page.screenshot({ path: `${SCREENSHOTS}/desk-1366.png` });
      expect(errors).toEqual([]);
      await context.close();
    },
    TEST_TIMEOUT,
  );

  it(
    'opens /desk?event=ID after the login at 3840×2160 too',
    async () => {
      const grid = gridOf(140);
      await stack.publish('complaint', 'CS', complaintNow(grid, { customer: { id: 'deep-4k', tier: 1 } }));
      const id = await activeEventOf(grid);
      const { context, page, errors } = await deepLinkAfterLogin(id, { width: 3840, height: 2160 });
      await expect(page.getByTestId('why-ack').getAttribute('data-basis')).resolves.toBe('ack.tier1');
      expect(new URL(page.url()).searchParams.get('event')).toBe(id);
      expect(errors).toEqual([]);
      await context.close();
    },
    TEST_TIMEOUT,
  );
});
