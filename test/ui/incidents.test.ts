/**
 * Incidents on the desk and the wall, against the real stack (CONTRACT.md "Incidents", issue 16):
 * the simulator's ring failure of one district (sim's stormEpisodes, every alarm at one instant so
 * their debounces end together; a 1 s outage debounce) shows on the desk as one incident row with
 * every grid of the district folded under it, the ring as its root; one bulk acknowledge reaches
 * every grid's event (the API says so, each with the dispatcher) and a second desk sees it live; a
 * bulk assign from the configured list; a resolve refused while the alarms are raised lists them; a
 * complaint in one of the grids links the outage and the incident that explain it; the wall says
 * "1 起故障 · N 个网格" on its red tile and in its ticker.
 * Screenshot: docs/screenshots/desk-incident.png.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import type { Alarm, IncidentTransition } from '../../shared/schemas.js';
import type { EventDoc } from '../../shared/views.js';
import { stormEpisodes } from '../../sim/alarm_model.js';
import { NetworkIndex } from '../../sim/network_index.js';
import { Rng } from '../../sim/random.js';
import {
  collectPageErrors,
  complaintNow,
  logIn,
  PASSWORD,
  RESULTS,
  SCREENSHOTS,
  USERS,
  useStack,
} from './stack.js';

const stack = useStack({
  // The test waits seconds, not the shipped minute.
  configFiles: () => ({ 'rules.yaml': JSON.stringify({ outage: { debounce: '1s' } }) }),
});
const DESK = { width: 1600, height: 960 };
const WAIT = { timeout: 30_000 };

async function openDesk(user: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await stack.browser.newContext({ viewport: DESK });
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await logIn(page, stack.url, user);
  await page.waitForSelector('[data-testid="connection-state"][data-state="connected"]', WAIT);
  return { context, page, errors };
}

async function api<T>(path: string, token: string): Promise<T> {
  const res = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

async function login(user: string): Promise<string> {
  const res = await fetch(`${stack.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user, password: PASSWORD }),
  });
  return ((await res.json()) as { token: string }).token;
}

describe('incidents on the desk and the wall', () => {
  it('a ring failure is one incident row with every grid; a bulk acknowledge reaches every grid event and a second desk sees it live (screenshot desk-incident.png)', async () => {
    const index = new NetworkIndex(stack.config.topology);
    const district = index.districts.find((d) => d.city === 'CS' && d.name === '芙蓉区')!;
    const grids = district.grids.map((g) => g.id);
    const ring = index.ofGrid(grids[0]!, 'transport')[0]!.id;

    const a = await openDesk(USERS.dispatcher);
    const b = await openDesk(USERS.dispatcher2);
    // A wall open through the storm: the live path (incident transitions in `events` batches).
    const wall = await b.context.newPage();
    const wallErrors = collectPageErrors(wall);
    await wall.goto(`${stack.url}/wall`);
    await wall.waitForSelector('[data-testid="connection-state"][data-state="connected"]', WAIT);

    // The simulator's storm of the district, every alarm raised at one instant (an NMS reporting a cut).
    const time = new Date().toISOString();
    const alarms: Alarm[] = stormEpisodes(
      index,
      district,
      Date.parse(time),
      3_600_000,
      Rng.of(16, 'ui'),
      `UI-STORM-${process.pid}`,
    ).map((ep) => ({
      id: ep.id,
      ne: ep.ne,
      code: ep.code,
      severity: ep.severity,
      category: ep.category,
      state: 'raised',
      time,
      text: ep.text,
    }));
    for (let i = 0; i < alarms.length; i += 200)
      await Promise.all(alarms.slice(i, i + 200).map((al) => stack.publish('alarm', 'CS', al)));

    // Desk A: one incident row, every grid of the district in it, the ring its root; nothing loose.
    const row = a.page.locator(`[data-testid="incident-row"][data-grids="${grids.length}"]`);
    await row.waitFor(WAIT);
    await expect(a.page.getByTestId('incident-row').count()).resolves.toBe(1);
    const id = (await row.getAttribute('data-incident-id'))!;
    await a.page.waitForSelector(`[data-testid="incident-row"][data-events="${grids.length}"]`, WAIT);
    await expect(row.getByTestId('incident-row-root').textContent()).resolves.toContain(ring);
    await expect(a.page.locator('[data-testid="event-row"][data-rule="outage"]').count()).resolves.toBe(0);
    await row.getByTestId('incident-toggle').click();
    await expect(a.page.locator(`[data-testid="event-row"][data-incident-id="${id}"]`).count()).resolves.toBe(
      grids.length,
    );
    await expect(
      a.page.getByTestId('event-incident-link').first().getAttribute('data-incident-id'),
    ).resolves.toBe(id);
    // Folded again, its events go; unfolded, they are back (and in the screenshot below).
    const itsEvents = `[data-testid="event-row"][data-incident-id="${id}"]`;
    await row.getByTestId('incident-toggle').click();
    await a.page.waitForSelector(itsEvents, { state: 'detached', ...WAIT });
    await expect(row.getAttribute('aria-expanded')).resolves.toBe('false');
    await row.getByTestId('incident-toggle').click();
    await a.page.waitForSelector(itsEvents, WAIT);
    await expect(a.page.locator(itsEvents).count()).resolves.toBe(grids.length);

    // The live wall: one ticker row for the incident's opening, none for its grids' outages; one red.
    await wall.waitForSelector(
      `[data-testid="ticker-row"][data-incident-id="${id}"][data-change="opened"]`,
      WAIT,
    );
    await wall.waitForSelector(`[data-testid="counter-red"][data-count="1"][data-incidents="1"]`, WAIT);
    await expect(wall.locator('[data-testid="ticker-row"]:not([data-incident-id])').count()).resolves.toBe(0);
    await wall.close();

    const token = await login(USERS.dispatcher);
    const listed = await api<{ incidents: IncidentTransition[] }>('/api/incidents?city=CS', token);
    expect(listed.incidents.map((i) => i.id)).toEqual([id]);
    expect(listed.incidents[0]!.root.elements).toEqual([ring]);
    expect([...listed.incidents[0]!.grids].sort()).toEqual([...grids].sort());

    // Both desks open the incident; A acknowledges all of it in one action.
    await row.click();
    await a.page.waitForSelector(
      `[data-testid="incident-detail"][data-incident-id="${id}"] [data-testid="incident-state"][data-state="open"]`,
      WAIT,
    );
    await b.page.locator(`[data-testid="incident-row"][data-incident-id="${id}"]`).click();
    await b.page.waitForSelector(
      `[data-testid="incident-detail"][data-incident-id="${id}"] [data-testid="incident-state"]`,
      WAIT,
    );
    await a.page.getByTestId('incident-ack').click();
    await a.page.waitForSelector('[data-testid="incident-state"][data-state="acknowledged"]', WAIT);
    await a.page.waitForSelector('[data-testid="incident-result"][data-action="ack"]', WAIT);

    // The API: every grid's event acknowledged by the dispatcher, each event's history has it.
    await expect
      .poll(async () => {
        const r = await api<{ events: EventDoc[] }>(`/api/incidents/${encodeURIComponent(id)}`, token);
        return r.events.filter((e) => e.state === 'acknowledged' && e.by === USERS.dispatcher).length;
      }, WAIT)
      .toBe(grids.length);
    const one = await api<{ events: EventDoc[] }>(`/api/incidents/${encodeURIComponent(id)}`, token);
    const history = await api<{ history: { transition: string; by?: string }[] }>(
      `/api/events/${encodeURIComponent(one.events[0]!.id)}`,
      token,
    );
    expect(history.history.some((h) => h.transition === 'acknowledged' && h.by === USERS.dispatcher)).toBe(
      true,
    );

    // Desk B did nothing: its row, its panel and every grid event in it follow the live feed.
    await b.page.waitForSelector(
      `[data-testid="incident-row"][data-incident-id="${id}"][data-state="acknowledged"]`,
      WAIT,
    );
    await b.page.waitForSelector(
      '[data-testid="incident-detail"] [data-testid="incident-state"][data-state="acknowledged"]',
      WAIT,
    );
    await expect
      .poll(() => b.page.locator('[data-testid="incident-event"][data-state="acknowledged"]').count(), WAIT)
      .toBe(grids.length);

    // Bulk assign from the configured list; a resolve while the alarms are raised lists them (409).
    await a.page.getByTestId('incident-assign').click();
    await a.page.getByTestId('incident-assign-pick').selectOption('长沙芙蓉网格组');
    await a.page.getByTestId('incident-assign-submit').click();
    await a.page.waitForSelector('[data-testid="incident-assignee"]:has-text("长沙芙蓉网格组")', WAIT);
    // Answered, not only pushed live: the next action starts from an idle panel.
    await a.page.waitForSelector('[data-testid="incident-result"][data-action="assign"]', WAIT);
    await a.page.getByTestId('incident-comment').click();
    await a.page.getByTestId('incident-comment-text').fill('芙蓉区汇聚环光缆被挖断，抢修队已出发');
    await a.page.getByTestId('incident-comment-submit').click();
    await a.page.waitForSelector('[data-testid="incident-history-row"][data-transition="commented"]', WAIT);
    await expect
      .poll(async () => {
        const r = await api<{ history: { transition: string; text?: string }[] }>(
          `/api/events/${encodeURIComponent(one.events.at(-1)!.id)}`,
          token,
        );
        return r.history.some((h) => h.transition === 'commented' && h.text?.includes('光缆'));
      }, WAIT)
      .toBe(true);
    await a.page.getByTestId('incident-resolve').click();
    await a.page.getByTestId('incident-resolve-submit').click();
    const conflict = a.page.getByTestId('incident-conflict');
    await conflict.waitFor(WAIT);
    expect(await conflict.locator('li[data-alarm-id]').count()).toBeGreaterThan(grids.length);
    await expect(a.page.getByTestId('incident-state').getAttribute('data-state')).resolves.toBe(
      'acknowledged',
    );
    await b.page.waitForSelector('[data-testid="incident-assignee"]:has-text("长沙芙蓉网格组")', WAIT);
    await a.page.getByTestId('incident-resolve').click();
    await a.page.locator(`[data-testid="incident-row"][data-incident-id="${id}"]`).scrollIntoViewIfNeeded();
    await a.page.screenshot({ path: `${SCREENSHOTS}/desk-incident.png` });

    // A complaint in one of the grids: its event links the outage and the incident that explain it.
    const grid = grids[3]!;
    await stack.publish('complaint', 'CS', complaintNow(grid, { category: 'voice' }));
    const complaintRow = b.page.locator(
      `[data-testid="event-row"][data-rule="complaint"][data-event-id^="${grid}."]`,
    );
    await complaintRow.waitFor(WAIT);
    await complaintRow.click();
    await b.page.waitForSelector(`[data-testid="incident-link"][data-incident-id="${id}"]`, WAIT);
    await b.page.waitForSelector('[data-testid="explained-outage"]', WAIT);
    await b.page.screenshot({ path: `${RESULTS}/desk-complaint-incident.png` });
    await b.page.getByTestId('incident-link').click();
    await b.page.waitForSelector(`[data-testid="incident-detail"][data-incident-id="${id}"]`, WAIT);

    // The wall: the red tile and the ticker say one incident of N grids, not N rows.
    await b.page.goto(`${stack.url}/wall`);
    await b.page.waitForSelector(`[data-testid="counter-red"][data-incidents="1"]`, WAIT);
    await expect(b.page.getByTestId('counter-red-incidents').textContent()).resolves.toContain(
      `1 起故障 · ${grids.length} 个网格`,
    );
    const red = b.page.getByTestId('counter-red');
    expect(Number(await red.getAttribute('data-events'))).toBeGreaterThanOrEqual(grids.length);
    expect(Number(await red.getAttribute('data-count'))).toBeLessThan(grids.length);
    const tick = b.page.locator(`[data-testid="ticker-row"][data-incident-id="${id}"]`).first();
    await tick.waitFor(WAIT);
    await expect(tick.textContent()).resolves.toContain(`1 起故障 · ${grids.length} 个网格`);
    const outageTicks = await b.page
      .locator('[data-testid="ticker-row"]')
      .evaluateAll(
        (rows) =>
          rows.filter((r) => !r.getAttribute('data-incident-id') && r.textContent?.includes('退服')).length,
      );
    expect(outageTicks).toBe(0);
    await b.page.screenshot({ path: `${RESULTS}/wall-incident.png` });
    await b.page.goto(`${stack.url}/wall?lang=en`);
    await b.page.waitForSelector(`[data-testid="ticker-row"][data-incident-id="${id}"]`, WAIT);
    await expect(b.page.getByTestId('counter-red-incidents').textContent()).resolves.toContain(
      `1 incident, ${grids.length} grids`,
    );

    expect([...a.errors, ...b.errors, ...wallErrors]).toEqual([]);
    await a.context.close();
    await b.context.close();
  }, 90_000);
});
