/** The flapping rule (docs/rules.md "flapping"). */
import { describe, expect, it } from 'vitest';
import { decideFlapping } from '../../../processor/core/rules/flapping.js';
import type { EventState } from '../../../processor/core/state.js';
import { cleared, minutesBetween, raised, run, tick } from '../helpers.js';
import { cell, rules } from './fixtures.js';

describe('flapping: the decision of one ended cycle (5 within 60 min)', () => {
  const ev = { elements: new Set([cell(1)]) } as EventState;
  it.each([
    ['4 cycles, no event', 4, 0, cell(1), undefined, 'none'],
    ['5 cycles of the alarm id', 5, 0, cell(1), undefined, 'open'],
    ['5 cycles of the element', 1, 5, cell(1), undefined, 'open'],
    ['5 cycles, the event is there', 5, 0, cell(2), ev, 'join'],
    ['a cycle of an element of the event', 1, 1, cell(1), ev, 'alive'],
    ['a cycle of another element', 1, 1, cell(2), ev, 'none'],
  ] as const)('%s', (_name, byAlarm, byNe, ne, event, kind) => {
    expect(decideFlapping(rules.flapping, byAlarm, byNe, ne, event).kind).toBe(kind);
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
