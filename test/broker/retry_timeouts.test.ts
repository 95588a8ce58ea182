/**
 * A start's read that timed out is made again at once (broker/broker_waits.ts retryTimeouts): on a
 * cluster that lost a node, each new ordered consumer is placed again, and may land on a live node.
 * The timeouts here are real nats.js ones: requests to a real nats-server with a subject that
 * answers only when told to.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Subscription } from '@nats-io/transport-node';
import { useNats } from '../helpers/nats.js';
import { retryTimeouts } from '../../broker/broker_waits.js';

const nats = useNats();
let answering = false;
let sub: Subscription;
beforeAll(() => {
  // A responder that stays silent until `answering`: the request times out, as one to a consumer
  // placed on a dead node does.
  sub = nats.nc.subscribe('probe', {
    callback: (_err, m) => {
      if (answering) m.respond('ok');
    },
  });
});
afterAll(() => sub.unsubscribe());

const ask = () => nats.nc.request('probe', undefined, { timeout: 100 }).then((m) => m.string());

describe('retryTimeouts', () => {
  it('makes a timed-out attempt again at once, until one is answered', async () => {
    const retried: string[] = [];
    let calls = 0;
    const answer = await retryTimeouts(
      () => {
        calls += 1;
        if (calls === 3) answering = true;
        return ask();
      },
      6,
      (err) => retried.push(err.message),
    );
    expect(answer).toBe('ok');
    expect(calls).toBe(3);
    expect(retried).toEqual(['timeout', 'timeout']);
    answering = false;
  });

  it('gives up after its tries with the last timeout, and never retries another error', async () => {
    let calls = 0;
    await expect(
      retryTimeouts(
        () => {
          calls += 1;
          return ask();
        },
        3,
        () => {},
      ),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(calls).toBe(3);

    calls = 0;
    await expect(
      retryTimeouts(
        async () => {
          calls += 1;
          throw new Error('checkpoint version 1 is not 2');
        },
        3,
        () => {},
      ),
    ).rejects.toThrow('checkpoint version');
    expect(calls).toBe(1);
    // The feeder thread passes nats.js's message on in an Error of its own: still a timeout.
    calls = 0;
    await expect(
      retryTimeouts(
        async () => {
          calls += 1;
          throw new Error('timeout');
        },
        2,
        () => {},
      ),
    ).rejects.toThrow('timeout');
    expect(calls).toBe(2);
  });
});
