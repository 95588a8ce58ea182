/** The planning rule (docs/rules.md "planning"). */
import { describe, expect, it } from 'vitest';
import { decidePlanning } from '../../../processor/core/rules/planning.js';
import { newGridState, type EventState } from '../../../processor/core/state.js';
import { DAY, HOUR, cleared, complaint, of, raised, run, tick } from '../helpers.js';
import { G, cell, rules } from './fixtures.js';

describe('planning: the decision of one coverage complaint', () => {
  const { count, window } = rules.planning;
  const grid = (n: number, netEventAt: number | null = null) => ({
    ...newGridState(),
    coverage: Array.from({ length: n }, (_, i) => ({ id: `C${i}`, at: i })),
    netEventAt,
  });
  const ev = {} as EventState;
  it.each([
    ['fewer than count', grid(count - 1), undefined, undefined, 'none', 'too-few'],
    ['count, a quiet network', grid(count), undefined, undefined, 'open', 'recurring-coverage'],
    ['count, an outage active', grid(count), undefined, ev, 'none', 'network-event'],
    [
      'count, a network event within the window',
      grid(count, window),
      undefined,
      undefined,
      'none',
      'network-event',
    ],
    ['a planning event open', grid(1), ev, undefined, 'join', 'planning-open'],
  ] as const)('%s', (_name, g, planning, outage, kind, reason) => {
    expect(decidePlanning(rules.planning, g, window, planning, outage, undefined)).toEqual({ kind, reason });
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
