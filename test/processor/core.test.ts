/**
 * The core's guarantees beyond single rules: order independence within the lateness, snapshot and
 * restore, duplicates, late and absurd input, out-of-order clears, the live clock mode and views.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rulesFrom } from '../../config/load.js';
import { Core } from '../../processor/core/index.js';
import type { Input } from '../../contract/normalize.js';
import {
  cleared,
  complaint,
  continueRun,
  HOUR,
  iso,
  kpi,
  of,
  raised,
  run,
  tick,
  toInput,
  topology,
  T0,
  MIN,
} from './helpers.js';
import { Rng } from '../../sim/random.js';

type Line = Record<string, unknown>;

/** An input with the time the broker stored it (live mode). */
const arrived = (line: Line, arrival: number): Input => ({ ...toInput(line), arrival }) as Input;

/** Seeded PRNG (the simulator's): the test's randomness is reproducible. */
function prng(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

/** Three hours of a busy province: flapping and lasting outages, KPI samples, complaints; sorted by time. */
function busyStream(seed: number): Line[] {
  const random = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const elements = topology.elements.map((e) => e.id);
  const lines: Line[] = [];
  let alarmN = 0;
  for (let minute = 0; minute < 180; minute += 0.5) {
    const r = random();
    if (r < 0.3) {
      const ne = pick(elements);
      const id = `OMC-${alarmN++}`;
      const code = pick(['CELL_DOWN', 'SITE_DOWN', 'HIGH_TEMP', 'DOOR_OPEN', 'CORE_DOWN']);
      lines.push(raised(id, ne, code, minute, { severity: pick([1, 2, 3, 4]) }));
      lines.push(cleared(id, ne, code, minute + pick([0.25, 0.5, 3, 20, 90])));
    } else if (r < 0.6) {
      const ne = pick(elements);
      lines.push(
        kpi(
          ne,
          minute,
          { drop_rate: pick([0.01, 0.03, 0.06]), congestion: pick([0.02, 0.04]) },
          { congestion: 0.05 },
        ),
      );
    } else if (r < 0.75) {
      const grid = pick(topology.grids).id;
      lines.push(
        complaint(`CRM-${minute}`, minute, `cust-${Math.floor(random() * 20)}`, pick([1, 2, 3, 4]), grid, {
          category: pick(['voice', 'data', 'coverage']),
          media: random() < 0.05,
        }),
      );
    }
    if (minute % 10 === 0) lines.push(tick(minute));
    if (minute % 6 === 0 && minute < 60) {
      // One unstable site: short drops every 6 minutes for an hour.
      lines.push(
        raised('FLAP', 'XT-YT-0010-BTS3', 'SITE_DOWN', minute),
        cleared('FLAP', 'XT-YT-0010-BTS3', 'SITE_DOWN', minute + 0.25),
      );
    }
  }
  return lines.sort((a, b) => Date.parse(a.time as string) - Date.parse(b.time as string));
}

/** Shuffles the stream within consecutive blocks of `blockMinutes`. */
function shuffleWithin(lines: Line[], blockMinutes: number, seed: number): Line[] {
  const random = prng(seed);
  const blocks = new Map<number, Line[]>();
  for (const l of lines) {
    const block = Math.floor((Date.parse(l.time as string) - T0) / (blockMinutes * MIN));
    (blocks.get(block) ?? blocks.set(block, []).get(block)!).push(l);
  }
  return [...blocks.values()].flatMap((b) => {
    for (let i = b.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [b[i], b[j]] = [b[j]!, b[i]!];
    }
    return b;
  });
}

const text = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).join('\n');

describe('order independence', () => {
  it('input shuffled within the lateness gives the same transitions as sorted input', () => {
    const sorted = busyStream(1);
    const shuffled = shuffleWithin(sorted, 10, 2);
    expect(text(shuffled)).not.toBe(text(sorted));
    const rules = { lateness: '30m' };
    const a = run(sorted, rules);
    const b = run(shuffled, rules);
    expect(a.transitions.length).toBeGreaterThan(50);
    expect(new Set(a.transitions.map((t) => t.rule)).size).toBe(4); // outage, flapping, kpi, complaint
    expect(b.core.stats().late).toBe(0);
    expect(text(b.transitions)).toBe(text(a.transitions));
  });
});

describe('snapshot and restore', () => {
  it('restored mid-stream (through JSON) and continued gives byte-identical output', () => {
    const lines = busyStream(3);
    const whole = run(lines);
    for (const cut of [1, Math.floor(lines.length / 3), Math.floor(lines.length / 2), lines.length - 5]) {
      const first = new Core({ rules: rulesFrom({}), topology, clock: 'input' });
      const out = lines.slice(0, cut).flatMap((l) => first.push(toInput(l)).transitions);
      const snapshot = JSON.parse(JSON.stringify(first.snapshot()));
      const second = new Core({ rules: rulesFrom({}), topology, clock: 'input' }, snapshot);
      out.push(
        ...lines.slice(cut).flatMap((l) => second.push(toInput(l)).transitions),
        ...second.flush().transitions,
      );
      expect(text(out), `cut at line ${cut}`).toBe(text(whole.transitions));
      expect(second.stats()).toEqual(whole.core.stats());
    }
  });

  it('keeps the duplicate memory across a restore', () => {
    const core = new Core({ rules: rulesFrom({}), topology, clock: 'input' });
    core.push(toInput(complaint('C1', 0, 'k1', 4, 'HY-SG-0005')));
    const restored = new Core(
      { rules: rulesFrom({}), topology, clock: 'input' },
      JSON.parse(JSON.stringify(core.snapshot())),
    );
    restored.push(toInput(complaint('C1', 0, 'k1', 4, 'HY-SG-0005')));
    expect(restored.stats().duplicates).toBe(1);
  });

  it('resumes from a snapshot of the first release (version 1) after an upgrade', () => {
    // Made by the first release's core: an outage of A1 (raised with a grid override), a kpi event and
    // a complaint event open in HY-SG-0005, clock at minute 20 (fixture: core-snapshot-v1.json).
    const v1 = JSON.parse(
      readFileSync(new URL('../fixtures/core-snapshot-v1.json', import.meta.url), 'utf8'),
    );
    const core = new Core({ rules: rulesFrom({}), topology, clock: 'ticks' }, v1);
    expect(core.activeEvents().map((e) => e.rule)).toEqual(['outage', 'kpi', 'complaint']);
    core.push(toInput(cleared('A1', 'HY-SG-0005-CELL1', 'CELL_DOWN', 21)));
    core.push(toInput(raised('A9', 'HY-SG-0005-CELL1', 'CELL_DOWN', 21)));
    const out = core.push(toInput(tick(30))).transitions;
    expect(out.map((t) => [t.id, t.transition])).toEqual([
      ['HY-SG-0005.outage.20261015T010100', 'cleared'],
      ['HY-SG-0005.outage.20261015T012200', 'opened'],
    ]);
    expect(out[0]!.seq).toBe(2);
    expect(JSON.parse(JSON.stringify(core.snapshot())).version).toBe(3);
  });

  it('keeps the duplicate memory of a version 2 snapshot (keys as text) after an upgrade', () => {
    // Made by version 2's core from `lines` up to the tick of minute 5 (fixture: core-snapshot-v2.json);
    // the id "A:1" holds the key's separator.
    const lines = [
      raised('A:1', 'HY-SG-0005-CELL1', 'CELL_DOWN', 0),
      { ...raised('A2', 'HY-SG-0005-CELL2', 'HIGH_TEMP', 1), severity: 3 },
      { ...cleared('A2', 'HY-SG-0005-CELL2', 'HIGH_TEMP', 2), severity: 3 },
      kpi('HY-SG-0005-CELL3', 0, { drop_rate: 0.03 }),
      complaint('C1', 3, 'k1', 4, 'HY-SG-0005'),
      tick(5),
    ];
    const v2 = JSON.parse(
      readFileSync(new URL('../fixtures/core-snapshot-v2.json', import.meta.url), 'utf8'),
    );
    const ctx = { rules: rulesFrom({}), topology, clock: 'ticks' as const };
    const upgraded = new Core(ctx, v2);
    const again = lines.slice(0, -1).map((l) => ({ ...l, time: shanghai(l.time as string) }));
    for (const line of again) upgraded.push(toInput(line));
    expect(upgraded.stats().duplicates).toBe(again.length);
    const rest = [
      kpi('HY-SG-0005-CELL3', 15, { drop_rate: 0.03 }),
      cleared('A:1', 'HY-SG-0005-CELL1', 'CELL_DOWN', 20),
      tick(30),
    ];
    const whole = run([...lines, ...rest], {}, 'ticks');
    const continued = continueRun({ core: upgraded, transitions: [], outputs: [] }, rest, true);
    const afterFive = whole.transitions.filter((t) => Date.parse(t.at) > T0 + 5 * MIN);
    expect(afterFive.length).toBeGreaterThan(0);
    expect(JSON.stringify(continued.transitions)).toBe(JSON.stringify(afterFive));
  });
});

/** The same instant written in +08:00. */
function shanghai(isoZ: string): string {
  const local = new Date(Date.parse(isoZ) + 8 * HOUR).toISOString().slice(0, 19);
  return `${local}+08:00`;
}

describe('duplicates', () => {
  it('change nothing: the same alarm raise/clear, complaint id or kpi sample again', () => {
    const lines = [
      raised('A1', 'HY-SG-0005-CELL1', 'CELL_DOWN', 0),
      kpi('HY-SG-0005-CELL2', 0, { drop_rate: 0.03 }),
      complaint('C1', 1, 'k1', 4, 'HY-SG-0005'),
      kpi('HY-SG-0005-CELL2', 15, { drop_rate: 0.03 }),
      cleared('A1', 'HY-SG-0005-CELL1', 'CELL_DOWN', 10),
      tick(20),
    ];
    const once = run(lines);
    const twice = run(lines.flatMap((l) => (l.type === 'tick' ? [l] : [l, l])));
    expect(text(twice.transitions)).toBe(text(once.transitions));
    expect(twice.core.stats().duplicates).toBe(5);
    expect(twice.core.scorecards(T0, T0 + 20 * MIN).find((s) => s.grid === 'HY-SG-0005')!.complaints).toBe(1);
  });
});

describe('late and absurd input', () => {
  it('applies input older than the watermark at once, and counts it', () => {
    const r = run([
      raised('A1', 'HY-SG-0005-CELL1', 'HIGH_TEMP', 10),
      complaint('C1', 11, 'k1', 4, 'HY-SG-0005'),
      tick(11.5),
      raised('A0', 'HY-SG-0005-CELL2', 'DOOR_OPEN', 5),
      tick(12),
    ]);
    expect(r.core.stats().late).toBe(1);
    expect(r.core.gridDoc('HY-SG-0005').alarms.map((a) => a.id)).toEqual(['A1', 'A0']);
    // The complaint came before the late alarm was known: its sweep could not include it.
    expect(of(r.transitions, 'HY-SG-0005', 'complaint').at(-1)!.evidence.alarms).toEqual(['A1']);
  });

  it('in replay the input is the clock: quiet hours and days are no reject, past maxGap or the horizon is', () => {
    const core = new Core({ rules: rulesFrom({}), topology, clock: 'input' });
    const push = (id: string, minute: number) =>
      core.push(toInput(raised(id, 'HY-SG-0005-CELL1', 'HIGH_TEMP', minute))).rejects;
    expect(push('A1', 0)).toEqual([]);
    expect(push('A2', 16)).toEqual([]); // a quiet quarter of an hour
    expect(push('A3', 10 * 60)).toEqual([]); // a quiet night
    expect(push('A4', 4 * 24 * 60)).toEqual([]); // a long weekend without input
    expect(push('A5', 40 * 24 * 60)).toEqual([
      { code: 'CADRE_ERR_TIME_RANGE', reason: expect.stringMatching(/ahead of the clock \(maxGap/) },
    ]);
    expect(push('A6', 3 * 24 * 60 - 1)).toEqual([
      { code: 'CADRE_ERR_TIME_RANGE', reason: expect.stringMatching(/duplicate horizon/) },
    ]);
    expect(push('A7', 3 * 24 * 60 + 1)).toEqual([]); // late, within the 24 h horizon
    expect(core.stats()).toMatchObject({ rejected: 2, applied: 5 });
  });

  it('live, a time is judged against its own arrival in the log: a backlog is accepted, a clock ahead is not', () => {
    const core = new Core({ rules: rulesFrom({}), topology, clock: 'ticks' });
    core.push(toInput(tick(0)));
    const arriving = (id: string, minute: number, arrivedAt: number) =>
      core.push(arrived(raised(id, 'HY-SG-0005-CELL1', 'HIGH_TEMP', minute), T0 + arrivedAt * MIN)).rejects;
    // The processor was down for 10 h: no tick moved its clock, the producer's input is on time.
    expect(arriving('A1', 600, 600)).toEqual([]);
    // A producer's backlog after its own 10 h outage: old, but within the horizon.
    core.push(toInput(tick(1200)));
    expect(arriving('A2', 610, 1200)).toEqual([]);
    // A producer whose clock runs 20 min ahead.
    expect(arriving('A3', 1221, 1201)).toEqual([
      { code: 'CADRE_ERR_TIME_RANGE', reason: expect.stringMatching(/after the message arrived/) },
    ]);
  });

  it('live, a tick far ahead of its own arrival is refused: the clock and every deadline stay as they were', () => {
    const core = new Core({ rules: rulesFrom({}), topology, clock: 'ticks' });
    core.push(arrived(tick(0), T0));
    core.push(arrived(raised('A1', 'HY-SG-0005-CELL1', 'CELL_DOWN', 0), T0));
    core.push(arrived(tick(2), T0 + 2 * MIN));
    const bogus = core.push({
      type: 'tick',
      time: Date.parse('2099-01-01T00:00:00Z'),
      arrival: T0 + 3 * MIN,
    });
    expect(bogus.rejects).toEqual([
      { code: 'CADRE_ERR_TIME_RANGE', reason: expect.stringMatching(/tick .* after it arrived/) },
    ]);
    expect(bogus.transitions).toEqual([]);
    expect(core.now()).toBe(T0 + 2 * MIN);
    // After a long stop, a tick far ahead of the clock but on time for its arrival is taken.
    const back = core.push(arrived(tick(600), T0 + 600 * MIN));
    expect(back.rejects).toEqual([]);
    expect(back.transitions.map((t) => t.transition)).toContain('escalated');
  });

  it('within the lateness, a clear before its raise is put back in order', () => {
    const r = run(
      [
        cleared('A1', 'HY-SG-0005-CELL1', 'CELL_DOWN', 5),
        raised('A1', 'HY-SG-0005-CELL1', 'CELL_DOWN', 0),
        tick(10),
      ],
      { lateness: '10m' },
    );
    expect(r.core.stats().late).toBe(0);
    expect(of(r.transitions, 'HY-SG-0005', 'outage').map((t) => [t.transition, t.at])).toEqual([
      ['opened', iso(1)],
      ['cleared', iso(5)],
    ]);
  });

  it('a raise that arrives after its clear is judged by event time: the outage it was, then cleared', () => {
    const r = run([
      cleared('A1', 'HY-SG-0005-CELL1', 'CELL_DOWN', 25),
      tick(26),
      raised('A1', 'HY-SG-0005-CELL1', 'CELL_DOWN', 0),
      tick(30),
      complaint('C1', 31, 'k1', 4, 'HY-SG-0005'),
      tick(32),
    ]);
    // Orange at raise + 60 s, its 30-minute first response not passed when it cleared at 25.
    expect(of(r.transitions, 'HY-SG-0005', 'outage').map((t) => [t.transition, t.openedAt, t.at])).toEqual([
      ['opened', iso(1), iso(1)],
      ['cleared', iso(1), iso(25)],
    ]);
    // No phantom active alarm: the complaint after it sweeps nothing in.
    expect(of(r.transitions, 'HY-SG-0005', 'complaint')[0]!.evidence.alarms).toEqual([]);
    expect(r.core.gridDoc('HY-SG-0005').alarms).toMatchObject([
      { id: 'A1', raisedAt: iso(0), clearedAt: iso(25) },
    ]);
  });

  it('a late raise whose clear came first within the debounce opens nothing', () => {
    const r = run([
      cleared('A1', 'HY-SG-0005-CELL1', 'CELL_DOWN', 0.5),
      tick(5),
      raised('A1', 'HY-SG-0005-CELL1', 'CELL_DOWN', 0),
      tick(10),
    ]);
    expect(r.transitions).toEqual([]);
    expect(r.core.gridDoc('HY-SG-0005').alarms).toMatchObject([{ id: 'A1', clearedAt: iso(0.5) }]);
  });
});

describe('the live clock mode (ticks)', () => {
  it('holds input until a tick passes it, and says when the next tick is due', () => {
    const core = new Core({ rules: rulesFrom({ lateness: '0.5s' }), topology, clock: 'ticks' });
    core.push(toInput(tick(0)));
    expect(core.push(toInput(raised('A1', 'HY-ZH-0002-CELL1', 'CELL_DOWN', 0.1))).transitions).toEqual([]);
    expect(core.nextDue()).toBe(T0 + 0.1 * MIN + 500);
    core.push({ type: 'tick', time: core.nextDue()! });
    // Now the debounce is what is due; its transition is dated when it became due, not at the tick.
    const due = core.nextDue()!;
    expect(due).toBe(T0 + 1.1 * MIN + 500);
    expect(core.push({ type: 'tick', time: due - 1 }).transitions).toEqual([]);
    const out = core.push({ type: 'tick', time: due + 30_000 });
    expect(out.transitions).toMatchObject([{ transition: 'opened', level: 'red', at: iso(1.1) }]);
  });

  it('live, the arrival times in the log move the clock: an input applies on arrival, its timers fire with later arrivals', () => {
    const core = new Core({ rules: rulesFrom({}), topology, clock: 'live' });
    core.push(arrived(tick(0), T0));
    const at = (minute: number) => T0 + minute * MIN;
    const media = arrived(complaint('C1', 0.1, 'k1', 1, 'HY-SG-0005', { media: true }), at(0.1));
    expect(core.push(media).transitions).toMatchObject([{ transition: 'opened', level: 'red' }]);
    // No tick for 40 minutes: the tier-1 first response (30 min) passes with the next arrival.
    const next = arrived(kpi('XT-YT-0010-CELL1', 40, { drop_rate: 0.01 }), at(40));
    expect(core.push(next).transitions).toMatchObject([{ transition: 'escalated', at: iso(30.1) }]);
  });

  it('answers commands when they are applied', () => {
    const core = new Core({ rules: rulesFrom({}), topology, clock: 'ticks' });
    core.push(toInput(tick(0)));
    core.push(toInput(complaint('C1', 0, 'k1', 1, 'HY-SG-0005')));
    core.push(toInput(tick(1)));
    const [ev] = core.activeEvents();
    core.push(toInput({ type: 'command', id: 'K1', action: 'ack', event: ev!.id, by: 'd', time: iso(1.5) }));
    const out = core.push(toInput(tick(2)));
    expect(out.replies).toEqual([
      {
        commandId: 'K1',
        reply: { ok: true, event: expect.objectContaining({ state: 'acknowledged', seq: 2 }) },
      },
    ]);
    expect(core.event(ev!.id)).toEqual(out.transitions[0]);
  });
});

describe('views', () => {
  it('a grid document with level, active events, alarms and degraded elements; dirty grids once', () => {
    const r = run([
      raised('A1', 'HY-SG-0005-CELL1', 'CELL_DOWN', 0),
      kpi('HY-SG-0005-CELL2', 0, { drop_rate: 0.06 }),
      kpi('HY-SG-0005-CELL2', 15, { drop_rate: 0.06 }),
      tick(16),
    ]);
    expect(r.core.dirtyGrids()).toEqual(['HY-SG-0005']);
    expect(r.core.dirtyGrids()).toEqual([]);
    const doc = r.core.gridDoc('HY-SG-0005');
    expect(doc).toMatchObject({ id: 'HY-SG-0005', city: 'HY', level: 'orange', updatedAt: iso(16) });
    expect(doc.active).toHaveLength(2);
    expect(doc.alarms).toMatchObject([{ id: 'A1', outage: true }]);
    expect(doc.degraded).toEqual([
      { ne: 'HY-SG-0005-CELL2', metric: 'drop_rate', value: 0.06, critical: true },
    ]);
    expect(doc.days['2026-10-15']).toMatchObject({
      events: { red: 0, orange: 2, yellow: 0, blue: 0 },
      degradedElements: 1,
    });
    expect(r.core.gridDoc('XT-YT-0010')).toMatchObject({ level: null, active: [], alarms: [] });
  });

  it('scorecards: time to acknowledge and resolve, SLA met, repeats', () => {
    const id = 'HY-SG-0005.complaint.20261015T010000';
    const r = run([
      complaint('C1', 0, 'k1', 4, 'HY-SG-0005'),
      complaint('C2', 5, 'k1', 4, 'HY-SG-0005', { category: 'data' }),
      { type: 'command', id: 'K1', action: 'ack', event: id, by: 'd', time: iso(20) },
      { type: 'command', id: 'K2', action: 'resolve', event: id, by: 'd', time: iso(30) },
    ]);
    const card = r.core.scorecards(T0, T0 + 30 * MIN).find((s) => s.grid === 'HY-SG-0005')!;
    expect(card).toMatchObject({
      complaints: 2,
      byCategory: { voice: 1, data: 1, sms: 0, coverage: 0, wlan: 0, other: 0 },
      repeatRate: 0.5,
      mttaMinutes: 20,
      mttrMinutes: 30,
      slaMetPct: 1,
    });
  });

  it('event ids are readable and stay unique when the same rule reopens within a second', () => {
    const r = run([
      raised('A1', 'HY-SG-0005-CELL1', 'CELL_DOWN', 0),
      raised('A2', 'HY-SG-0005-CELL2', 'CELL_DOWN', 0.005),
      tick(1.002),
      cleared('A1', 'HY-SG-0005-CELL1', 'CELL_DOWN', 1.003),
      tick(2),
    ]);
    expect(of(r.transitions, 'HY-SG-0005', 'outage').map((t) => [t.id, t.transition])).toEqual([
      ['HY-SG-0005.outage.20261015T010100', 'opened'],
      ['HY-SG-0005.outage.20261015T010100', 'cleared'],
      ['HY-SG-0005.outage.20261015T010100-2', 'opened'],
    ]);
  });

  it('allocates no state for grids without input', () => {
    const core = new Core({ rules: rulesFrom({}), topology, clock: 'input' });
    core.push(toInput(complaint('C1', 0, 'k1', 4, 'HY-SG-0005')));
    core.push(toInput(tick(1)));
    const grids = (core.snapshot().grids as { $map: [string, unknown][] }).$map.map(([id]) => id);
    expect(grids).toEqual(['HY-SG-0005']);
  });
});
