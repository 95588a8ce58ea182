/** The checker itself finds what it counts: a lost, a doubled, a skipped and a changed transition, a reject not in the DLQ, a notice twice. */
import { describe, expect, it } from 'vitest';
import { Core } from '../../processor/core/index.js';
import type { Subscriber } from '../../config/notify.js';
import type { EventTransition } from '../../shared/schemas.js';
import { HEADERS } from '../../shared/subjects.js';
import { compare, refusedTicksOf, type Expected, type Stored } from './checker.js';

const t = (id: string, seq: number, state = 'open') =>
  ({
    id,
    seq,
    state,
    level: 'red',
    transition: seq === 1 ? 'opened' : 'updated',
  }) as unknown as EventTransition;
const dead = (seq: number): Stored => ({
  seq: 1,
  subject: 'cadre.dlq.alarm',
  text: '',
  headers: { [HEADERS.originalSeq]: String(seq) },
});

describe('the fault checker', () => {
  it('counts each kind of damage once, and nothing on a clean run', () => {
    const expected: Expected = {
      transitions: [t('a', 1), t('a', 2), t('a', 3), t('b', 1)],
      rejectedSeqs: new Set([7, 9]),
      core: undefined as unknown as Core,
    };
    const clean = compare(expected, expected.transitions, [dead(7), dead(9)]);
    expect(Object.values(clean).filter((v) => Array.isArray(v) && v.length)).toEqual([]);

    const notice = (id: string, status = 200) => ({
      headers: { 'webhook-id': id },
      status,
      body: JSON.stringify(t('a', 1)),
    });
    const desk = {
      name: 'desk',
      channel: 'webhook',
      levels: ['red'],
      steps: [0],
      transitions: [],
    } as unknown as Subscriber;
    const report = compare(
      expected,
      [t('a', 1), t('a', 3), t('a', 3), { ...t('b', 1), level: 'blue' } as EventTransition],
      [dead(7), dead(8)],
      {
        receivers: [
          { subscriber: 'desk', notices: [notice('n1'), notice('n1', 500), notice('n2'), notice('n2')] },
        ],
        subscribers: [desk],
        screens: [{ name: 'wall', digest: () => ['a:3'] }],
      },
    );
    expect(report.lost).toEqual(['a:2']);
    expect(report.duplicated).toEqual(['a:3']);
    expect(report.gaps).toEqual(['a:2']);
    expect(report.unexpected).toEqual(['b:1']);
    expect(report.rejectsWithoutDlq).toEqual([9]);
    expect(report.unexpectedRejects).toEqual([8]);
    expect(report.redelivered).toEqual(['desk n2']);
    expect(report.noticesTwice).toEqual(['desk a:1']);
    expect(report.noticesLost).toEqual(['desk b:1']);
    expect(report.screensOff).toEqual(['wall']);
  });

  it('takes from the DLQ the ticks the processor refused by its wall clock, and nothing else', () => {
    const letter = (seq: number, subject: string, reason: string): Stored => ({
      seq,
      subject: 'cadre.dlq.tick',
      text: '',
      headers: {
        [HEADERS.originalSeq]: String(seq),
        [HEADERS.originalSubject]: subject,
        [HEADERS.rejectReason]: reason,
      },
    });
    const refused = refusedTicksOf([
      letter(
        5,
        'cadre.in.tick.all',
        "/time: tick 2274591334 s ahead of this processor's clock (maxFuture 900 s)",
      ),
      letter(6, 'cadre.in.tick.all', '/time: Expected required property'),
      letter(7, 'cadre.in.alarm.CS', "/time: tick 1 s ahead of this processor's clock (maxFuture 900 s)"),
    ]);
    expect([...refused]).toEqual([5]);
  });
});
