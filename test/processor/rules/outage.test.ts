/** The outage rule (docs/rules.md "outage"), maintenance windows included, table-driven where the seed gives examples. */
import { describe, expect, it } from 'vitest';
import { decideOutage, outageLevel } from '../../../processor/core/rules/outage.js';
import type { AlarmState } from '../../../processor/core/state.js';
import { cleared, complaint, minutesBetween, of, raised, run, tick } from '../helpers.js';
import { G, cell, rules } from './fixtures.js';

describe('outage: the decision at the end of a debounce', () => {
  const alarm = (extra: Partial<AlarmState> = {}): AlarmState => ({
    id: 'A1',
    ne: cell(1),
    code: 'CELL_DOWN',
    severity: 2,
    category: 'fault',
    outage: true,
    raisedAt: 0,
    ...extra,
  });
  it.each([
    [
      'another raise of the same id',
      alarm({ raisedAt: 5 }),
      0,
      undefined,
      { kind: 'none', reason: 'not-the-raise' },
    ],
    [
      'in a maintenance window until 600 s',
      alarm({ maintenance: true }),
      0,
      600_000,
      { kind: 'wait', reason: 'in-maintenance', until: 660_000 },
    ],
    [
      'raised in a window that has ended',
      alarm({ maintenance: true }),
      0,
      undefined,
      { kind: 'open', reason: 'debounced', level: 'orange', multi: false },
    ],
    [
      'CORE_DOWN opens red',
      alarm({ code: 'CORE_DOWN' }),
      0,
      undefined,
      { kind: 'open', reason: 'debounced', level: 'red', multi: false },
    ],
  ] as const)('%s', (_name, a, raisedAt, windowEnd, decision) => {
    expect(decideOutage(rules.outage, 'general', a, raisedAt, windowEnd, undefined)).toEqual(decision);
  });

  it.each([
    ['general grid, one element', 'general', ['CELL_DOWN'], 1, 'orange'],
    ['general grid, redElements out', 'general', ['CELL_DOWN'], rules.outage.redElements, 'red'],
    ['a red code', 'general', ['CORE_DOWN'], 1, 'red'],
  ] as const)('level: %s', (_name, tier, codes, out, level) => {
    expect(outageLevel(rules.outage, tier, [...codes], out)).toBe(level);
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
