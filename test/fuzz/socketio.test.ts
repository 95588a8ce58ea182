/**
 * Fuzz of the Socket.IO input path: generated messages on `/live` — `subscribe` with any argument,
 * with or without an ack, and events of any name and payload — from an anonymous wall screen and an
 * admin. The gateway stays healthy and keeps its screens, every ack is `{ok}` or cadre's
 * `{ok: false, error, message}`, and nothing is left unhandled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { io as connectIo, type Socket } from 'socket.io-client';
import { useNats } from '../helpers/nats.js';
import type { Gateway } from '../../gateway/server.js';
import { ensureCadreStreams, loginToken, startGateway, testConfig } from '../gateway/helpers.js';
import { LONG } from '../faults/stack.js';
import { fuzzCounts, useUnhandledRejections } from './counts.js';

const nats = useNats();
const unhandled = useUnhandledRejections();
let gateway: Gateway;
let url: string;
let token: string;
const RUNS = LONG ? 6000 : 2000;
/** Names Socket.IO reserves: the client throws on them before anything is sent. */
const RESERVED = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
]);

beforeAll(async () => {
  await ensureCadreStreams(nats.nc);
  gateway = await startGateway(nats.nc, { config: await testConfig({ anonymousViewer: true }) });
  url = await gateway.start(0);
  token = await loginToken(gateway, 'admin');
});
afterAll(async () => {
  await gateway?.close();
});

function screen(auth?: { token: string }): Promise<Socket> {
  const socket = connectIo(`${url}/live`, { transports: ['websocket'], forceNew: true, auth });
  return new Promise((resolve, reject) => {
    socket.once('snapshot', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

const outcome = (answer: unknown): string =>
  typeof answer === 'string'
    ? answer
    : (answer as { ok?: boolean }).ok
      ? 'ok'
      : ((answer as { error?: string }).error ?? 'answered');

describe('fuzz: Socket.IO messages', () => {
  it(
    `${RUNS} generated messages: the gateway stays up, every ack in cadre's format`,
    async () => {
      const sockets = [await screen(), await screen({ token })];
      const name = fc.oneof(
        fc.constantFrom('subscribe', 'subscribe', 'events', 'snapshot', 'stats', 'error', 'message'),
        fc.string({ maxLength: 20 }),
      );
      const arg = fc.oneof(
        fc.anything(),
        fc.record({ city: fc.oneof(fc.constantFrom('XT', 'HY', 'ZZ', null), fc.anything()) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.nat(1), name, arg, fc.boolean(), async (who, event, payload, withAck) => {
          if (RESERVED.has(event)) return;
          const socket = sockets[who]!;
          if (!withAck) {
            socket.emit(event, payload);
            return fuzzCounts.add('Socket.IO messages', 'no ack asked');
          }
          // Only subscribe answers; nothing listens to other names, so no ack is due from them.
          const answer = await socket
            .timeout(event === 'subscribe' ? 2000 : 20)
            .emitWithAck(event, payload)
            .catch(() => 'no answer');
          if (event === 'subscribe') {
            expect(answer, JSON.stringify(payload)?.slice(0, 100)).toMatchObject({ ok: expect.any(Boolean) });
            if (!(answer as { ok: boolean }).ok)
              expect((answer as { error: string }).error).toMatch(/^CADRE_ERR_[A-Z_]+$/);
          }
          fuzzCounts.add('Socket.IO messages', outcome(answer));
        }),
        {
          numRuns: RUNS,
          // Found by a clean-clone run: an object whose own toString is not a function once threw
          // out of the subscribe handler, an uncaught exception in the gateway.
          examples: [
            [0, 'subscribe', { city: { toString: 1 } }, true],
            [1, 'subscribe', { city: { valueOf: {}, toString: {} } }, false],
          ],
        },
      );
      // A message over the 16 KB buffer costs the sender its connection (Socket.IO closes it), only it:
      // the screen reconnects and gets a fresh snapshot.
      const snapshot = new Promise((resolve) => sockets[0]!.once('snapshot', resolve));
      sockets[0]!.emit('subscribe', { city: 'x'.repeat(100_000) });
      await snapshot;
      fuzzCounts.add('Socket.IO messages', 'over 16 KB: reconnected with a snapshot');
      expect((await gateway.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      expect(sockets.every((s) => s.connected)).toBe(true);
      for (const s of sockets) s.close();
      expect(unhandled).toEqual([]);
      fuzzCounts.print();
    },
    LONG ? 300_000 : 120_000,
  );
});
