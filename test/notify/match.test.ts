import { describe, expect, it } from 'vitest';
import { matchReason, recipients } from '../../notify/match.js';
import { subscribers, transition } from './helpers.js';

const [onCall, orangeToo, step1, step2, closer, changsha] = subscribers([
  { name: 'on-call', channel: 'sms', phone: '+8613800000001' },
  { name: 'orange too', channel: 'sms', phone: '+8613800000002', levels: ['red', 'orange'] },
  { name: 'step 1', channel: 'webhook', url: 'http://x/1', steps: [1] },
  { name: 'step 2', channel: 'webhook', url: 'http://x/2', steps: [2] },
  { name: 'closer', channel: 'webhook', url: 'http://x/c', transitions: ['resolved', 'cleared'] },
  {
    name: 'HY only',
    channel: 'webhook',
    url: 'http://x/h',
    cities: ['HY'],
    levels: ['red', 'orange'],
    steps: [0, 1],
  },
]);

describe('the ladder (matchReason)', () => {
  const cases = [
    // [subscriber, transition fields, reason]
    ['no levels means red only: red opened', onCall, { transition: 'opened', level: 'red' }, 'opened'],
    ['no levels means red only: orange opened', onCall, { transition: 'opened', level: 'orange' }, undefined],
    ['levels: orange opened', orangeToo, { transition: 'opened', level: 'orange' }, 'opened'],
    ['levels: yellow opened', orangeToo, { transition: 'opened', level: 'yellow' }, undefined],
    [
      'step 0 gets no escalation',
      onCall,
      { transition: 'escalated', level: 'red', escalationStep: 1 },
      undefined,
    ],
    ['a step-1 subscriber is not told of openings', step1, { transition: 'opened', level: 'red' }, undefined],
    [
      'step 1 gets escalation to step 1',
      step1,
      { transition: 'escalated', level: 'red', escalationStep: 1 },
      'escalated',
    ],
    ['step 1 misses step 2', step1, { transition: 'escalated', level: 'red', escalationStep: 2 }, undefined],
    [
      'escalations go by step, not level',
      step2,
      { transition: 'escalated', level: 'orange', escalationStep: 2 },
      'escalated',
    ],
    ['updates go to nobody by default', onCall, { transition: 'updated', level: 'red' }, undefined],
    ['transitions adds resolved', closer, { transition: 'resolved', level: 'red' }, 'listed'],
    ['transitions adds cleared', closer, { transition: 'cleared', level: 'red' }, 'listed'],
    [
      'listed transitions keep the levels filter',
      closer,
      { transition: 'resolved', level: 'orange' },
      undefined,
    ],
    ['transitions keeps the opened of step 0', closer, { transition: 'opened', level: 'red' }, 'opened'],
    ['cities filter openings', changsha, { transition: 'opened', level: 'red', city: 'XT' }, undefined],
    ['cities pass their own', changsha, { transition: 'opened', level: 'orange', city: 'HY' }, 'opened'],
    [
      'cities filter escalations',
      changsha,
      { transition: 'escalated', level: 'red', city: 'XT', escalationStep: 1 },
      undefined,
    ],
    [
      'cities pass escalations',
      changsha,
      { transition: 'escalated', level: 'red', city: 'HY', escalationStep: 1 },
      'escalated',
    ],
  ] as const;

  it.each(cases)('%s', (_name, subscriber, fields, reason) => {
    expect(matchReason(subscriber!, transition(fields))).toBe(reason);
  });
});

describe('recipients', () => {
  it('lists each matching subscriber once, in config order', () => {
    const all = [onCall!, orangeToo!, step1!, step2!, closer!, changsha!];
    const names = (fields: Parameters<typeof transition>[0]) =>
      recipients(all, transition(fields)).map((s) => s.name);
    expect(names({ transition: 'opened', level: 'red', city: 'HY' })).toEqual([
      'on-call',
      'orange too',
      'closer',
      'HY only',
    ]);
    expect(names({ transition: 'escalated', level: 'red', city: 'XT', escalationStep: 1 })).toEqual([
      'step 1',
    ]);
    expect(names({ transition: 'commented', level: 'red' })).toEqual([]);
  });
});
