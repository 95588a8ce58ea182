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
    ['no levels means red only: red opened', onCall, { transition: 'opened', level: 'red' }, 'reached'],
    ['no levels means red only: orange opened', onCall, { transition: 'opened', level: 'orange' }, undefined],
    ['levels: orange opened', orangeToo, { transition: 'opened', level: 'orange' }, 'reached'],
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
    // Red means red: a subscriber hears of an event when it reaches one of its levels, however.
    [
      'a lift into red reaches a red subscriber',
      onCall,
      { transition: 'updated', level: 'red', levelFrom: 'orange' },
      'reached',
    ],
    [
      'a lift within the levels below does not',
      onCall,
      { transition: 'updated', level: 'orange', levelFrom: 'yellow' },
      undefined,
    ],
    [
      'a lift into orange reaches an orange subscriber',
      orangeToo,
      { transition: 'updated', level: 'orange', levelFrom: 'yellow' },
      'reached',
    ],
    [
      'an escalation into red reaches step 0 of red',
      onCall,
      { transition: 'escalated', level: 'red', escalationStep: 1, levelFrom: 'orange' },
      'reached',
    ],
    [
      'an event inside an incident is told of through it',
      onCall,
      { transition: 'opened', level: 'red', incident: 'CS.incident.1' },
      undefined,
    ],
    [
      'and so are its escalations',
      step1,
      { transition: 'escalated', level: 'red', escalationStep: 1, incident: 'CS.incident.1' },
      undefined,
    ],
    ['transitions adds resolved', closer, { transition: 'resolved', level: 'red' }, 'listed'],
    ['transitions adds cleared', closer, { transition: 'cleared', level: 'red' }, 'listed'],
    [
      'listed transitions keep the levels filter',
      closer,
      { transition: 'resolved', level: 'orange' },
      undefined,
    ],
    ['transitions keeps the opened of step 0', closer, { transition: 'opened', level: 'red' }, 'reached'],
    ['cities filter openings', changsha, { transition: 'opened', level: 'red', city: 'XT' }, undefined],
    ['cities pass their own', changsha, { transition: 'opened', level: 'orange', city: 'HY' }, 'reached'],
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

  it('routes an incident like an event: its opening and escalations, once for all its grids', () => {
    const incident = {
      ...transition({ transition: 'opened', level: 'red' }),
      kind: 'incident',
    } as unknown as Parameters<typeof matchReason>[1];
    expect(matchReason(onCall!, incident)).toBe('reached');
    expect(
      matchReason(step1!, { ...incident, transition: 'escalated', escalationStep: 1 } as typeof incident),
    ).toBe('escalated');
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
