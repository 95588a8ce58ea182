/** Dispatcher commands (docs/rules.md "Dispatcher commands"), resolving a complaint event included. */
import { describe, expect, it } from 'vitest';
import { decideCommand } from '../../../processor/core/rules/command.js';
import type { AlarmState, EventState, WorkOrderState } from '../../../processor/core/state.js';
import type { Command } from '../../../shared/schemas.js';
import { cleared, command, complaint, of, raised, run, tick } from '../helpers.js';
import { G, NO_CONTACT, cell, rules } from './fixtures.js';

describe('command: the decision of one command on one event', () => {
  const order = (extra: Partial<WorkOrderState> = {}): WorkOrderState => ({
    complaint: 'C1',
    customer: 'k1',
    tier: 3,
    receivedAt: 0,
    ackDeadline: 100,
    contactDeadline: 100,
    ...extra,
  });
  const ev = (extra: Partial<EventState> = {}) =>
    ({
      id: 'E1',
      state: 'open',
      alarms: new Set(['A1']),
      workOrders: new Map([['C1', order()]]),
      ...extra,
    }) as EventState;
  const cmd = (action: Command['action'], extra: Partial<Command> = {}): Command => ({
    type: 'command',
    id: 'K1',
    action,
    event: 'E1',
    by: 'disp-1',
    time: '2026-10-15T01:00:00Z',
    ...extra,
  });
  const active = new Map([['A1', {} as AlarmState]]);
  const PLAN = { at: '2026-10-16T01:00:00Z', scenario: 'new site' };
  const promised = () => new Map([['C1', order({ promise: { at: 0, moves: 0 } })]]);

  it.each([
    ['ack of an ended event', ev({ state: 'resolved' }), cmd('ack'), 'refuse', 'ended'],
    ['ack', ev(), cmd('ack'), 'ack', 'acknowledged'],
    ['ack twice', ev({ state: 'acknowledged' }), cmd('ack'), 'none', 'acknowledged-already'],
    ['ack of a deferred event', ev({ state: 'deferred' }), cmd('ack'), 'refuse', 'deferred'],
    ['assign without `to`', ev(), cmd('assign'), 'refuse', 'missing-field'],
    ['assign', ev(), cmd('assign', { to: 'team-7' }), 'assign', 'assigned'],
    ['comment without text', ev(), cmd('comment'), 'refuse', 'missing-field'],
    ['comment', ev(), cmd('comment', { text: 'on site' }), 'comment', 'commented'],
    ['plan without a plan', ev(), cmd('plan'), 'refuse', 'missing-field'],
    [
      'plan of no such work order',
      ev(),
      cmd('plan', { plan: PLAN, complaint: 'C9' }),
      'refuse',
      'no-work-order',
    ],
    ['plan of every work order', ev(), cmd('plan', { plan: PLAN }), 'plan', 'planned'],
    [
      'a promise moved without a reason',
      ev({ workOrders: promised() }),
      cmd('plan', { plan: PLAN }),
      'refuse',
      'promise-moved-without-reason',
    ],
    [
      'a promise moved with a reason',
      ev({ workOrders: promised() }),
      cmd('plan', { plan: PLAN, reason: 'late' }),
      'plan',
      'planned',
    ],
    ['resolve, evidence active', ev(), cmd('resolve'), 'refuse', 'uncleared'],
    ['resolve when cleared', ev(), cmd('resolve', { when: 'cleared' }), 'resolve', 'when-cleared'],
    ['resolve, evidence cleared', ev({ alarms: new Set(['A2']) }), cmd('resolve'), 'resolve', 'cleared'],
    [
      'resolve, unrelated without a reason',
      ev(),
      cmd('resolve', { unrelated: ['A1'] }),
      'refuse',
      'missing-field',
    ],
    [
      'resolve, unrelated not evidence',
      ev(),
      cmd('resolve', { unrelated: ['A9'], reason: 'x' }),
      'refuse',
      'not-evidence',
    ],
    ['resolve, unrelated', ev(), cmd('resolve', { unrelated: ['A1'], reason: 'x' }), 'resolve', 'unrelated'],
    [
      'contact of no work order',
      ev(),
      cmd('contact', { complaint: 'C9', channel: 'phone', outcome: 'reached' }),
      'refuse',
      'no-work-order',
    ],
    [
      'contact without an outcome',
      ev(),
      cmd('contact', { complaint: 'C1', channel: 'phone' }),
      'refuse',
      'missing-field',
    ],
    [
      'contact, reached',
      ev(),
      cmd('contact', { complaint: 'C1', channel: 'phone', outcome: 'reached' }),
      'contact',
      'reached',
    ],
    [
      'contact, unreachable',
      ev(),
      cmd('contact', { complaint: 'C1', channel: 'sms', outcome: 'unreachable' }),
      'contact',
      'attempted',
    ],
    ['defer, no seed reason', ev(), cmd('defer', { reason: 'because' }), 'refuse', 'missing-field'],
    [
      'defer twice',
      ev({ state: 'deferred' }),
      cmd('defer', { reason: 'few-affected' }),
      'refuse',
      'deferred-already',
    ],
    ['defer', ev(), cmd('defer', { reason: 'few-affected' }), 'defer', 'may-wait'],
    [
      'satisfaction without an answer',
      ev(),
      cmd('satisfaction', { complaint: 'C1' }),
      'refuse',
      'missing-field',
    ],
    [
      'satisfaction, answered before',
      ev({ state: 'resolved', workOrders: new Map([['C1', order({ satisfied: true })]]) }),
      cmd('satisfaction', { complaint: 'C1', satisfied: false }),
      'none',
      'answered-already',
    ],
    [
      'satisfaction of an open event',
      ev(),
      cmd('satisfaction', { complaint: 'C1', satisfied: false }),
      'answer',
      'before-resolution',
    ],
    [
      'satisfaction of a cleared event',
      ev({ state: 'cleared' }),
      cmd('satisfaction', { complaint: 'C1', satisfied: false }),
      'answer',
      'after-clear',
    ],
    [
      'satisfied after resolution',
      ev({ state: 'resolved' }),
      cmd('satisfaction', { complaint: 'C1', satisfied: true }),
      'answer',
      'satisfied',
    ],
    [
      'dissatisfied after resolution',
      ev({ state: 'resolved' }),
      cmd('satisfaction', { complaint: 'C1', satisfied: false }),
      'reopen',
      'dissatisfied',
    ],
    ['handover without a reason', ev(), cmd('handover', { owner: 'city' }), 'refuse', 'missing-field'],
    ['handover up', ev(), cmd('handover', { owner: 'city', reason: 'x' }), 'handover', 'handed-up'],
    [
      'handover back down',
      ev({ owner: 'province' }),
      cmd('handover', { owner: 'city', reason: 'x' }),
      'refuse',
      'owned-already',
    ],
  ] as const)('%s', (_name, event, msg, kind, reason) => {
    expect(decideCommand(rules, event, msg, active)).toMatchObject({ kind, reason });
  });

  it('a dissatisfied tier-3 customer reopens one level up from the tier, at least orange, with a repeat first response', () => {
    const d = decideCommand(
      rules,
      ev({ state: 'resolved' }),
      cmd('satisfaction', { complaint: 'C1', satisfied: false }),
      active,
    );
    expect(d).toMatchObject({
      level: 'orange',
      ackIn: rules.complaint.ackDeadline.repeat,
      deadlineIn: rules.complaint.deadline[3],
    });
  });

  it('a refusal for uncleared evidence names the alarms', () => {
    expect(decideCommand(rules, ev(), cmd('resolve'), active)).toMatchObject({
      code: 'CADRE_ERR_CONFLICT',
      alarms: ['A1'],
    });
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

  it('when cleared, half a second after the opening (inside foldUpdates), is answered with its own transition', () => {
    // Held by the fold, the reply had the opening's seq: the gateway kept its older copy (no pending).
    const r = run([...lines, command('K1', 'resolve', id, 2 + 0.5 / 60, { when: 'cleared' })]);
    const out = r.outputs.find((o) => o.replies.length);
    expect(out?.replies[0]?.reply).toMatchObject({ ok: true, event: { seq: 2, resolvePending: true } });
    expect(out?.transitions.map((t) => [t.seq, t.transition, t.resolvePending])).toEqual([
      [2, 'updated', true],
    ]);
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
