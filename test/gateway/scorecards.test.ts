/**
 * /api/scorecards over days of the operator's zone (cadre.yaml timeZone, Asia/Shanghai by default):
 * today starts at local midnight (16:00 UTC the day before).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useNats } from '../helpers/nats.js';
import type { Gateway } from '../../gateway/server.js';
import { emptyDay } from '../../contract/scorecard.js';
import { quietGridDoc, type DayStats } from '../../shared/views.js';
import { ensureCadreStreams, putGridDoc, startGateway, testConfig, until } from './helpers.js';

const nats = useNats();
const gateways: Gateway[] = [];
const day = (complaints: number): DayStats => ({ ...emptyDay(), complaints });

const stats = (
  complaints: number,
  repeats: number,
  red: number,
  slaMet: number,
  slaDue: number,
): DayStats => ({
  ...emptyDay(),
  complaints,
  repeats,
  byCategory: { ...emptyDay().byCategory, voice: complaints - 1, data: 1 },
  events: { red, orange: 1, yellow: 0, blue: 0 },
  slaMet,
  slaDue,
});
// Fixture grids: XT 雨湖区 XT-YH-0003 (26,000 subscribers), XT 岳塘区 XT-YT-0010 (11,000),
// HY 蒸湘区 HY-ZH-0002 (18,000), HY 石鼓区 HY-SG-0005 (7,000).
const CARDS: Record<string, DayStats> = {
  'XT-YT-0010': stats(4, 1, 1, 1, 2),
  'HY-ZH-0002': stats(3, 0, 2, 2, 2),
  'HY-SG-0005': stats(7, 3, 0, 0, 1),
};
/** The day before, for the trend: one complaint in HY-SG-0005. */
const YESTERDAY: Record<string, DayStats> = { 'HY-SG-0005': day(1) };

beforeAll(async () => {
  await ensureCadreStreams(nats.nc);
  await putGridDoc(nats.nc, {
    ...quietGridDoc('XT-YH-0003', 'XT', '2025-03-10T16:30:00.000Z'),
    days: { '2025-03-10': day(5), '2025-03-11': day(2) },
  });
  for (const [id, d] of Object.entries(CARDS))
    await putGridDoc(nats.nc, {
      ...quietGridDoc(id, id.slice(0, 2), '2025-03-10T16:30:00.000Z'),
      days: { '2025-03-10': d, ...(YESTERDAY[id] ? { '2025-03-09': YESTERDAY[id] } : {}) },
    });
});
afterAll(() => Promise.all(gateways.map((g) => g.close())));

async function gatewayAt(iso: string): Promise<Gateway> {
  const config = await testConfig({ anonymousViewer: true });
  const gw = await startGateway(nats.nc, { config, now: () => Date.parse(iso) });
  gateways.push(gw);
  await until(() => ['XT-YH-0003', ...Object.keys(CARDS)].every((id) => gw.model.grid(id) !== undefined));
  return gw;
}

async function today(gw: Gateway) {
  const res = await gw.app.inject({ url: '/api/scorecards?period=P1D&grid=XT-YH-0003' });
  expect(res.statusCode).toBe(200);
  const body = res.json();
  return { from: body.from as string, complaints: body.scorecards[0].complaints as number };
}

describe('scorecard periods in the operator zone', () => {
  it('23:30 in Changsha is still the 10th; 00:30 is the 11th, from its local midnight', async () => {
    expect(await today(await gatewayAt('2025-03-10T15:30:00Z'))).toEqual({
      from: '2025-03-09T16:00:00.000Z',
      complaints: 5,
    });
    expect(await today(await gatewayAt('2025-03-10T16:30:00Z'))).toEqual({
      from: '2025-03-10T16:00:00.000Z',
      complaints: 2,
    });
  });
});

type Line = {
  id?: string;
  grid?: string;
  subscribers: number;
  complaints: number;
  complaintsPer10k: number | null;
  repeatRate: number | null;
  slaMetPct: number | null;
  byCategory: Record<string, number>;
  events: Record<string, number>;
  grids?: number;
  name?: string;
  status: Record<string, string | null>;
};

describe('scorecard roll-ups', () => {
  it('district, city and province lines are the sums of their grids; rates come from the sums', async () => {
    const gw = await gatewayAt('2025-03-10T12:00:00Z'); // the 10th in Changsha
    const at = async (level: string): Promise<Line[]> =>
      (await gw.app.inject({ url: `/api/scorecards?period=P1D&level=${level}` })).json().scorecards;
    const grids = await at('grid');
    const sum = (lines: Line[], pick: (l: Line) => number) => lines.reduce((n, l) => n + pick(l), 0);
    for (const level of ['district', 'city', 'province']) {
      const areas = await at(level);
      // Every count of the level adds up to the grids' (complaints, categories, events, subscribers).
      for (const pick of [
        (l: Line) => l.complaints,
        (l: Line) => l.subscribers,
        (l: Line) => l.byCategory.voice!,
        (l: Line) => l.byCategory.data!,
        (l: Line) => l.events.red!,
        (l: Line) => l.events.orange!,
        (l: Line) => l.grids ?? 1,
      ])
        expect(sum(areas, pick), level).toBe(sum(grids, pick));
    }
    const cities = await at('city');
    const xt = cities.find((c) => c.id === 'XT')!;
    expect(xt).toMatchObject({
      level: 'city',
      name: '湘潭',
      grids: 2,
      subscribers: 37_000,
      complaints: 9, // 5 + 4
      complaintsPer10k: 2.432432, // 9 / 37,000 × 10,000 — not the mean of the grids' rates
      repeatRate: 0.111111, // 1 of 9
      slaMetPct: 0.5, // 1 of 2 due
    });
    const [province] = await at('province');
    expect(province).toMatchObject({
      id: 'province',
      name: '全省',
      grids: 4,
      subscribers: 62_000,
      complaints: 19,
      complaintsPer10k: 3.064516, // 19 / 62,000 × 10,000
      repeatRate: 0.210526, // 4 of 19
      slaMetPct: 0.6, // 3 of 5
      // Against the shipped targets: ≤ 6 per 10k green; repeats 0.21 > 0.12 red; 0.6 < 0.72 red.
      status: { complaintsPer10k: 'green', repeatRate: 'red', deadlineCompliance: 'red' },
    });
    const districts = await at('district');
    expect(districts.map((d) => [d.id, d.name]).sort()).toEqual([
      ['HY/石鼓区', '衡阳 石鼓区'],
      ['HY/蒸湘区', '衡阳 蒸湘区'],
      ['XT/岳塘区', '湘潭 岳塘区'],
      ['XT/雨湖区', '湘潭 雨湖区'],
    ]);
    const worst = await gw.app.inject({ url: '/api/scorecards?period=P1D&level=city&sort=worst' });
    expect(worst.json().scorecards.map((l: Line) => l.id)).toEqual(['HY', 'XT']); // 10 / 25,000 = 4 per 10k
  });
});

describe("the composite score (the wall's worst ten)", () => {
  it('ranks by the distance from the targets, with its trend against the period before', async () => {
    const gw = await gatewayAt('2025-03-10T12:00:00Z');
    const res = await gw.app.inject({ url: '/api/scorecards?period=P1D&sort=score&limit=10' });
    const lines = res.json().scorecards as { grid: string; score: number; trend: number | null }[];
    expect(lines.map((l) => [l.grid, l.score, l.trend])).toEqual([
      // 10 per 10k ÷ 6 + repeats 3/7 ÷ 0.1 + (1 − 0) ÷ (1 − 0.9); the day before 1.428571 ÷ 6 = 0.238
      ['HY-SG-0005', 15.952, 15.714],
      // 3.636364 ÷ 6 + 0.25 ÷ 0.1 + (1 − 0.5) ÷ 0.1; nothing the day before
      ['XT-YT-0010', 8.106, 8.106],
      ['XT-YH-0003', 0.321, 0.321], // 1.923077 ÷ 6; no deadline due
      ['HY-ZH-0002', 0.278, 0.278], // 1.666667 ÷ 6; every deadline met
    ]);
    // 30 days before the last 30 are past the 31 days the counters keep: no trend.
    const month = await gw.app.inject({ url: '/api/scorecards?period=P30D&sort=score&limit=1' });
    expect(month.json().scorecards[0]).toMatchObject({ grid: 'HY-SG-0005', trend: null });
  });
});
