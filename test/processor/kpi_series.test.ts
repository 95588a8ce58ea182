/**
 * The KPI chart of a grid page: per sample period the mean of each metric over the grid's cells that
 * reported it, the last 24 hours, and the same series again after a restart from the stored document.
 */
import { describe, expect, it } from 'vitest';
import { KpiSeriesStore } from '../../processor/kpi_series.js';
import type { KpiInput } from '../../ingest/normalize.js';
import type { Metrics } from '../../shared/schemas.js';

const T0 = Date.parse('2026-10-15T00:00:00Z');
const PERIOD_S = 900;

function sample(grid: string, ne: string, minutes: number, metrics: Metrics): KpiInput {
  const time = T0 + minutes * 60_000;
  return {
    type: 'kpi',
    time,
    grid,
    city: 'CS',
    key: `kpi:${ne}:${time}`,
    msg: { ne, time: new Date(time).toISOString(), period: PERIOD_S, metrics },
  };
}

describe('KPI series for charts', () => {
  it('averages each metric over the cells that reported it, per period, in time order', () => {
    const store = new KpiSeriesStore();
    store.add(sample('G1', 'c1', 15, { drop_rate: 0.01, mos: 4 }));
    store.add(sample('G1', 'c2', 15, { drop_rate: 0.03 }));
    store.add(sample('G2', 'c9', 15, { drop_rate: 0.5 })); // another grid
    store.add(sample('G1', 'c1', 30, { drop_rate: 0.02, dl_mbps: 50 }));
    store.add(sample('G1', 'c2', 16, { drop_rate: 0.05 })); // late, into the 15-minute bucket again

    const series = store.series('G1');
    expect(series.t).toEqual([(T0 + 15 * 60_000) / 1000, (T0 + 30 * 60_000) / 1000]);
    expect(series.drop_rate).toEqual([0.03, 0.02]);
    expect(series.mos).toEqual([4, null]);
    expect(series.dl_mbps).toEqual([null, 50]);
    expect(store.series('G2').drop_rate).toEqual([0.5]);
    expect(store.series('nowhere').t).toEqual([]);
  });

  it('keeps 24 hours, and restores a stored series as it was', () => {
    const store = new KpiSeriesStore();
    for (let m = 0; m <= 25 * 60; m += 15) store.add(sample('G1', 'c1', m, { congestion: m / 10_000 }));
    const series = store.series('G1');
    expect(series.t.length).toBe(24 * 4 + 1);
    expect(series.t[0]).toBe((T0 + 60 * 60_000) / 1000);

    const restarted = new KpiSeriesStore();
    restarted.restore('G1', series);
    expect(restarted.series('G1')).toEqual(series);
  });
});
