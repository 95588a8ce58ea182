/**
 * /api/scorecards over days of the operator's zone (cadre.yaml timeZone, Asia/Shanghai by default):
 * today starts at local midnight (16:00 UTC the day before).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useNats } from '../helpers/nats.js';
import type { Gateway } from '../../gateway/server.js';
import { emptyDay } from '../../shared/scorecard.js';
import { quietGridDoc, type DayStats } from '../../shared/views.js';
import { ensureCadreStreams, putGridDoc, startGateway, testConfig, until } from './helpers.js';

const nats = useNats();
const gateways: Gateway[] = [];
const day = (complaints: number): DayStats => ({ ...emptyDay(), complaints });

beforeAll(async () => {
  await ensureCadreStreams(nats.nc);
  await putGridDoc(nats.nc, {
    ...quietGridDoc('XT-YH-0003', 'XT', '2025-03-10T16:30:00.000Z'),
    days: { '2025-03-10': day(5), '2025-03-11': day(2) },
  });
});
afterAll(() => Promise.all(gateways.map((g) => g.close())));

async function gatewayAt(iso: string): Promise<Gateway> {
  const config = await testConfig({ anonymousViewer: true });
  const gw = await startGateway(nats.nc, { config, now: () => Date.parse(iso) });
  gateways.push(gw);
  await until(() => gw.model.grid('XT-YH-0003') !== undefined);
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
