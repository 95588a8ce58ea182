/**
 * GET /api/reports/:period live: the figures from the processor's daily counters (grid documents in
 * KV), the top repeat lists from the complaints in the input log (CADRE_IN on a real nats-server).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import { useNats } from '../helpers/nats.js';
import type { Gateway } from '../../gateway/server.js';
import { emptyDay } from '../../contract/scorecard.js';
import { messageId, subjects } from '../../shared/subjects.js';
import { quietGridDoc } from '../../shared/views.js';
import { ensureCadreStreams, loginToken, putGridDoc, startGateway, testConfig, until } from './helpers.js';

const nats = useNats();
let gw: Gateway;
let token: string;
const NOW = Date.parse('2025-03-10T12:00:00Z'); // 20:00 on the 10th in Changsha

beforeAll(async () => {
  await ensureCadreStreams(nats.nc);
  await putGridDoc(nats.nc, {
    ...quietGridDoc('XT-YH-0003', 'XT', '2025-03-10T12:00:00.000Z'),
    days: {
      '2025-03-10': {
        ...emptyDay(),
        complaints: 3,
        repeats: 1,
        byCategory: { ...emptyDay().byCategory, voice: 3 },
      },
      '2025-03-09': { ...emptyDay(), complaints: 1, byCategory: { ...emptyDay().byCategory, voice: 1 } },
    },
  });
  const js = jetstream(nats.nc);
  const complaint = (id: string, time: string, customer: string) => ({
    id,
    time,
    customer: { id: customer, tier: 4 },
    grid: 'XT-YH-0003',
    category: 'voice',
  });
  for (const c of [
    complaint('L1', '2025-03-10T01:00:00Z', 'cust-9'),
    complaint('L2', '2025-03-10T02:00:00Z', 'cust-9'),
    complaint('L3', '2025-03-10T03:00:00Z', 'cust-7'),
    complaint('L0', '2025-03-09T03:00:00Z', 'cust-9'), // the day before: not in the day's lists
  ])
    await js.publish(subjects.input('complaint', 'XT'), JSON.stringify(c), {
      msgID: messageId('complaint', c),
    });
  gw = await startGateway(nats.nc, { config: await testConfig(), now: () => NOW });
  await until(() => gw.model.grid('XT-YH-0003') !== undefined);
  token = await loginToken(gw, 'viewer');
});
afterAll(() => gw?.close());

const get = (url: string) => gw.app.inject({ url, headers: { authorization: `Bearer ${token}` } });

describe('GET /api/reports/:period', () => {
  it("today's report by default: counters for the figures, the input log for the repeat lists", async () => {
    const res = await get('/api/reports/day?city=XT');
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({ period: 'day', date: '2025-03-10', city: 'XT', timeZone: 'Asia/Shanghai' });
    expect(r.totals).toMatchObject({ complaints: 3, subscribers: 37_000, repeatRate: 0.333333 });
    const yh = r.grids.find((g: { grid: string }) => g.grid === 'XT-YH-0003');
    expect(yh).toMatchObject({
      complaintsPer10k: 1.153846, // 3 / 26,000 × 10,000
      previous: { complaints: 1, complaintsPer10k: 0.384615 },
      change: { complaints: 2, complaintsPer10k: 0.769231 },
    });
    expect(r.topRepeatCustomers).toEqual([
      { customer: 'cust-9', complaints: 2, grids: ['XT-YH-0003'], last: '2025-03-10T02:00:00.000Z' },
    ]);
    expect(r.topRepeatLocations).toEqual([
      { place: 'XT-YH-0003', grid: 'XT-YH-0003', name: '雨湖区_湘大', complaints: 3, customers: 2 },
    ]);
    expect(r.coverage).toEqual({ counters: true, complaints: true });
  });

  it('CSV as a download, and the errors: bad period or date 400, unknown city 404, no login 401', async () => {
    const csv = await get('/api/reports/week?date=2025-03-10&format=csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(
      'attachment; filename="cadre-report-week-2025-03-10.csv"',
    );
    expect(csv.body.startsWith('\uFEFF层级,周期,开始日期')).toBe(true);
    expect((await get('/api/reports/year')).json().error).toBe('CADRE_ERR_BAD_REQUEST');
    expect((await get('/api/reports/day?date=2025-02-30')).statusCode).toBe(400);
    expect((await get('/api/reports/day?date=10.3.2025')).statusCode).toBe(400);
    expect((await get('/api/reports/day?city=NOPE')).statusCode).toBe(404);
    expect((await gw.app.inject({ url: '/api/reports/day' })).statusCode).toBe(401);
  });

  it('a month whose previous month is older than the counters kept says so', async () => {
    const r = (await get('/api/reports/month?date=2025-03-01')).json();
    expect(r.days).toHaveLength(31);
    expect(r.coverage.counters).toBe(false); // February starts 38 days before the 10th of March
  });
});
