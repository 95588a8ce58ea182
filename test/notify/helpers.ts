/**
 * Notifier test helpers: a config with the fixture topology and a given notify.yaml, HTTP receivers
 * on 127.0.0.1 that record every request and answer as a test says, and the metric counts.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { ensureStreams } from '../../broker/streams.js';
import { NotifySchema, type Notify, type Subscriber } from '../../config/notify.js';
import { startNotifier, type NotifierOptions, type RunningNotifier } from '../../notify/notifier.js';
import { notificationsTotal } from '../../shared/metrics.js';
import type { NatsFixture } from '../helpers/nats.js';
import { fixtureConfig } from '../ingest/helpers.js';

export { transition, publishTransitions } from '../gateway/helpers.js';

/** The fixture config with `notify` (notify.yaml as an object). */
export function notifyConfig(notify: Record<string, unknown>) {
  return fixtureConfig({ 'notify.yaml': JSON.stringify(notify) });
}

/** Subscribers as notify.yaml would give them, defaults filled in. */
export function subscribers(raw: Record<string, unknown>[]): Subscriber[] {
  const decoded: Notify = Value.Decode(NotifySchema, Value.Default(NotifySchema, { subscribers: raw }));
  return decoded.subscribers;
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** The status the receiver answered. */
  status: number;
  /** When it arrived, epoch ms. */
  at: number;
}

export interface Receiver {
  url: string;
  requests: Received[];
  close(): Promise<void>;
}

/** A status, or a status with response headers (e.g. `Retry-After`). */
export type Answer = number | { status: number; headers: Record<string, string> };

/** A real HTTP receiver; `answer(n)` gives the status of its n-th request (1-based). */
export async function startReceiver(answer: (n: number) => Answer = () => 200): Promise<Receiver> {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const given = answer(requests.length + 1);
      const { status, headers } = typeof given === 'number' ? { status: given, headers: {} } : given;
      requests.push({
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        status,
        at: Date.now(),
      });
      res.writeHead(status, headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * A notifier and receivers per test over the file's nats-server: the streams made once, whatever a
 * test started stopped after it. `current()` is the running notifier, for a test that stops it itself.
 */
export function useNotifier(nats: NatsFixture, options: Pick<NotifierOptions, 'log'> = {}) {
  const open: { notifier?: RunningNotifier; receivers: Receiver[] } = { receivers: [] };
  beforeAll(async () => {
    await ensureStreams(nats.nc, notifyConfig({}));
  });
  afterEach(async () => {
    await open.notifier?.stop();
    open.notifier = undefined;
    for (const r of open.receivers.splice(0)) await r.close();
  });
  return {
    async receiver(answer?: (n: number) => Answer): Promise<Receiver> {
      const r = await startReceiver(answer);
      open.receivers.push(r);
      return r;
    },
    async notifier(notify: Record<string, unknown>, now?: () => number): Promise<RunningNotifier> {
      open.notifier = await startNotifier({
        nc: nats.nc,
        config: notifyConfig(notify),
        ...options,
        ...(now ? { now } : {}),
      });
      return open.notifier;
    },
    /** Forgets the running notifier (the test stopped it). */
    stopped(): void {
      open.notifier = undefined;
    },
    current: () => open.notifier,
  };
}

/** cadre_notifications_total for one channel and outcome. */
export async function notified(
  channel: 'webhook' | 'sms',
  outcome: 'sent' | 'retried' | 'failed' | 'folded',
): Promise<number> {
  const { values } = await notificationsTotal.get();
  return values.find((v) => v.labels.channel === channel && v.labels.outcome === outcome)?.value ?? 0;
}

export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits `ms`: only to show that nothing more arrives after the expected deliveries. */
export const quietFor = (ms: number) => new Promise((r) => setTimeout(r, ms));
