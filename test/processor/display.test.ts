/**
 * What a grid page shows beyond events — the KPI series (mean of each metric over the grid's cells
 * per period, last 24 h) and the latest complaints — is the core's: behind its duplicate and time
 * checks, and in its snapshot.
 */
import { describe, expect, it } from 'vitest';
import { rulesFrom } from '../../config/load.js';
import { Core } from '../../processor/core/index.js';
import { complaint, continueRun, iso, kpi, run, tick, topology, T0, MIN } from './helpers.js';

const G = 'HY-SG-0005';
const cell = (n: number) => `${G}-CELL${n}`;
const at = (minutes: number) => (T0 + minutes * MIN) / 1000;

describe('the KPI series of a grid', () => {
  it('averages each metric over the cells that reported it, per period, in time order', () => {
    const r = run([
      kpi(cell(1), 15, { drop_rate: 0.01, mos: 4 }),
      kpi(cell(2), 15, { drop_rate: 0.03 }),
      kpi('XT-YT-0010-CELL1', 15, { drop_rate: 0.5 }), // another grid
      kpi(cell(1), 30, { drop_rate: 0.02, dl_mbps: 50 }),
      kpi(cell(3), 16, { drop_rate: 0.05 }), // late, into the 15-minute period
      tick(31),
    ]);
    const series = r.core.gridDoc(G).kpi;
    expect(series.t).toEqual([at(15), at(30)]);
    expect(series.drop_rate).toEqual([0.03, 0.02]);
    expect(series.mos).toEqual([4, null]);
    expect(series.dl_mbps).toEqual([null, 50]);
    expect(r.core.gridDoc('XT-YT-0010').kpi.drop_rate).toEqual([0.5]);
    expect(r.core.gridDoc('XT-YH-0003').kpi.t).toEqual([]);
  });

  it('keeps 24 hours, and a sample re-sent in another zone counts once', () => {
    const lines = [];
    for (let m = 0; m <= 25 * 60; m += 15) lines.push(kpi(cell(1), m, { congestion: m / 10_000 }));
    const sample = kpi(cell(1), 25 * 60, { congestion: 0.9 });
    const beijing = {
      ...sample,
      time: new Date(Date.parse(iso(25 * 60)) + 8 * 3_600_000).toISOString().replace('Z', '+08:00'),
    };
    const series = run([...lines, beijing, tick(25 * 60 + 1)]).core.gridDoc(G).kpi;
    expect(series.t.length).toBe(24 * 4 + 1);
    expect(series.t[0]).toBe(at(60));
    expect(series.congestion.at(-1)).toBe(0.15);
  });
});

describe('the complaint list of a grid', () => {
  it('shows a re-sent complaint once and a rejected one not at all', () => {
    const c = complaint('C1', 0, 'cust-1', 2, G, { text: '信号差' });
    const r = run([c, tick(1), c, complaint('C2', 40 * 24 * 60, 'cust-2', 3, G), tick(2)]);
    expect(r.core.gridDoc(G).complaints).toEqual([
      { id: 'C1', time: iso(0), tier: 2, category: 'voice', customer: 'cust-1', text: '信号差' },
    ]);
  });

  it('comes back from a snapshot as it was', () => {
    const first = run([complaint('C1', 0, 'cust-1', 2, G), kpi(cell(1), 15, { drop_rate: 0.01 }), tick(16)]);
    const restored = new Core(
      { rules: rulesFrom({}), topology, clock: 'input' },
      JSON.parse(JSON.stringify(first.core.snapshot())),
    );
    const again = continueRun(
      { core: restored, transitions: [], outputs: [] },
      [complaint('C2', 20, 'cust-2', 3, G)],
      true,
    );
    expect(again.core.gridDoc(G).complaints.map((x) => x.id)).toEqual(['C1', 'C2']);
    expect(again.core.gridDoc(G).kpi).toEqual(first.core.gridDoc(G).kpi);
  });
});
