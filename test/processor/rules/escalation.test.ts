/** First response, area cap, escalation and tracking (docs/rules.md, the section of that name). */
import { describe, expect, it } from 'vitest';
import { decideAck, decideDeadline } from '../../../processor/core/rules/escalation.js';
import type { EventState } from '../../../processor/core/state.js';
import { command, complaint, minutesBetween, of, run, tick } from '../helpers.js';
import { G, NO_CONTACT } from './fixtures.js';

describe('escalation: the decision of a first-response or deadline timer due at 100', () => {
  const ev = (extra: Partial<EventState> = {}) =>
    ({
      state: 'open',
      ackDeadline: 100,
      deadline: 100,
      ackEscalated: false,
      deadlineEscalated: false,
      ...extra,
    }) as EventState;
  it.each([
    ['first response: open, due', decideAck, ev(), 'escalate', 'ack-overdue'],
    ['first response: acknowledged', decideAck, ev({ state: 'acknowledged' }), 'none', 'stale'],
    ['first response: moved since', decideAck, ev({ ackDeadline: 90 }), 'none', 'stale'],
    ['first response: escalated before', decideAck, ev({ ackEscalated: true }), 'none', 'stale'],
    ['first response: in an incident', decideAck, ev({ incident: 'I1' }), 'note', 'in-incident'],
    [
      'deadline: acknowledged, due',
      decideDeadline,
      ev({ state: 'acknowledged' }),
      'escalate',
      'deadline-overdue',
    ],
    ['deadline: deferred', decideDeadline, ev({ state: 'deferred' }), 'none', 'stale'],
    ['deadline: escalated before', decideDeadline, ev({ deadlineEscalated: true }), 'none', 'stale'],
    ['deadline: in an incident', decideDeadline, ev({ incident: 'I1' }), 'note', 'in-incident'],
    ['no such event', decideAck, undefined, 'none', 'stale'],
  ] as const)('%s', (_name, decide, event, kind, reason) => {
    expect(decide(event, 100)).toEqual({ kind, reason });
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
