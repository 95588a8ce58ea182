/** The complaint rule (docs/rules.md "complaint"), table-driven where the seed gives examples. */
import { describe, expect, it } from 'vitest';
import { decideComplaint } from '../../../processor/core/rules/complaint.js';
import type { EventState } from '../../../processor/core/state.js';
import type { Complaint } from '../../../shared/schemas.js';
import { cleared, command, complaint, minutesBetween, of, raised, run, tick } from '../helpers.js';
import { G, NO_CONTACT, cell, rules } from './fixtures.js';

describe('complaint: the decision of one complaint', () => {
  const msg = (tier: 1 | 2 | 3 | 4, extra: Partial<Complaint> = {}) =>
    ({ customer: { id: 'k1', tier }, ...extra }) as Complaint;
  const net = (level: EventState['level']) => ({ level }) as EventState;
  it.each([
    ['a tier-4 first complaint', msg(4), false, 1, undefined, 'open', 'complaint', 'yellow'],
    ['its repeat, one level higher', msg(4), true, 1, undefined, 'open', 'repeat', 'orange'],
    [
      'a cluster of clusterRed',
      msg(4),
      false,
      rules.complaint.clusterRed,
      undefined,
      'open',
      'complaint',
      'red',
    ],
    ['under an orange outage', msg(4), false, 1, net('orange'), 'open', 'complaint', 'orange'],
  ] as const)('%s', (_name, m, repeat, recent, outage, kind, reason, level) => {
    expect(decideComplaint(rules.complaint, m, repeat, recent, outage, undefined, undefined)).toMatchObject({
      kind,
      reason,
      level,
    });
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
