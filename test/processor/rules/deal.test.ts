/** Deal (CONTRACT.md "Deal"): work orders, contact, promises, resolve when cleared, satisfaction, may-wait. */
import { describe, expect, it } from 'vitest';
import {
  decideContactDeadline,
  decideFirstResponse,
  decidePromise,
  decideResume,
} from '../../../processor/core/rules/deal.js';
import type { EventState, WorkOrderState } from '../../../processor/core/state.js';
import type { EventTransition } from '../../../shared/schemas.js';
import { cleared, command, complaint, minutesBetween, of, raised, run, tick, type Run } from '../helpers.js';
import { G, cell } from './fixtures.js';

const EVENT = `${G}.complaint.20261015T010000`;
const complaints = (r: Run) => of(r.transitions, G, 'complaint');
const replies = (r: Run) => r.outputs.flatMap((o) => o.replies.map((x) => x.reply));
const card = (r: Run, minutes: number) =>
  r.core
    .scorecards(Date.parse('2026-10-15T01:00:00Z'), Date.parse('2026-10-15T01:00:00Z') + minutes * 60_000)
    .find((s) => s.grid === G)!;
const steps = (ts: EventTransition[]) => ts.map((t) => [t.seq, t.transition, t.state, t.level]);

describe('deal: the decision of a work order timer due at 100', () => {
  const ev = (extra: Partial<EventState> = {}) =>
    ({ state: 'open', ackDeadline: 200, ackEscalated: false, ...extra }) as EventState;
  const order = (extra: Partial<WorkOrderState> = {}): WorkOrderState => ({
    complaint: 'C1',
    customer: 'k1',
    tier: 4,
    receivedAt: 0,
    ackDeadline: 100,
    contactDeadline: 100,
    ...extra,
  });
  it.each([
    ['first response: due', decideFirstResponse, ev(), order(), 'escalate', 'first-response-overdue'],
    ['first response: responded', decideFirstResponse, ev(), order({ respondedAt: 50 }), 'none', 'stale'],
    ['first response: moved since', decideFirstResponse, ev(), order({ ackDeadline: 90 }), 'none', 'stale'],
    [
      "first response: the event's own escalated for it",
      decideFirstResponse,
      ev({ ackEscalated: true, ackDeadline: 100 }),
      order(),
      'count',
      'covered',
    ],
    [
      'first response: the order escalated before',
      decideFirstResponse,
      ev(),
      order({ escalated: true }),
      'count',
      'escalated-before',
    ],
    [
      'first response: deferred',
      decideFirstResponse,
      ev({ state: 'deferred' }),
      order(),
      'count',
      'deferred',
    ],
    ['first response: no such event', decideFirstResponse, undefined, order(), 'none', 'stale'],
    ['first response: no such work order', decideFirstResponse, ev(), undefined, 'none', 'stale'],
    ['contact: due', decideContactDeadline, ev(), order(), 'escalate', 'contact-overdue'],
    ['contact: reached', decideContactDeadline, ev(), order({ contactedAt: 50 }), 'none', 'stale'],
    [
      'contact: the order escalated before',
      decideContactDeadline,
      ev(),
      order({ escalated: true }),
      'count',
      'escalated-before',
    ],
    ['contact: deferred', decideContactDeadline, ev({ state: 'deferred' }), order(), 'count', 'deferred'],
    [
      'promise: due',
      decidePromise,
      ev(),
      order({ promise: { at: 100, moves: 0 } }),
      'escalate',
      'promise-broken',
    ],
    [
      'promise: broken before',
      decidePromise,
      ev(),
      order({ promise: { at: 100, moves: 0 }, promiseBroken: true }),
      'none',
      'stale',
    ],
    ['promise: moved since', decidePromise, ev(), order({ promise: { at: 300, moves: 1 } }), 'none', 'stale'],
    [
      'promise: deferred',
      decidePromise,
      ev({ state: 'deferred' }),
      order({ promise: { at: 100, moves: 0 } }),
      'count',
      'deferred',
    ],
  ] as const)('%s', (_name, decide, event, o, kind, reason) => {
    expect(decide(event, o, 100)).toEqual({ kind, reason });
  });

  it.each([
    ['nothing passed meanwhile', { ackDeadline: 200, deadline: 300 }, false, false],
    ['the first response passed', { ackDeadline: 50, deadline: 300 }, true, false],
    [
      'both passed, the first response escalated',
      { ackDeadline: 50, deadline: 60, ackEscalated: true },
      false,
      true,
    ],
  ] as const)('resume: %s', (_name, extra, ackDue, deadlineDue) => {
    const d = decideResume(ev({ state: 'deferred', deadlineEscalated: false, ...extra }), 100);
    expect(d).toEqual({ kind: 'resume', reason: 'new-evidence', ackDue, deadlineDue });
  });
});

describe('work orders', () => {
  it('one per complaint, each with its own first-response and contact deadline, the phone as its last four digits', () => {
    const r = run([
      complaint('C1', 0, 'k1', 4, G, { customer: { id: 'k1', tier: 4, phone: '+86 138 0013 1234' } }),
      complaint('C2', 10, 'k2', 1, G),
      tick(11),
    ]);
    expect(complaints(r).at(-1)!.workOrders).toEqual([
      {
        complaint: 'C1',
        customer: 'k1',
        tier: 4,
        phone4: '1234',
        receivedAt: '2026-10-15T01:00:00.000Z',
        ackDeadline: '2026-10-16T01:00:00.000Z',
        contactDeadline: '2026-10-15T02:00:00.000Z',
      },
      {
        complaint: 'C2',
        customer: 'k2',
        tier: 1,
        receivedAt: '2026-10-15T01:10:00.000Z',
        ackDeadline: '2026-10-15T01:40:00.000Z',
        contactDeadline: '2026-10-15T02:10:00.000Z',
      },
    ]);
  });

  it('a customer not contacted within deal.contactWithin escalates the event once, and counts against the grid', () => {
    const r = run([complaint('C1', 0, 'k1', 4, G), tick(59), tick(61), tick(120)]);
    expect(steps(complaints(r))).toEqual([
      [1, 'opened', 'open', 'yellow'],
      [2, 'escalated', 'open', 'orange'],
    ]);
    expect(minutesBetween(complaints(r)[0]!.openedAt, complaints(r)[1]!.at)).toBe(60);
    expect(card(r, 120)).toMatchObject({ contactMetPct: 0 });
  });

  it('a contact that reaches the customer in time stops it, and is a transition with the channel and who', () => {
    const r = run([
      complaint('C1', 0, 'k1', 4, G),
      command('K1', 'contact', EVENT, 20, {
        complaint: 'C1',
        channel: 'phone',
        outcome: 'reached',
        text: 'called back',
      }),
      tick(120),
    ]);
    expect(steps(complaints(r))).toEqual([
      [1, 'opened', 'open', 'yellow'],
      [2, 'contacted', 'open', 'yellow'],
    ]);
    const t = complaints(r)[1]!;
    expect(t).toMatchObject({ by: 'disp-1', text: 'called back' });
    expect(t.workOrders![0]).toMatchObject({
      contactedAt: '2026-10-15T01:20:00.000Z',
      contact: { channel: 'phone', outcome: 'reached', by: 'disp-1' },
    });
    expect(card(r, 120)).toMatchObject({ contactMetPct: 1, firstResponseMetPct: 1 });
  });

  it('an unreachable customer is a first response, not a contact: the contact deadline still escalates', () => {
    const r = run([
      complaint('C1', 0, 'k1', 4, G),
      command('K1', 'contact', EVENT, 20, { complaint: 'C1', channel: 'phone', outcome: 'unreachable' }),
      tick(61),
    ]);
    expect(complaints(r).map((t) => t.transition)).toEqual(['opened', 'contacted', 'escalated']);
  });

  it('a tier-1 complaint joining an acknowledged event has its own 30-minute first response', () => {
    const lines = [
      complaint('C1', 0, 'k1', 4, G),
      command('K1', 'ack', EVENT, 5),
      complaint('C2', 10, 'k2', 1, G),
    ];
    const missed = run([...lines, tick(39), tick(41)]);
    expect(complaints(missed).map((t) => [t.transition, t.level, t.state])).toEqual([
      ['opened', 'yellow', 'open'],
      ['acknowledged', 'yellow', 'acknowledged'],
      ['updated', 'orange', 'acknowledged'],
      ['escalated', 'red', 'acknowledged'],
    ]);
    expect(complaints(missed).at(-1)!.at).toBe('2026-10-15T01:40:00.000Z');
    const answered = run([
      ...lines,
      command('K2', 'contact', EVENT, 25, { complaint: 'C2', channel: 'sms', outcome: 'reached' }),
      tick(59),
    ]);
    expect(complaints(answered).map((t) => t.transition)).not.toContain('escalated');
  });

  it('refuses a contact without a work order of the event', () => {
    const r = run([
      complaint('C1', 0, 'k1', 4, G),
      command('K1', 'contact', EVENT, 5, { complaint: 'C9', channel: 'phone', outcome: 'reached' }),
    ]);
    expect(replies(r)[0]).toMatchObject({ ok: false, code: 'CADRE_ERR_BAD_REQUEST' });
  });
});

describe('careful promises', () => {
  const plan = (id: string, minute: number, at: string, extra = {}) =>
    command(id, 'plan', EVENT, minute, { plan: { at, scenario: '基站扩容' }, complaint: 'C1', ...extra });

  it('the first plan is a promise; moving it needs a reason and counts; one passed unresolved escalates', () => {
    const r = run([
      complaint('C1', 0, 'k1', 4, G),
      command('K0', 'contact', EVENT, 5, { complaint: 'C1', channel: 'phone', outcome: 'reached' }),
      plan('K1', 10, '2026-10-15T03:00:00Z'),
      plan('K2', 20, '2026-10-15T05:00:00Z'),
      plan('K3', 30, '2026-10-15T05:00:00Z', { reason: '设备到货延迟' }),
      tick(5 * 60),
    ]);
    expect(replies(r).map((x) => (x.ok ? 'ok' : x.code))).toEqual([
      'ok',
      'ok',
      'CADRE_ERR_BAD_REQUEST',
      'ok',
    ]);
    const t = complaints(r);
    expect(t.map((x) => x.transition)).toEqual(['opened', 'contacted', 'planned', 'planned', 'escalated']);
    expect(t[3]).toMatchObject({ text: '设备到货延迟' });
    expect(t[3]!.workOrders![0]!.promise).toEqual({ at: '2026-10-15T05:00:00.000Z', moves: 1 });
    expect(t[4]!.at).toBe('2026-10-15T05:00:00.000Z');
    expect(t[4]!.workOrders![0]).toMatchObject({ promiseBroken: true, scenario: '基站扩容' });
    expect(card(r, 5 * 60)).toMatchObject({ promises: 1, promisesMoved: 1, promisesBroken: 1 });
  });

  it('a promise kept (resolved before it) breaks nothing', () => {
    const r = run([
      complaint('C1', 0, 'k1', 4, G),
      command('K0', 'contact', EVENT, 5, { complaint: 'C1', channel: 'phone', outcome: 'reached' }),
      plan('K1', 10, '2026-10-15T03:00:00Z'),
      command('K2', 'resolve', EVENT, 60, { text: 'done' }),
      tick(5 * 60),
    ]);
    expect(complaints(r).map((x) => x.transition)).toEqual(['opened', 'contacted', 'planned', 'resolved']);
    expect(card(r, 5 * 60)).toMatchObject({ promises: 1, promisesBroken: 0 });
  });
});

describe('resolution a dispatcher can finish', () => {
  const withAlarm = [
    raised('A1', cell(1), 'HIGH_PRB_UTIL', 0, { severity: 4 }),
    complaint('C1', 0, 'k1', 4, G),
  ];
  const contacted = command('K0', 'contact', EVENT, 1, {
    complaint: 'C1',
    channel: 'phone',
    outcome: 'reached',
  });

  it('resolve when cleared: pending until the last evidence alarm clears, then resolved by its author', () => {
    const r = run([
      ...withAlarm,
      contacted,
      command('K1', 'resolve', EVENT, 5, { when: 'cleared', text: '待告警清除' }),
      cleared('A1', cell(1), 'HIGH_PRB_UTIL', 30, { severity: 4 }),
      tick(31),
    ]);
    expect(replies(r).every((x) => x.ok)).toBe(true);
    const t = complaints(r);
    expect(t.map((x) => [x.transition, x.state, x.resolvePending ?? false])).toEqual([
      ['opened', 'open', false],
      ['contacted', 'open', false],
      ['updated', 'open', true],
      ['resolved', 'resolved', false],
    ]);
    expect(t[3]).toMatchObject({ at: '2026-10-15T01:30:00.000Z', by: 'disp-1', text: '待告警清除' });
  });

  it('a plain resolve still answers 409 with the uncleared alarms', () => {
    const r = run([...withAlarm, contacted, command('K1', 'resolve', EVENT, 5)]);
    expect(replies(r).at(-1)).toMatchObject({ ok: false, code: 'CADRE_ERR_CONFLICT', alarms: ['A1'] });
  });

  it('resolve naming unrelated alarms with a reason resolves at once, kept in the history and counted', () => {
    const r = run([
      ...withAlarm,
      contacted,
      command('K1', 'resolve', EVENT, 5, { unrelated: ['A1'] }),
      command('K2', 'resolve', EVENT, 6, { unrelated: ['A9'], reason: 'x' }),
      command('K3', 'resolve', EVENT, 7, { unrelated: ['A1'], reason: '容量告警与投诉无关', text: '已解释' }),
    ]);
    expect(
      replies(r)
        .slice(1)
        .map((x) => (x.ok ? 'ok' : x.code)),
    ).toEqual(['CADRE_ERR_BAD_REQUEST', 'CADRE_ERR_BAD_REQUEST', 'ok']);
    expect(complaints(r).at(-1)).toMatchObject({
      transition: 'resolved',
      unrelated: ['A1'],
      reason: '容量告警与投诉无关',
      text: '已解释',
    });
    expect(card(r, 10)).toMatchObject({ resolvedUnrelated: 1 });
  });
});

describe('satisfaction', () => {
  const resolved = [
    complaint('C1', 0, 'k1', 3, G),
    command('K0', 'contact', EVENT, 5, { complaint: 'C1', channel: 'phone', outcome: 'reached' }),
    command('K1', 'resolve', EVENT, 30, { text: 'fixed' }),
  ];

  it('a dissatisfied answer after resolution reopens the grid a new complaint event, at least orange, reopenOf the old', () => {
    const r = run([
      ...resolved,
      command('K2', 'satisfaction', EVENT, 40, { complaint: 'C1', satisfied: false, by: 'sms-gateway' }),
      tick(41),
    ]);
    const events = [...new Set(complaints(r).map((t) => t.id))];
    expect(events).toEqual([EVENT, `${G}.complaint.20261015T014000`]);
    const reopened = complaints(r).filter((t) => t.id === events[1]);
    expect(reopened[0]).toMatchObject({ transition: 'opened', level: 'orange', reopenOf: EVENT });
    expect(reopened[0]!.evidence.complaints).toEqual(['C1']);
    expect(reopened[0]!.workOrders![0]).toMatchObject({
      complaint: 'C1',
      receivedAt: '2026-10-15T01:40:00.000Z',
    });
    // Nothing after the old event's end.
    expect(
      complaints(r)
        .filter((t) => t.id === EVENT)
        .at(-1)!.transition,
    ).toBe('resolved');
    expect(card(r, 60)).toMatchObject({ satisfactionPct: 0 });
  });

  it('a satisfied answer is counted once and opens nothing', () => {
    const r = run([
      ...resolved,
      command('K2', 'satisfaction', EVENT, 40, { complaint: 'C1', satisfied: true }),
      command('K3', 'satisfaction', EVENT, 41, { complaint: 'C1', satisfied: false }),
      tick(42),
    ]);
    expect(new Set(complaints(r).map((t) => t.id)).size).toBe(1);
    expect(card(r, 60)).toMatchObject({ satisfactionPct: 1 });
  });
});

describe('may-wait (暂不解决)', () => {
  it('a deferred event leaves the board, waits through its deadlines, and comes back on new evidence', () => {
    const r = run([
      complaint('C1', 0, 'k1', 4, G),
      command('K1', 'defer', EVENT, 5, { reason: 'few-affected', text: '仅 2 户受影响' }),
      tick(26 * 60),
      complaint('C2', 26 * 60, 'k2', 4, G),
      tick(26 * 60 + 1),
    ]);
    const t = complaints(r);
    expect(t.map((x) => [x.transition, x.state])).toEqual([
      ['opened', 'open'],
      ['deferred', 'deferred'],
      ['resumed', 'open'],
      ['escalated', 'open'],
    ]);
    expect(t[1]).toMatchObject({ deferReason: 'few-affected', text: '仅 2 户受影响' });
    // The first response passed while it waited: due at once when it came back.
    expect(t[3]!.at).toBe(t[2]!.at);
    expect(r.core.gridDoc(G).level).toBe('orange');
    expect(card(r, 27 * 60)).toMatchObject({ deferred: 1 });
  });

  it('needs one of the seed reasons, and a deferred event colours no grid', () => {
    const r = run([
      complaint('C1', 0, 'k1', 4, G),
      command('K1', 'defer', EVENT, 5, { reason: 'because' }),
      command('K2', 'defer', EVENT, 6, { reason: 'customer-accepted' }),
      tick(7),
    ]);
    expect(replies(r).map((x) => (x.ok ? 'ok' : x.code))).toEqual(['CADRE_ERR_BAD_REQUEST', 'ok']);
    expect(r.core.gridDoc(G).level).toBeNull();
  });
});

describe('grid first, then up (80/20)', () => {
  it('hands an event up with a reason, only up, and counts the share that ended in the grid', () => {
    const other = `${G}.outage.20261015T010100`;
    const r = run([
      complaint('C1', 0, 'k1', 4, G),
      raised('A1', cell(1), 'CELL_DOWN', 0),
      command('K1', 'handover', EVENT, 5, { owner: 'city' }),
      command('K2', 'handover', EVENT, 6, { owner: 'city', reason: '需市公司协调传输' }),
      command('K3', 'handover', EVENT, 7, { owner: 'city', reason: 'again' }),
      command('K4', 'handover', EVENT, 8, { owner: 'province', reason: '跨地市' }),
      cleared('A1', cell(1), 'CELL_DOWN', 9),
      command('K5', 'resolve', EVENT, 10),
      tick(11),
    ]);
    expect(replies(r).map((x) => (x.ok ? 'ok' : x.code))).toEqual([
      'CADRE_ERR_BAD_REQUEST',
      'ok',
      'CADRE_ERR_CONFLICT',
      'ok',
      'ok',
    ]);
    const t = complaints(r).filter((x) => x.transition === 'handedOver');
    expect(t.map((x) => [x.owner, x.text])).toEqual([
      ['city', '需市公司协调传输'],
      ['province', '跨地市'],
    ]);
    // The outage cleared with its grid; the complaint event ended with the province.
    expect(of(r.transitions, G, 'outage').at(-1)).toMatchObject({ id: other, transition: 'cleared' });
    expect(card(r, 20)).toMatchObject({ handledInGridPct: 0.5 });
  });
});
