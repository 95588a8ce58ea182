/**
 * Every default rule and deadline of CONTRACT.md, table-driven where the seed gives examples. Grids of
 * the scenario topology: HY-SG-0005 and XT-YT-0010 general, XT-YH-0003 important, HY-ZH-0002 key.
 */
import { describe, expect, it } from 'vitest';
import { rulesFrom } from '../../config/load.js';
import { MinuteSeries } from '../../gateway/series.js';
import { judgeMetric } from '../../processor/core/index.js';
import {
  DAY,
  HOUR,
  cleared,
  command,
  complaint,
  kpi,
  minutesBetween,
  of,
  raised,
  run,
  tick,
} from './helpers.js';

const rules = rulesFrom({});
const G = 'HY-SG-0005';
const cell = (n: number, grid = G) => `${grid}-CELL${n}`;

/** The first release's ladder alone, without Deal's contact deadline (1 h; test/processor/deal.test.ts). */
const NO_CONTACT = { deal: { contactWithin: '30d' } };

describe('kpi: the competitive comparison and thresholds (one sample)', () => {
  it.each([
    ['congestion past warning (seed: ours 6%)', 'congestion', 0.06, undefined, 'degraded'],
    [
      'congestion within warning, leads by the full margin (seed: 3% vs 6%)',
      'congestion',
      0.03,
      0.06,
      'clean',
    ],
    ['congestion within warning, leads by less (seed: 3% vs 5%)', 'congestion', 0.03, 0.05, 'degraded'],
    ['congestion within warning, no competitor', 'congestion', 0.03, undefined, 'clean'],
    ['congestion past critical', 'congestion', 0.16, undefined, 'critical'],
    ['drop_rate past warning', 'drop_rate', 0.021, undefined, 'degraded'],
    ['drop_rate at the warning is not past it', 'drop_rate', 0.02, undefined, 'clean'],
    ['drop_rate leads by 0.004 < 0.005', 'drop_rate', 0.01, 0.014, 'degraded'],
    ['setup_success below warning (lower is worse)', 'setup_success', 0.96, undefined, 'degraded'],
    ['setup_success below critical', 'setup_success', 0.89, undefined, 'critical'],
    ['setup_success leads by 0.02', 'setup_success', 0.99, 0.97, 'clean'],
    ['setup_success behind the competitor', 'setup_success', 0.98, 0.985, 'degraded'],
    ['dl_mbps below warning', 'dl_mbps', 4, undefined, 'degraded'],
    ['dl_mbps leads by 1 < 2', 'dl_mbps', 10, 9, 'degraded'],
    ['mos below critical', 'mos', 2.9, undefined, 'critical'],
    ['mos leads by 0.3', 'mos', 4.0, 3.7, 'clean'],
  ] as const)('%s', (_name, metric, value, competitor, verdict) => {
    expect(judgeMetric(rules.kpi.metrics[metric], value, competitor)).toBe(verdict);
  });
});

describe('kpi: events per grid', () => {
  const bad = { drop_rate: 0.03 };
  const critical = { drop_rate: 0.06 };
  const clean = { drop_rate: 0.01 };

  it('needs 2 consecutive bad samples, and clears on one clean sample', () => {
    const once = run([kpi(cell(1), 0, bad), kpi(cell(1), 15, clean), kpi(cell(1), 30, bad), tick(40)]);
    expect(of(once.transitions, G, 'kpi')).toEqual([]);
    const t = of(
      run([kpi(cell(1), 0, bad), kpi(cell(1), 15, bad), kpi(cell(1), 30, clean), tick(40)]).transitions,
      G,
      'kpi',
    );
    expect(t.map((x) => [x.transition, x.level])).toEqual([
      ['opened', 'yellow'],
      ['cleared', 'yellow'],
    ]);
    expect(minutesBetween(t[0]!.openedAt, t[0]!.deadline)).toBe(8 * 60);
    expect(minutesBetween(t[0]!.openedAt, t[0]!.ackDeadline)).toBe(2 * 60);
  });

  it('is orange when an element is critical for 2 samples', () => {
    const t = of(
      run([kpi(cell(1), 0, critical), kpi(cell(1), 15, critical), tick(20)]).transitions,
      G,
      'kpi',
    );
    expect(t[0]).toMatchObject({ transition: 'opened', level: 'orange' });
    expect(minutesBetween(t[0]!.openedAt, t[0]!.ackDeadline)).toBe(30);
  });

  it('is red when ≥ 30% of reporting elements and ≥ 5 are degraded; several elements get the 5 h deadline', () => {
    const lines = [];
    for (let n = 1; n <= 9; n++) lines.push(kpi(cell(n), 0, n <= 5 ? bad : clean));
    for (let n = 1; n <= 9; n++) lines.push(kpi(cell(n), 15, n <= 5 ? bad : clean));
    const t = of(run([...lines, tick(20)]).transitions, G, 'kpi');
    // The samples of one instant: the elements joining in between fold into the rise to red
    // (rules.foldUpdates), which goes out at once.
    expect(t.map((x) => [x.transition, x.level])).toEqual([
      ['opened', 'yellow'],
      ['updated', 'red'],
    ]);
    expect(t.at(-1)!.evidence.elements).toHaveLength(5);
    expect(minutesBetween(t[0]!.openedAt, t[0]!.deadline)).toBe(8 * 60);
    expect(minutesBetween(t[0]!.openedAt, t.at(-1)!.deadline)).toBe(5 * 60);
    expect(minutesBetween(t[0]!.openedAt, t.at(-1)!.ackDeadline)).toBe(15);
  });

  it('is not red with 5 degraded elements under 30% of those reporting', () => {
    const lines = [];
    for (const minute of [0, 15])
      for (let n = 1; n <= 9; n++) lines.push(kpi(cell(n), minute, n <= 5 ? bad : clean));
    for (let n = 1; n <= 9; n++) lines.push(kpi(cell(n, 'XT-YT-0010'), 0, clean));
    const wide = run([...lines, tick(20)], { kpi: { redShare: 0.6 } });
    expect(of(wide.transitions, G, 'kpi').at(-1)!.level).toBe('yellow'); // 5 of 9 < 60%
    const few = run([...lines, tick(20)], { kpi: { redMinElements: 6 } });
    expect(of(few.transitions, G, 'kpi').at(-1)!.level).toBe('yellow');
  });
});

describe('folding updates (rules.foldUpdates, 1 s)', () => {
  const sec = (s: number) => s / 60; // helpers take minutes
  const summary = (lines: Parameters<typeof run>[0], r: Record<string, unknown> = { foldUpdates: '1s' }) =>
    run(lines, r).transitions.map((t) => [
      t.transition,
      t.at.slice(11, 23),
      t.level,
      t.evidence.alarms.length,
    ]);

  it('folds the updates within a second of the last transition into one at its end', () => {
    const lines = [
      raised('A1', cell(1), 'CELL_DOWN', 0),
      raised('A2', cell(2), 'CELL_DOWN', sec(0.3)),
      tick(5),
    ];
    expect(summary(lines)).toEqual([
      ['opened', '01:01:00.000', 'orange', 1],
      ['updated', '01:01:01.000', 'orange', 2],
    ]);
    expect(summary(lines, { foldUpdates: '0s' })).toEqual([
      ['opened', '01:01:00.000', 'orange', 1],
      ['updated', '01:01:00.300', 'orange', 2],
    ]);
  });

  it('lets a level that rises go out at once, carrying what it held', () => {
    const lines = [
      raised('A1', cell(1), 'CELL_DOWN', 0),
      raised('A2', cell(2), 'CELL_DOWN', sec(0.2)),
      raised('A3', cell(3), 'CELL_DOWN', sec(0.4)), // a third element: red
      tick(5),
    ];
    expect(summary(lines)).toEqual([
      ['opened', '01:01:00.000', 'orange', 1],
      ['updated', '01:01:00.400', 'red', 3],
    ]);
  });

  it('never holds or merges an opening or an escalation (the wall counts both: GET /api/activity)', () => {
    // Three complaint events, a 15 s first response: each opens, takes an update within the second
    // (a second complaint: out at once, not folded), and is escalated at each complaint's deadline; the series counts what
    // the wall shows.
    const grids = [G, 'HY-ZH-0002', 'XT-YH-0003'];
    const lines = grids.flatMap((g, i) => [
      complaint(`C${i}`, 0, `k${i}`, 4, g),
      complaint(`D${i}`, sec(0.5), `m${i}`, 4, g),
    ]);
    const rules = { foldUpdates: '1s', complaint: { ackDeadline: { other: '15s' } } };
    const t = run([...lines, tick(sec(2)), tick(sec(20)), tick(1)], rules).transitions;
    for (const g of grids)
      expect(of(t, g, 'complaint').map((x) => [x.seq, x.transition, x.level, x.at.slice(11, 23)])).toEqual([
        [1, 'opened', 'yellow', '01:00:00.000'],
        [2, 'updated', 'yellow', '01:00:00.500'], // a complaint is never held by the fold
        [3, 'escalated', 'orange', '01:00:15.000'],
        [4, 'escalated', 'red', '01:00:15.500'], // the second complaint's own first response
      ]);
    const series = new MinuteSeries();
    const now = Date.parse('2026-10-15T01:01:00Z');
    for (const x of t) series.countTransition(now, x);
    expect(series.totals(now)).toMatchObject({
      opened: { red: 0, orange: 0, yellow: 3, blue: 0 },
      escalated: { red: 3, orange: 3, yellow: 0, blue: 0 },
      lifted: { red: 0, orange: 0, yellow: 0, blue: 0 },
    });
  });

  it('lets what it holds go out where the input ends', () => {
    const lines = [
      raised('A1', cell(1), 'CELL_DOWN', 0),
      raised('A2', cell(2), 'CELL_DOWN', sec(0.3)),
      tick(sec(60.5)),
    ];
    expect(summary(lines)).toEqual([
      ['opened', '01:01:00.000', 'orange', 1],
      ['updated', '01:01:00.500', 'orange', 2],
    ]);
  });
});

describe('outage', () => {
  it('counts an outage alarm only once it outlasts the 60 s debounce', () => {
    const short = run([
      raised('A1', cell(1), 'CELL_DOWN', 0),
      cleared('A1', cell(1), 'CELL_DOWN', 0.98),
      tick(5),
    ]);
    expect(short.transitions).toEqual([]);
    const t = run([raised('A1', cell(1), 'CELL_DOWN', 0), tick(5)]).transitions;
    expect(t[0]).toMatchObject({
      rule: 'outage',
      transition: 'opened',
      at: '2026-10-15T01:01:00.000Z',
      level: 'orange',
    });
  });

  it('opens no outage for non-outage codes', () => {
    expect(run([raised('A1', cell(1), 'HIGH_TEMP', 0), tick(5)]).transitions).toEqual([]);
  });

  it.each([
    ['one cell down in a general grid', G, [['A1', cell(1), 'CELL_DOWN']], 'orange', 8],
    ['CORE_DOWN', G, [['A1', `${G}-BTS1`, 'CORE_DOWN']], 'red', 8],
    [
      '3 distinct elements out',
      G,
      [
        ['A1', cell(1), 'CELL_DOWN'],
        ['A2', cell(2), 'SITE_DOWN'],
        ['A3', cell(3), 'POWER_DOWN'],
      ],
      'red',
      8,
    ],
    ['a key-tier grid', 'HY-ZH-0002', [['A1', 'HY-ZH-0002-CELL1', 'CELL_DOWN']], 'red', 8],
    [
      '2 elements share a code: 5 h',
      G,
      [
        ['A1', cell(1), 'CELL_DOWN'],
        ['A2', cell(2), 'CELL_DOWN'],
      ],
      'orange',
      5,
    ],
    [
      'one element with 2 outage codes: 5 h',
      G,
      [
        ['A1', cell(1), 'CELL_DOWN'],
        ['A2', cell(1), 'POWER_DOWN'],
      ],
      'orange',
      5,
    ],
    [
      'an important grid caps 8 h at 12 h',
      'XT-YH-0003',
      [['A1', 'XT-YH-0003-CELL1', 'CELL_DOWN']],
      'orange',
      8,
    ],
  ] as const)('%s', (_name, grid, alarms, level, hours) => {
    const t = of(
      run([...alarms.map(([id, ne, code]) => raised(id, ne, code, 0)), tick(5)]).transitions,
      grid,
      'outage',
    );
    expect(t).toHaveLength(1);
    expect(t[0]).toMatchObject({ transition: 'opened', level });
    expect(t[0]!.evidence.alarms).toEqual(alarms.map(([id]) => id));
    expect(minutesBetween(t[0]!.openedAt, t[0]!.deadline)).toBe(hours * 60);
    expect(minutesBetween(t[0]!.openedAt, t[0]!.ackDeadline)).toBe(level === 'red' ? 15 : 30);
  });

  it('is cleared when all its outage alarms have cleared (a partial recovery is no transition)', () => {
    const t = of(
      run([
        raised('A1', cell(1), 'CELL_DOWN', 0),
        raised('A2', cell(2), 'SITE_DOWN', 0),
        tick(5),
        cleared('A1', cell(1), 'CELL_DOWN', 10),
        cleared('A2', cell(2), 'SITE_DOWN', 20),
        tick(25),
      ]).transitions,
      G,
      'outage',
    );
    expect(t.map((x) => x.transition)).toEqual(['opened', 'cleared']);
    expect(t.at(-1)).toMatchObject({ state: 'cleared', at: '2026-10-15T01:20:00.000Z' });
    expect(t.map((x) => x.seq)).toEqual([1, 2]);
  });

  it('turns red when the third element goes out, and a new outage later gets a new id', () => {
    const r = run([
      raised('A1', cell(1), 'CELL_DOWN', 0),
      raised('A2', cell(2), 'SITE_DOWN', 0),
      raised('A3', cell(3), 'POWER_DOWN', 3),
      tick(5),
      cleared('A1', cell(1), 'CELL_DOWN', 10),
      cleared('A2', cell(2), 'SITE_DOWN', 10),
      cleared('A3', cell(3), 'POWER_DOWN', 10),
      raised('A1', cell(1), 'CELL_DOWN', 20),
      tick(25),
    ]);
    const t = of(r.transitions, G, 'outage');
    expect(t.map((x) => [x.transition, x.level])).toEqual([
      ['opened', 'orange'],
      ['updated', 'red'],
      ['cleared', 'red'],
      ['opened', 'orange'],
    ]);
    expect(t[1]!.title).toBe('石鼓区_老城：3 个小区退服');
    expect(t[1]!.titleParts).toEqual({ rule: 'outage', grid: '石鼓区_老城', count: 3, kinds: { cell: 3 } });
    // Red now (at minute 4): red's 15-minute first response counts from the lift.
    expect(minutesBetween(t[0]!.openedAt, t[0]!.ackDeadline)).toBe(30);
    expect(minutesBetween(t[1]!.at, t[1]!.ackDeadline)).toBe(15);
    expect(t[3]!.id).not.toBe(t[0]!.id);
    expect(t[0]!.id).toBe('HY-SG-0005.outage.20261015T010100');
  });
});

describe('maintenance', () => {
  const window = {
    type: 'maintenance',
    id: 'MW-1',
    elements: [cell(1)],
    start: '2026-10-15T00:30:00Z',
    end: '2026-10-15T03:00:00Z',
    reason: 'cutover',
  };

  it('keeps outage alarms inside a window from opening an outage; they stay evidence, marked maintenance', () => {
    const r = run([
      window,
      raised('A1', cell(1), 'CELL_DOWN', 0),
      tick(5),
      complaint('C1', 10, 'k1', 4, G),
      tick(11),
    ]);
    expect(of(r.transitions, G, 'outage')).toEqual([]);
    expect(of(r.transitions, G, 'complaint')[0]!.evidence.alarms).toEqual(['A1']);
    expect(r.core.gridDoc(G).alarms).toMatchObject([{ id: 'A1', maintenance: true, outage: true }]);
  });

  it('does not cover other elements or times outside the window', () => {
    const r = run([
      window,
      raised('A2', cell(2), 'CELL_DOWN', 0),
      raised('A1', cell(1), 'CELL_DOWN', 200),
      tick(205),
    ]);
    expect(of(r.transitions, G, 'outage')[0]!.evidence.alarms).toEqual(['A2']);
    expect(of(r.transitions, G, 'outage').at(-1)!.evidence.alarms).toEqual(['A2', 'A1']);
  });
});

describe('flapping', () => {
  const cycles = (n: number, ids: (i: number) => string) =>
    Array.from({ length: n }, (_, i) => [
      raised(ids(i), cell(1), 'CELL_DOWN', i * 6),
      cleared(ids(i), cell(1), 'CELL_DOWN', i * 6 + 0.25),
    ]).flat();

  it('4 cycles within 60 min are not flapping', () => {
    expect(run([...cycles(4, () => 'F1'), tick(200)]).transitions).toEqual([]);
  });

  it('5 cycles of one element (different alarm ids) are flapping, cleared 60 min after the last cycle', () => {
    const t = run([...cycles(5, (i) => `F${i}`), tick(200)]).transitions;
    expect(t.map((x) => [x.rule, x.transition, x.level])).toEqual([
      ['flapping', 'opened', 'yellow'],
      ['flapping', 'cleared', 'yellow'],
    ]);
    expect(t[0]!.evidence.elements).toEqual([cell(1)]);
    expect(minutesBetween(t[0]!.openedAt, t[0]!.deadline)).toBe(8 * 60);
    expect(minutesBetween(t[0]!.at, t[1]!.at)).toBe(60);
  });

  it('5 cycles spread over more than 60 min are not flapping', () => {
    const spread = Array.from({ length: 5 }, (_, i) => [
      raised('F', cell(1), 'CELL_DOWN', i * 20),
      cleared('F', cell(1), 'CELL_DOWN', i * 20 + 0.25),
    ]).flat();
    expect(run([...spread, tick(300)]).transitions).toEqual([]);
  });
});

describe('complaint: level and deadlines of one complaint (general grid)', () => {
  it.each([
    ['tier 1', { tier: 1 }, 'orange', 30, 8 * 60],
    ['tier 2', { tier: 2 }, 'orange', 24 * 60, 24 * 60],
    ['tier 3', { tier: 3 }, 'yellow', 24 * 60, 36 * 60],
    ['tier 4', { tier: 4 }, 'yellow', 24 * 60, 36 * 60],
    ['escalated tier 4', { tier: 4, escalated: true }, 'orange', 4 * 60, 36 * 60],
    ['media tier 3', { tier: 3, media: true }, 'red', 4 * 60, 36 * 60],
    ['media tier 1 (tier-1 first response wins)', { tier: 1, media: true }, 'red', 30, 8 * 60],
  ] as const)('%s', (_name, c, level, ackMinutes, deadlineMinutes) => {
    const { tier, ...extra } = c as { tier: number; escalated?: boolean; media?: boolean };
    const t = of(run([complaint('C1', 0, 'k1', tier, G, extra), tick(1)]).transitions, G, 'complaint');
    expect(t[0]).toMatchObject({ transition: 'opened', level, state: 'open' });
    expect(minutesBetween(t[0]!.openedAt, t[0]!.ackDeadline)).toBe(ackMinutes);
    expect(minutesBetween(t[0]!.openedAt, t[0]!.deadline)).toBe(deadlineMinutes);
  });

  it('a repeat (same customer within 7 days) is one level higher with a 12 h first response', () => {
    const r = run([
      complaint('C1', 0, 'k1', 4, G),
      command('K1', 'resolve', 'HY-SG-0005.complaint.20261015T010000', 10),
      complaint('C2', 6 * 24 * 60, 'k1', 4, G),
      tick(6 * 24 * 60 + 1),
    ]);
    const second = of(r.transitions, G, 'complaint').filter((t) => t.transition === 'opened')[1]!;
    expect(second.level).toBe('orange');
    expect(minutesBetween(second.openedAt, second.ackDeadline)).toBe(12 * 60);
    const late = run([
      complaint('C1', 0, 'k1', 4, G),
      complaint('C2', 8 * 24 * 60, 'k1', 4, 'XT-YT-0010'),
      tick(8 * 24 * 60 + 1),
    ]);
    expect(of(late.transitions, 'XT-YT-0010', 'complaint')[0]!.level).toBe('yellow');
  });
});

describe('complaint: the grid', () => {
  it.each([
    [2, 'yellow'],
    [3, 'orange'],
    [9, 'orange'],
    [10, 'red'],
  ] as const)('%i complaints within 60 min make the event %s', (n, level) => {
    const lines = Array.from({ length: n }, (_, i) => complaint(`C${i}`, i * 5, `k${i}`, 4, G));
    const t = of(run([...lines, tick(60)], NO_CONTACT).transitions, G, 'complaint');
    expect(t.at(-1)!.level).toBe(level);
    expect(t.at(-1)!.evidence.complaints).toHaveLength(n);
  });

  it('3 complaints over more than 60 min stay yellow', () => {
    const lines = [0, 40, 80].flatMap((m, i) => [complaint(`C${i}`, m, `k${i}`, 4, G)]);
    expect(of(run([...lines, tick(90)], NO_CONTACT).transitions, G, 'complaint').at(-1)!.level).toBe(
      'yellow',
    );
  });

  it('sweeps every alarm active in the grid at arrival (any code and severity), not cleared or later ones', () => {
    const r = run([
      raised('A1', cell(1), 'DOOR_OPEN', 0, { severity: 4 }),
      raised('A2', cell(2), 'HIGH_TEMP', 0, { severity: 3, category: 'performance' }),
      raised('A3', cell(3), 'HIGH_TEMP', 0),
      cleared('A3', cell(3), 'HIGH_TEMP', 1),
      complaint('C1', 2, 'k1', 4, G),
      raised('A4', cell(4), 'HIGH_TEMP', 3),
      tick(4),
    ]);
    const t = of(r.transitions, G, 'complaint').at(-1)!;
    expect(t.evidence.alarms).toEqual(['A1', 'A2']);
    expect(t.evidence.elements).toEqual([cell(1), cell(2)]);
  });

  it('is at least as urgent as an active outage of the grid, also one that opens later', () => {
    const before = run([
      raised('A1', 'HY-ZH-0002-CELL1', 'CELL_DOWN', 0),
      tick(2),
      complaint('C1', 3, 'k1', 4, 'HY-ZH-0002'),
      tick(4),
    ]);
    expect(of(before.transitions, 'HY-ZH-0002', 'complaint')[0]!.level).toBe('red');
    const after = run([complaint('C1', 0, 'k1', 4, G), raised('A1', `${G}-BTS1`, 'CORE_DOWN', 1), tick(3)]);
    const t = of(after.transitions, G, 'complaint');
    expect(t.map((x) => [x.transition, x.level])).toEqual([
      ['opened', 'yellow'],
      ['updated', 'red'],
    ]);
    expect(t[1]!.at).toBe('2026-10-15T01:02:00.000Z');
  });

  it('tightens the first response when a tier-1 complaint joins an open event', () => {
    const t = of(
      run([complaint('C1', 0, 'k1', 4, G), complaint('C2', 60, 'k2', 1, G), tick(61)], NO_CONTACT)
        .transitions,
      G,
      'complaint',
    );
    expect(t.at(-1)).toMatchObject({
      level: 'orange',
      ackDeadline: '2026-10-15T02:30:00.000Z',
      deadline: '2026-10-15T10:00:00.000Z',
    });
  });
});

describe('area cap', () => {
  it.each([
    ['key', 'HY-ZH-0002', 8 * 60],
    ['important', 'XT-YH-0003', 12 * 60],
    ['general', G, 36 * 60],
  ] as const)('a tier-4 complaint in a %s grid has its deadline capped', (_tier, grid, minutes) => {
    const t = of(run([complaint('C1', 0, 'k1', 4, grid), tick(1)]).transitions, grid, 'complaint')[0]!;
    expect(minutesBetween(t.openedAt, t.deadline)).toBe(minutes);
    expect(minutesBetween(t.openedAt, t.ackDeadline)).toBe(Math.min(minutes, 24 * 60));
  });
});

describe('complaint resolution', () => {
  const id = 'HY-SG-0005.complaint.20261015T010200';
  const lines = [raised('A1', cell(1), 'DOOR_OPEN', 0), complaint('C1', 2, 'k1', 4, G)];

  it('is refused with the uncleared alarm ids while an evidence alarm is active', () => {
    const r = run([...lines, command('K1', 'resolve', id, 10, { text: 'fixed' }), tick(11)]);
    const replies = r.outputs.flatMap((o) => o.replies);
    expect(replies).toEqual([
      {
        commandId: 'K1',
        reply: { ok: false, code: 'CADRE_ERR_CONFLICT', message: expect.any(String), alarms: ['A1'] },
      },
    ]);
    expect(of(r.transitions, G, 'complaint').map((t) => t.transition)).toEqual(['opened']);
  });

  it('succeeds once they have cleared, and later commands on it conflict', () => {
    const r = run([
      ...lines,
      cleared('A1', cell(1), 'DOOR_OPEN', 5),
      command('K1', 'resolve', id, 10, { text: 'fixed' }),
      command('K2', 'ack', id, 11),
      command('K3', 'ack', 'no-such-event', 12),
      tick(13),
    ]);
    const t = of(r.transitions, G, 'complaint');
    expect(t.at(-1)).toMatchObject({
      transition: 'resolved',
      state: 'resolved',
      by: 'disp-1',
      text: 'fixed',
      seq: 2,
    });
    const replies = r.outputs
      .flatMap((o) => o.replies)
      .map((x) => [x.commandId, x.reply.ok, x.reply.ok ? '' : x.reply.code]);
    expect(replies).toEqual([
      ['K1', true, ''],
      ['K2', false, 'CADRE_ERR_CONFLICT'],
      ['K3', false, 'CADRE_ERR_UNKNOWN_EVENT'],
    ]);
  });
});

describe('dispatcher commands', () => {
  it('acknowledge, assign, comment and plan, each a transition with who did it', () => {
    const id = 'HY-SG-0005.complaint.20261015T010000';
    const r = run(
      [
        complaint('C1', 0, 'k1', 1, G),
        command('K1', 'ack', id, 10),
        command('K2', 'assign', id, 11, { to: 'team-7' }),
        command('K3', 'comment', id, 12, { text: 'on site' }),
        command('K4', 'plan', id, 13, { plan: { at: '2026-10-16T01:00:00Z', scenario: 'new site' } }),
        tick(60),
      ],
      NO_CONTACT,
    );
    const t = of(r.transitions, G, 'complaint');
    expect(t.map((x) => [x.seq, x.transition, x.state])).toEqual([
      [1, 'opened', 'open'],
      [2, 'acknowledged', 'acknowledged'],
      [3, 'assigned', 'acknowledged'],
      [4, 'commented', 'acknowledged'],
      [5, 'planned', 'acknowledged'],
    ]);
    expect(t[2]).toMatchObject({ assignee: 'team-7', by: 'disp-1' });
    expect(t[3]).toMatchObject({ text: 'on site' });
    expect(t[4]!.plan).toEqual({ at: '2026-10-16T01:00:00Z', scenario: 'new site' });
    expect(r.outputs.flatMap((o) => o.replies).every((x) => x.reply.ok)).toBe(true);
  });
});

describe('escalation and tracking', () => {
  it('escalates once when the first response passes, again when the deadline passes, then tracks at 48 h', () => {
    // A tier-3 complaint in a general grid: yellow, ack 24 h, deadline 36 h.
    const t = of(
      run([complaint('C1', 0, 'k1', 3, G), tick(50 * 60)], NO_CONTACT).transitions,
      G,
      'complaint',
    );
    expect(
      t.map((x) => [x.transition, x.level, x.escalationStep, x.tracking, minutesBetween(x.openedAt, x.at)]),
    ).toEqual([
      ['opened', 'yellow', 0, false, 0],
      ['escalated', 'orange', 1, false, 24 * 60],
      ['escalated', 'red', 2, false, 36 * 60],
      ['tracking', 'red', 2, true, 48 * 60],
    ]);
  });

  it('an acknowledgement in time stops the first-response escalation, not the deadline one; red stays red', () => {
    const id = 'HY-SG-0005.complaint.20261015T010000';
    const t = of(
      run(
        [complaint('C1', 0, 'k1', 1, G, { media: true }), command('K1', 'ack', id, 30), tick(9 * 60)],
        NO_CONTACT,
      ).transitions,
      G,
      'complaint',
    );
    expect(t.map((x) => [x.transition, x.level, x.escalationStep])).toEqual([
      ['opened', 'red', 0],
      ['acknowledged', 'red', 0],
      ['escalated', 'red', 1],
    ]);
    expect(minutesBetween(t[0]!.openedAt, t[2]!.at)).toBe(8 * 60);
  });

  it('the output does not depend on tick granularity', () => {
    const coarse = run([complaint('C1', 0, 'k1', 3, G), tick(50 * 60)]).transitions;
    const fine = run([
      complaint('C1', 0, 'k1', 3, G),
      ...Array.from({ length: 100 }, (_, i) => tick(i * 30)),
    ]).transitions;
    expect(fine).toEqual(coarse);
  });
});

describe('planning', () => {
  const coverage = (id: string, day: number, grid = G) => [
    complaint(id, day * 24 * 60, `k-${id}`, 4, grid, { category: 'coverage' }),
  ];

  it('opens a blue event at the 3rd coverage complaint within 30 days, deadline 30 days', () => {
    const t = of(
      run([...coverage('V1', 0), ...coverage('V2', 10), ...coverage('V3', 20), tick(20 * 24 * 60 + 1)])
        .transitions,
      G,
      'planning',
    );
    expect(t).toHaveLength(1);
    expect(t[0]).toMatchObject({ transition: 'opened', level: 'blue' });
    expect(t[0]!.evidence.complaints).toEqual(['V1', 'V2', 'V3']);
    expect(Date.parse(t[0]!.deadline) - Date.parse(t[0]!.openedAt)).toBe(30 * DAY);
    expect(Date.parse(t[0]!.ackDeadline) - Date.parse(t[0]!.openedAt)).toBe(24 * HOUR);
  });

  it('does not when the complaints span more than 30 days, or the grid had an outage in that time', () => {
    const spread = run([
      ...coverage('V1', 0),
      ...coverage('V2', 20),
      ...coverage('V3', 31),
      tick(31 * 24 * 60 + 1),
    ]);
    expect(of(spread.transitions, G, 'planning')).toEqual([]);
    const outage = run([
      ...coverage('V1', 0),
      raised('A1', cell(1), 'CELL_DOWN', 60),
      cleared('A1', cell(1), 'CELL_DOWN', 120),
      ...coverage('V2', 1),
      ...coverage('V3', 2),
      tick(2 * 24 * 60 + 1),
    ]);
    expect(of(outage.transitions, G, 'planning')).toEqual([]);
  });

  it('is capped like every deadline in a key grid', () => {
    const key = 'HY-ZH-0002';
    const t = of(
      run([
        ...coverage('V1', 0, key),
        ...coverage('V2', 1, key),
        ...coverage('V3', 2, key),
        tick(2 * 24 * 60 + 1),
      ]).transitions,
      key,
      'planning',
    );
    expect(Date.parse(t[0]!.deadline) - Date.parse(t[0]!.openedAt)).toBe(8 * HOUR);
  });
});
