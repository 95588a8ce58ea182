/**
 * The notifier checks what it reads from NATS by the compiled schemas too (issue 10): a transition
 * on CADRE_EVENTS, a task on CADRE_NOTIFY, a disablement or a notification log of another shape is
 * logged and skipped — nobody is told of it, nobody is disabled by it, nothing is overwritten — and
 * the real ones beside it are delivered as ever.
 */
import { describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { useNats } from '../helpers/nats.js';
import { BUCKETS, subjects } from '../../shared/subjects.js';
import { publishTransitions, quietFor, transition, until, useNotifier } from './helpers.js';

const nats = useNats();
const lines: string[] = [];
const bench = useNotifier(nats, { log: (line) => lines.push(line) });

describe('the notifier skips what is not what it should be', () => {
  it('tells of the real transition only; a bad one, a bad task, a bad disablement and a bad log change nothing', async () => {
    const hook = await bench.receiver(() => 200);
    const kvm = new Kvm(jetstream(nats.nc));
    // A disablement of this very url, but not one: a status that is no number, no time.
    const disabled = await kvm.open(BUCKETS.notifyDisabled);
    await disabled.put('hook', JSON.stringify({ subscriber: 'hook', url: hook.url, status: 'gone' }));
    const good = transition({ id: 'ev-good', level: 'red' });
    const logKv = await kvm.open(BUCKETS.notifyLog);
    await logKv.put('ev-good', JSON.stringify({ id: 'ev-good', entries: 'none' }));

    await bench.notifier({ subscribers: [{ name: 'hook', channel: 'webhook', url: hook.url }] });
    const js = jetstream(nats.nc);
    // Red and opened, the shape a subscriber listens to, but no event's transition (no grid, no state…).
    await js.publish(
      subjects.event('XT', 'XT-YH-0003'),
      JSON.stringify({ kind: 'event', id: 'ev-bad', seq: 1, transition: 'opened', level: 'red' }),
    );
    await js.publish(subjects.event('XT', 'XT-YH-0003'), '{"kind":"event",');
    // A task for the subscriber whose transition is none.
    await js.publish(
      subjects.notify('webhook'),
      JSON.stringify({
        id: 'ev-task:1:hook',
        subscriber: 'hook',
        channel: 'webhook',
        transition: { kind: 'event' },
      }),
      { msgID: 'ev-task:1:hook' },
    );
    await publishTransitions(nats.nc, [good]);

    await until(() => hook.requests.length >= 1, 'the real notice');
    await quietFor(1000);
    expect(hook.requests).toHaveLength(1);
    expect(hook.requests[0]!.body).toContain('ev-good');
    expect(hook.requests[0]!.body).not.toContain('ev-bad');
    expect(hook.requests[0]!.body).not.toContain('ev-task');

    const skipped = (what: string) =>
      lines.filter((l) => l.includes('unreadable message skipped') && l.includes(what));
    expect(skipped('cadre.event.XT.XT-YH-0003')).toHaveLength(2);
    expect(skipped(subjects.notify('webhook'))).toHaveLength(1);
    expect(skipped(`${BUCKETS.notifyDisabled} hook`)).toHaveLength(1);
    expect(skipped(`${BUCKETS.notifyLog} ev-good`).length).toBeGreaterThan(0);
    // The log that is none is left as it was, not overwritten with an empty one.
    expect((await logKv.get('ev-good'))?.json()).toEqual({ id: 'ev-good', entries: 'none' });
  });
});
