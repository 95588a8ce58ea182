/**
 * A connection whose server has no JetStream for its account moves to another server of the
 * cluster. A node restarted into a cluster whose accounts are in its config answers JetStream
 * requests and stream publishes with "no responders" ("jetstream is not enabled") until it has caught
 * up — measured on the test cluster: tens of seconds, sometimes over 90 s. A client that reconnected
 * to it meanwhile sees every lease renewal, checkpoint and publish fail although two healthy nodes
 * are a reconnect away; the client never moves by itself, it is connected.
 *
 * Two signals, either moves it: `$JS.API.INFO` asked every 2 s and unanswered 3 times in a row, and
 * the connection's users' own failures (`noteJetStreamFailure`): 3 unanswered operations within 3 s —
 * a restarted node may answer INFO (the account's meta layer) before its streams are there, and a
 * lease's ttl is shorter than the probe's 6 s. Only "no responders" counts: it is the server's own
 * answer. A timeout may be this process being slow (a starved CPU), and moving would not help.
 */
import { RequestError, NoRespondersError, type NatsConnection } from '@nats-io/transport-node';

export interface JetStreamWatchOptions {
  /** The servers the connection was given (NATS_URL): with the cluster's gossip, where it may go. */
  servers: string[];
  /** How often JetStream is asked (`$JS.API.INFO`, which every cadre NATS user may request). */
  intervalMs?: number;
  /** Consecutive unanswered probes, or unanswered operations within 3 s, before moving. */
  misses?: number;
  log?: (message: string) => void;
}

/** Set on an error of cadre's own publisher when the server answered 503 (no stream listens). */
export const UNANSWERED = Symbol('no responders');

/** The server said nobody serves JetStream there: no responders, in any of the clients' forms. */
export function unanswered(err: unknown): boolean {
  return (
    err instanceof NoRespondersError ||
    // @nats-io/jetstream's own error for it (its class is not exported), also as the message of an
    // error that wrapped it.
    (err instanceof Error &&
      (err.name === 'JetStreamNotEnabled' || err.message === 'jetstream is not enabled')) ||
    (err instanceof RequestError && err.isNoResponders()) ||
    (err instanceof Error && (err as Error & { [UNANSWERED]?: boolean })[UNANSWERED] === true)
  );
}

const FAILURE_WINDOW_MS = 3000;
/** After a move, the next one waits this long: a cluster with no JetStream anywhere is not chased. */
const MOVE_PAUSE_MS = 10_000;

interface Watch {
  note(err: unknown): void;
}
const watches = new WeakMap<NatsConnection, Watch>();

/** A JetStream operation on `nc` failed: counted towards a move when it went unanswered. */
export function noteJetStreamFailure(nc: NatsConnection, err: unknown): void {
  watches.get(nc)?.note(err);
}

/** Watches until the connection closes. */
export function watchJetStream(nc: NatsConnection, options: JetStreamWatchOptions): void {
  const intervalMs = options.intervalMs ?? 2000;
  const misses = options.misses ?? 3;
  let missed = 0;
  let failures: number[] = [];
  let movedAt = -Infinity;
  // Another server to go to: one of the URLs given, or one the cluster told the client of.
  const hostPort = (url: string) => url.trim().replace(/^\w+:\/\//, '');
  const elsewhere = () =>
    new Set([...options.servers, ...(nc.info?.connect_urls ?? [])].map(hostPort)).size > 1;
  const move = (why: string) => {
    const now = Date.now();
    if (now - movedAt < MOVE_PAUSE_MS || !elsewhere() || nc.isClosed() || nc.isDraining()) return;
    movedAt = now;
    missed = 0;
    failures = [];
    options.log?.(`JetStream does not answer on ${nc.getServer()} (${why}): moving to another server`);
    nc.reconnect().catch(() => undefined);
  };
  watches.set(nc, {
    note(err) {
      if (!unanswered(err)) return;
      const now = Date.now();
      failures = failures.filter((t) => now - t < FAILURE_WINDOW_MS);
      failures.push(now);
      if (failures.length >= misses)
        move(`${failures.length} operations unanswered in ${FAILURE_WINDOW_MS / 1000} s`);
    },
  });
  const timer = setInterval(() => {
    if (nc.isClosed() || nc.isDraining()) return clearInterval(timer);
    nc.request('$JS.API.INFO', undefined, { timeout: Math.min(1000, intervalMs) }).then(
      () => (missed = 0),
      (err: unknown) => {
        if (!unanswered(err)) return;
        if (++missed >= misses) move(`no responders ${(misses * intervalMs) / 1000} s`);
      },
    );
  }, intervalMs);
  timer.unref();
}
