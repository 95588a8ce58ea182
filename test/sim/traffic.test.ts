import { describe, expect, it } from 'vitest';
import { Topology } from '../../config/topology.js';
import { normalize } from '../../contract/normalize.js';
import { OUTAGE_CODES, type Alarm, type Complaint, type Kpi } from '../../shared/schemas.js';
import { localHour, type TimedMessage } from '../../sim/catalog.js';
import { generateTopology } from '../../sim/topology_gen.js';
import { TrafficModel } from '../../sim/traffic.js';

const topology = new Topology(generateTopology({ seed: 1 }));
const START = Date.parse('2026-10-15T00:00:00+08:00');
const MIN = 60_000;
const HOUR = 3_600_000;
const lines = (msgs: TimedMessage[]) => msgs.map((m) => JSON.stringify(m.msg));

describe('traffic model', () => {
  it('gives the same messages for the same seed however the span is cut into windows', () => {
    const whole = new TrafficModel(topology, { seed: 7 }).between(START + 9 * HOUR, START + 10 * HOUR);
    const model = new TrafficModel(topology, { seed: 7 });
    const pieces: TimedMessage[] = [];
    for (let t = START + 9 * HOUR; t < START + 10 * HOUR; t += 7 * MIN)
      pieces.push(...model.between(t, Math.min(t + 7 * MIN, START + 10 * HOUR)));
    expect(lines(pieces)).toEqual(lines(whole));
    expect(whole.length).toBeGreaterThan(50_000);
    const other = new TrafficModel(topology, { seed: 8 }).between(START + 9 * HOUR, START + 10 * HOUR);
    expect(lines(other)).not.toEqual(lines(whole));
  });

  it('produces only messages that ingest accepts, each stamped with its due time', () => {
    const msgs = new TrafficModel(topology, { seed: 3 }).between(START + 19 * HOUR, START + 19.5 * HOUR);
    let previous = -Infinity;
    for (const m of msgs) {
      const result = normalize(JSON.parse(JSON.stringify(m.msg)), undefined, topology);
      expect(result.ok, JSON.stringify(result)).toBe(true);
      if (
        !result.ok ||
        result.input.type === 'maintenance' ||
        result.input.type === 'tick' ||
        result.input.type === 'command'
      )
        continue;
      expect(result.input.time).toBe(m.time);
      expect(result.input.city).toBe(m.city);
      expect(m.time).toBeGreaterThanOrEqual(previous);
      previous = m.time;
    }
  });

  it('reports every cell every 15 minutes, mostly healthy, some with competitor figures', () => {
    const cells = topology.elements.filter((e) => e.kind === 'cell');
    const kpis = new TrafficModel(topology, { seed: 3 })
      .between(START + 20 * HOUR, START + 21 * HOUR)
      .map((m) => m.msg)
      .filter((m): m is Kpi & { type: 'kpi' } => m.type === 'kpi');
    const perCell = new Map<string, number>();
    for (const k of kpis) perCell.set(k.ne, (perCell.get(k.ne) ?? 0) + 1);
    expect(perCell.size).toBe(cells.length);
    expect([...perCell.values()].every((n) => n === 4)).toBe(true);
    expect(kpis.every((k) => k.period === 900)).toBe(true);
    const bad = kpis.filter(
      (k) => k.metrics.drop_rate! > 0.02 || k.metrics.congestion! > 0.05 || k.metrics.setup_success! < 0.97,
    );
    expect(bad.length / kpis.length).toBeGreaterThan(0.001);
    expect(bad.length / kpis.length).toBeLessThan(0.03);
    const benchmarked = kpis.filter((k) => k.competitor).length / kpis.length;
    expect(benchmarked).toBeGreaterThan(0.02);
    expect(benchmarked).toBeLessThan(0.1);
    // Traffic follows the day: the evening busy hour carries far more than 4 a.m.
    const erl = (from: number) =>
      new TrafficModel(topology, { seed: 3 })
        .between(from, from + HOUR)
        .reduce((s, m) => s + (m.msg.type === 'kpi' ? m.msg.metrics.traffic_erl! : 0), 0);
    expect(erl(START + 20 * HOUR)).toBeGreaterThan(3 * erl(START + 4 * HOUR));
  });

  it('spreads complaints over the day (peaks near 10:00 and 20:00), tiers 2/8/25/65%, all categories', () => {
    const model = new TrafficModel(topology, { seed: 11, complaintsPerHour: 600 });
    const complaints = model.complaints
      .between(START, START + 24 * HOUR, -Infinity)
      .map((m) => m.msg as Complaint);
    const byHour = new Array<number>(24).fill(0);
    for (const c of complaints) byHour[Math.floor(localHour(Date.parse(c.time)))]!++;
    const mean = (hours: number[]) => hours.reduce((s, h) => s + byHour[h]!, 0) / hours.length;
    expect(mean([9, 10])).toBeGreaterThan(6 * mean([2, 3, 4]));
    expect(mean([19, 20])).toBeGreaterThan(6 * mean([2, 3, 4]));
    expect(mean([10])).toBeGreaterThan(mean([13]));
    const share = (tier: number) =>
      complaints.filter((c) => c.customer.tier === tier).length / complaints.length;
    expect(share(1)).toBeCloseTo(0.02, 1);
    expect(Math.abs(share(2) - 0.08)).toBeLessThan(0.025);
    expect(Math.abs(share(3) - 0.25)).toBeLessThan(0.04);
    expect(Math.abs(share(4) - 0.65)).toBeLessThan(0.05);
    expect(new Set(complaints.map((c) => c.category))).toEqual(
      new Set(['voice', 'data', 'sms', 'coverage', 'wlan', 'other']),
    );
    expect(
      complaints.some((c) => c.location) && complaints.some((c) => c.ne) && complaints.some((c) => c.grid),
    ).toBe(true);
    expect(complaints.some((c) => c.media) && complaints.some((c) => c.escalated)).toBe(true);
    const calls = new Map<string, number>();
    for (const c of complaints) calls.set(c.customer.id, (calls.get(c.customer.id) ?? 0) + 1);
    expect([...calls.values()].filter((n) => n >= 3).length).toBeGreaterThan(20);
  });

  it('raises and clears alarms of every outage code and many others, severities 1–4, and flapping circuits', () => {
    // Rate 0: no noise, only incidents, so a month stays small (a core fails a few times a month).
    const model = new TrafficModel(topology, { seed: 5, rate: 0, stormsPerDay: 0 });
    const alarms = model.alarms.between(START, START + 30 * 24 * HOUR, START).map((m) => m.msg as Alarm);
    const codes = new Set(alarms.map((a) => a.code));
    for (const code of OUTAGE_CODES) expect(codes, code).toContain(code);
    expect(codes.size).toBeGreaterThan(OUTAGE_CODES.length + 3);
    expect(new Set(alarms.map((a) => a.severity))).toEqual(new Set([1, 2, 3, 4]));
    const raised = new Map<string, number>();
    for (const a of alarms) {
      if (a.state === 'raised') raised.set(a.id, Date.parse(a.time));
      else expect(Date.parse(a.time)).toBeGreaterThan(raised.get(a.id)!);
    }
    // A flaky circuit: at least five short down/up cycles within an hour.
    const flaps = alarms.filter((a) => a.code === 'TRANSPORT_DOWN' && a.id.startsWith('OMC-F'));
    const byCircuit = new Map<string, Alarm[]>();
    for (const f of flaps) byCircuit.set(f.ne, [...(byCircuit.get(f.ne) ?? []), f]);
    const burst = [...byCircuit.values()].some((list) => {
      const raises = list.filter((a) => a.state === 'raised').map((a) => Date.parse(a.time));
      return raises.some((t, i) => raises[i + 4] !== undefined && raises[i + 4]! - t < HOUR);
    });
    expect(burst).toBe(true);
    expect(model.alarms.flakyCircuits.length).toBeGreaterThan(3);
  });

  it('fills the requested rate with alarm noise on top of the KPI floor', () => {
    for (const rate of [20, 100]) {
      const n = new TrafficModel(topology, { seed: 2, rate }).between(
        START + 12 * HOUR,
        START + 12 * HOUR + 15 * MIN,
      ).length;
      expect(n / 900).toBeGreaterThan(rate * 0.8);
      expect(n / 900).toBeLessThan(rate * 1.3);
    }
  });
});
