/** Events and their transitions (docs/rules.md "Events, ids, transitions"): folding updates. */
import { describe, expect, it } from 'vitest';
import { MinuteSeries } from '../../../gateway/series.js';
import { complaint, of, raised, run, tick } from '../helpers.js';
import { G, cell } from './fixtures.js';

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
