import { describe, expect, it } from 'vitest';
import { Topology } from '../../config/topology.js';
import { normalize, type Input } from '../../contract/normalize.js';
import type { Alarm, Complaint, Kpi } from '../../shared/schemas.js';
import { NetworkIndex } from '../../sim/network_index.js';
import { runScenario, SCENARIOS } from '../../sim/scenarios.js';
import { generateTopology, SHUGUANG_GRID } from '../../sim/topology_gen.js';
import { replayLines, generateDay } from '../../sim/ndjson.js';

const topology = new Topology(generateTopology({ seed: 1 }));
const index = new NetworkIndex(topology);
const START = Date.parse('2026-10-15T09:00:00+08:00');
const run = (name: string) => runScenario(name, { index, seed: 1, start: START });

function inputs(name: string): Input[] {
  return run(name).messages.map((m) => {
    const result = normalize(JSON.parse(JSON.stringify(m.msg)), undefined, topology);
    if (!result.ok) throw new Error(`${name}: ${result.reject.reason}`);
    return result.input;
  });
}

describe('scenarios', () => {
  it('all produce valid input, in time order, from their start on', () => {
    for (const name of Object.keys(SCENARIOS)) {
      const times = inputs(name).map((i) => ('time' in i ? i.time : 0));
      expect(times.length, name).toBeGreaterThan(0);
      expect(times[0], name).toBeGreaterThanOrEqual(START);
      expect(
        [...times].sort((a, b) => a - b),
        name,
      ).toEqual(times);
    }
    expect(() => run('nope')).toThrow(/unknown scenario nope \(one of shuguang/);
  });

  it('shuguang: the complaint finds five active alarms in 芙蓉区_曙光电子厂, one of level 4', () => {
    const all = inputs('shuguang');
    const complaint = all.find((i) => i.type === 'complaint')!;
    expect(complaint).toMatchObject({ grid: SHUGUANG_GRID });
    const active = new Map<string, Alarm>();
    for (const i of all) {
      if (i === complaint) break;
      if (i.type !== 'alarm') continue;
      if (i.msg.state === 'raised') active.set(i.msg.id, i.msg);
      else active.delete(i.msg.id);
      expect(i.grid).toBe(SHUGUANG_GRID);
    }
    expect(active.size).toBe(5);
    expect([...active.values()].filter((a) => a.severity === 4)).toHaveLength(1);
    // Every alarm clears in the end, so the work order can be closed.
    expect(all.filter((i) => i.type === 'alarm' && i.msg.state === 'cleared')).toHaveLength(5);
  });

  it('storm: thousands of alarms of a whole district within seconds', () => {
    const raises = inputs('storm').filter((i) => i.type === 'alarm' && i.msg.state === 'raised') as (Input & {
      type: 'alarm';
    })[];
    const inFirst30s = raises.filter((r) => r.time < START + 30_000);
    expect(inFirst30s.length).toBeGreaterThan(1000);
    expect(new Set(raises.map((r) => topology.grid(r.grid)!.district))).toEqual(new Set(['芙蓉区']));
    expect(new Set(raises.map((r) => r.grid)).size).toBe(
      topology.grids.filter((g) => g.district === '芙蓉区').length,
    );
  });

  it('flapping: one circuit, one alarm id, at least five raise→clear cycles within an hour, each under a minute', () => {
    const alarms = inputs('flapping').map((i) => (i as Input & { type: 'alarm' }).msg);
    expect(new Set(alarms.map((a) => a.id)).size).toBe(1);
    const raises = alarms.filter((a) => a.state === 'raised').map((a) => Date.parse(a.time));
    const clears = alarms.filter((a) => a.state === 'cleared').map((a) => Date.parse(a.time));
    expect(raises.length).toBeGreaterThanOrEqual(5);
    expect(raises[4]! - raises[0]!).toBeLessThan(3_600_000);
    raises.forEach((r, i) => expect(clears[i]! - r).toBeLessThan(60_000));
  });

  it('vip: a tier-1 complaint in a key grid, then an escalated repeat', () => {
    const [first, second] = inputs('vip') as (Input & { type: 'complaint' })[];
    expect(topology.grid(first!.grid)?.tier).toBe('key');
    expect(first!.msg.customer.tier).toBe(1);
    expect(second!.msg).toMatchObject({ customer: first!.msg.customer, escalated: true });
  });

  it("kpi-competitor: the seed's three cases for two quarters and more", () => {
    const kpis = inputs('kpi-competitor').map((i) => (i as Input & { type: 'kpi' }).msg as Kpi);
    const cells = [...new Set(kpis.map((k) => k.ne))];
    expect(cells).toHaveLength(3);
    const firstOf = (ne: string) => kpis.find((k) => k.ne === ne)!;
    expect(cells.map((c) => [firstOf(c).metrics.congestion, firstOf(c).competitor?.congestion])).toEqual([
      [0.06, undefined],
      [0.03, 0.06],
      [0.03, 0.05],
    ]);
    expect(kpis.filter((k) => k.ne === cells[0]).length).toBeGreaterThanOrEqual(2);
    expect(run('kpi-competitor').quiet?.elements).toEqual(cells);
  });

  it('media: repeat complaints of one estate, then a media-exposure one', () => {
    const complaints = inputs('media') as (Input & { type: 'complaint' })[];
    expect(new Set(complaints.map((c) => c.grid)).size).toBe(1);
    expect(complaints.at(-1)!.msg as Complaint).toMatchObject({ media: true });
  });
});

describe('replay NDJSON', () => {
  it('writes typed lines with a tick every minute, scenarios on top, identical for the same seed', () => {
    const options = {
      topology,
      seed: 4,
      start: START,
      durationMs: 10 * 60_000,
      scenarios: [{ name: 'shuguang', at: START + 60_000 }],
    };
    const out = [...replayLines(options)];
    expect(out).toEqual([...replayLines(options)]);
    const parsed = out.map((l) => JSON.parse(l) as { type: string; id?: string });
    expect(parsed.filter((p) => p.type === 'tick')).toHaveLength(10);
    expect(parsed.some((p) => p.id?.startsWith('SIM-shuguang'))).toBe(true);
    for (const p of parsed) expect(normalize(p, undefined, topology).ok).toBe(true);
  });

  it('generateDay gives the asked number of messages of a mixed day', () => {
    const out = [...generateDay({ topology, messages: 20_000, seed: 9 })];
    const types = new Map<string, number>();
    for (const l of out) {
      const t = (JSON.parse(l) as { type: string }).type;
      types.set(t, (types.get(t) ?? 0) + 1);
    }
    expect(out.length - types.get('tick')!).toBe(20_000);
    expect(types.get('kpi')! / 20_000).toBeGreaterThan(0.4);
    expect(types.get('alarm')! / 20_000).toBeGreaterThan(0.3);
    expect(types.get('complaint')).toBeGreaterThan(100);
  });
});
