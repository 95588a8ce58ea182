/**
 * A role never dies of the broker: while a JetStream cluster elects a leader, loses a node or is
 * still forming, requests time out or find no responder. Start-up steps wait and retry
 * (`untilDone`), what they wait for is listed for /readyz (`waitingFor`), and a broker error nobody
 * awaited is logged and counted instead of ending the process (`keepRunningOnBrokerErrors`).
 * Anything else — a config error, a bug — still stops it.
 */
import { Counter } from 'prom-client';
import { CadreError } from '../shared/errors.js';
import { registry } from '../shared/metrics.js';

const BROKER_ERRORS = new Set([
  'TimeoutError',
  'RequestError',
  'NoResponders',
  'ConnectionError',
  'ClosedConnectionError',
  'DrainingConnectionError',
  'JetStreamError',
  'JetStreamApiError',
  'JetStreamStatusError',
  'JetStreamNotEnabled',
  'StreamNotFoundError',
  'ConsumerNotFoundError',
]);

const brokerErrorsTotal = new Counter({
  name: 'cadre_broker_errors_total',
  help: 'NATS errors a role waited out (retried, or logged when nothing awaited them), by step',
  labelNames: ['what'] as const,
  registers: [registry],
});

/** A NATS error, or cadre's own "not there yet" (CADRE_ERR_UNAVAILABLE: a stream the processor has yet to create). */
export function isBrokerError(err: unknown): boolean {
  if (err instanceof CadreError) return err.code === 'CADRE_ERR_UNAVAILABLE';
  return err instanceof Error && BROKER_ERRORS.has(err.name);
}

const waits = new Map<string, string>();

/** What this process is waiting for at the moment ("what: last error"); empty when nothing. */
export function waitingFor(): string[] {
  return [...waits].map(([what, why]) => `${what}: ${why}`);
}

const MAX_DELAY_MS = 5000;

/** Runs `attempt` until it succeeds, retrying broker errors with back-off; other errors are thrown. */
export async function untilDone<T>(
  what: string,
  attempt: () => Promise<T>,
  log: (m: string) => void,
): Promise<T> {
  const value = await withBackOff(250, attempt, (err, delay) => {
    if (!isBrokerError(err)) throw err;
    brokerErrorsTotal.inc({ what });
    waits.set(what, (err as Error).message);
    log(`${what}: ${(err as Error).message}; retrying in ${delay} ms`);
  });
  waits.delete(what);
  return value;
}

/**
 * Runs `attempt` until it succeeds, waiting `firstDelayMs` after the first failure and twice as long
 * after each next one (at most 5 s); `onFailure` is told each error first and may throw it to give up.
 */
export async function withBackOff<T>(
  firstDelayMs: number,
  attempt: () => Promise<T>,
  onFailure: (err: unknown, delayMs: number) => void,
): Promise<T> {
  for (let delay = firstDelayMs; ; delay = Math.min(delay * 2, MAX_DELAY_MS)) {
    try {
      return await attempt();
    } catch (err) {
      onFailure(err, delay);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/**
 * `attempt` made again at once when it timed out, `tries` times in all. nats-server 2.9 places an
 * ordered consumer (R1) on any node of its stream, also one killed a moment ago that the cluster has
 * not yet found gone (about 90 s after a SIGKILL; nats-server PR 7165 fixed it in 2.11): its creation
 * goes unanswered, and the next one is placed again at random. The processor's start creates three
 * (the checkpoint's read, CADRE_EVENTS since it, the feed); begun again from the first on any
 * timeout, it took 85 s to win all three on the test cluster (docs/reliability.md).
 */
export async function retryTimeouts<T>(
  attempt: () => Promise<T>,
  tries: number,
  onRetry: (err: Error) => void,
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (i >= tries || !timedOut(err)) throw err;
      onRetry(err as Error);
    }
  }
}

/** A request nobody answered in time: nats.js's TimeoutError, or its message passed on by a thread. */
function timedOut(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.message === 'timeout');
}

let installed = false;

/** For a role's process: a stray broker error is logged and counted, never the end of the process. */
export function keepRunningOnBrokerErrors(log: (m: string) => void): void {
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', (err) => {
    if (!isBrokerError(err)) throw err;
    brokerErrorsTotal.inc({ what: 'unawaited' });
    log(`NATS: ${(err as Error).message} (not awaited anywhere; carrying on)`);
  });
}

/**
 * `work`, or a TimeoutError after `ms` (a broker timeout to `untilDone` and `retryTimeouts`): some
 * nats.js reads (an object store get, an ordered consumer that cannot be created on a node that
 * just restarted) retry on their own for minutes instead of failing; the caller's own retry then
 * starts again instead of waiting on them.
 */
export async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`${what}: no answer in ${ms / 1000} s`);
      err.name = 'TimeoutError';
      reject(err);
    }, ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
