/**
 * A connection whose server has no JetStream for its account moves to another server of the
 * cluster. A node restarted into a cluster whose accounts are in its config answers every JetStream
 * request with "no responders" ("jetstream is not enabled") until it has caught up with the meta
 * leader — measured on the test cluster: tens of seconds, sometimes over 90 s. A client that
 * reconnected to it meanwhile would see every lease renewal, checkpoint and publish fail although
 * two healthy nodes are a reconnect away; the client never moves by itself, it is connected.
 *
 * Only "no responders" counts: it is the server's own answer. A timeout may be this process being
 * slow (a starved CPU) and moving would not help.
 */
import { RequestError, NoRespondersError, type NatsConnection } from '@nats-io/transport-node';

export interface JetStreamWatchOptions {
  /** The servers the connection was given (NATS_URL): with the cluster's gossip, where it may go. */
  servers: string[];
  /** How often JetStream is asked (`$JS.API.INFO`, which every cadre NATS user may request). */
  intervalMs?: number;
  /** Consecutive "no responders" answers before moving. */
  misses?: number;
  log?: (message: string) => void;
}

const noResponders = (err: unknown): boolean =>
  err instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders());

/** Watches until the connection closes. */
export function watchJetStream(nc: NatsConnection, options: JetStreamWatchOptions): void {
  const intervalMs = options.intervalMs ?? 2000;
  const misses = options.misses ?? 3;
  let missed = 0;
  // Another server to go to: one of the URLs given, or one the cluster told the client of.
  const hostPort = (url: string) => url.trim().replace(/^\w+:\/\//, '');
  const elsewhere = () =>
    new Set([...options.servers, ...(nc.info?.connect_urls ?? [])].map(hostPort)).size > 1;
  const timer = setInterval(() => {
    if (nc.isClosed() || nc.isDraining()) return clearInterval(timer);
    nc.request('$JS.API.INFO', undefined, { timeout: Math.min(1000, intervalMs) }).then(
      () => (missed = 0),
      (err: unknown) => {
        if (!noResponders(err)) return;
        if (++missed < misses || !elsewhere()) return;
        missed = 0;
        options.log?.(
          `JetStream does not answer on ${nc.getServer()} (no responders ${(misses * intervalMs) / 1000} s): moving to another server`,
        );
        nc.reconnect().catch(() => undefined);
      },
    );
  }, intervalMs);
  timer.unref();
}
