/** Dispatcher commands (docs/rules.md "Dispatcher commands"), resolving a complaint event included. */
import { describe, expect, it } from 'vitest';
import { cleared, command, complaint, of, raised, run, tick } from '../helpers.js';
import { G, NO_CONTACT, cell } from './fixtures.js';

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
