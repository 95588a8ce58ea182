/**
 * A connection on a server without JetStream for it (a cluster node restarted with accounts answers
 * "no responders" for a while) moves to a server that has it: here a plain nats-server without
 * `-js` listed first, and the suite's JetStream server second.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { useNats } from '../helpers/nats.js';
import { ensureNatsServer, isListening } from '../../broker/nats_server.js';
import { freePorts } from '../../broker/nats_cluster.js';
import { noteJetStreamFailure, watchJetStream } from '../../broker/js_watch.js';
import { waitFor } from '../processor/live_helpers.js';

const fixture = useNats();
const stops: (() => void)[] = [];
afterAll(() => stops.forEach((stop) => stop()));

/** A plain nats-server (no `-js`) on a free port, and a connection to it that knows the suite's too. */
async function onPlainServer() {
  const [port] = (await freePorts(1)) as [number];
  const plain = spawn(ensureNatsServer(), ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  stops.push(() => plain.kill('SIGKILL'));
  await waitFor('the plain server', () => isListening('127.0.0.1', port, 200), 10_000);
  const servers = [`nats://127.0.0.1:${port}`, fixture.url];
  const nc = await connect({ servers, noRandomize: true, maxReconnectAttempts: -1 });
  stops.push(() => void nc.close());
  expect(nc.getServer()).toBe(`127.0.0.1:${port}`);
  return { nc, port, servers };
}

describe('watchJetStream', () => {
  it('moves a connection off a server whose JetStream does not answer', async () => {
    const { nc, port, servers } = await onPlainServer();
    const said: string[] = [];
    watchJetStream(nc, { servers, intervalMs: 200, misses: 3, log: (m) => said.push(m) });

    await waitFor('the move', () => nc.getServer() !== `127.0.0.1:${port}`, 10_000);
    expect(said[0]).toMatch(
      /^JetStream does not answer on 127\.0\.0\.1:\d+ \(no responders 0\.6 s\): moving/,
    );
    await waitFor(
      'JetStream through the connection',
      () => jetstreamManager(nc).then(async (jsm) => (await jsm.getAccountInfo()) !== undefined),
      10_000,
    );
  });

  it("moves on its users' own unanswered operations, before the probe would", async () => {
    const { nc, port, servers } = await onPlainServer();
    const said: string[] = [];
    watchJetStream(nc, { servers, intervalMs: 60_000, log: (m) => said.push(m) });
    // What a lease renewal or a stream publish on such a server gets: "jetstream is not enabled".
    const failure = await jetstreamManager(nc, { checkAPI: false })
      .then((jsm) => jsm.getAccountInfo())
      .then(
        () => undefined,
        (err: Error) => err,
      );
    expect(failure?.name).toBe('JetStreamNotEnabled');
    noteJetStreamFailure(nc, new Error('timed out waiting for the PubAck')); // not a server's answer
    noteJetStreamFailure(nc, failure);
    noteJetStreamFailure(nc, failure);
    expect(nc.getServer()).toBe(`127.0.0.1:${port}`);
    noteJetStreamFailure(nc, failure);
    await waitFor('the move', () => nc.getServer() !== `127.0.0.1:${port}`, 10_000);
    expect(said).toEqual([
      expect.stringMatching(
        /^JetStream does not answer on 127\.0\.0\.1:\d+ \(3 operations unanswered in 3 s\)/,
      ),
    ]);
  });
});
