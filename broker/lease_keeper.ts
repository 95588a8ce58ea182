/**
 * The lease keeper thread (broker/leases.ts starts one per `Leases`): its own NATS connection renews
 * every lease the instance holds, and announces the instance, every `renewInterval` — whatever the
 * main thread is doing. A main thread busy for seconds (a backlog, a large checkpoint, a machine
 * starved of CPU) used to read its renewals' answers late, count them as timed out, and give its
 * partitions up; a thread that does nothing else gets its answers in time.
 *
 * What the main thread needs to know is in shared memory: per lease, until when (process.hrtime,
 * monotonic and the same in every thread) it is surely ours — a renewal sent at `t` and stored keeps
 * anyone else from taking it before `t + ttl`; we say `t + 0.75 × ttl`. The main thread reads that
 * before every output without waiting for anything (`Lease.valid()`).
 *
 * A main thread that stopped turning its event loop for good (a hung process) must not keep its
 * partitions for ever through this thread: the main thread stamps `alive` every renewInterval, and
 * past `stallLimit` without a stamp nothing is renewed any more — the leases lapse as if it had died.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { noteJetStreamFailure, watchJetStream } from './js_watch.js';

export interface KeeperConfig {
  servers: string;
  /** The credentials of the main thread's connection (the same NATS user), if it has any. */
  auth: { user?: string; pass?: string; token?: string };
  name: string;
  bucket: string;
  /** ms */
  ttl: number;
  /** ms */
  renewInterval: number;
  /** ms without a stamp of the main thread after which nothing is renewed any more. */
  stallLimit: number;
  owner: string;
  /** BigInt64Array[1]: the main thread's last stamp (process.hrtime.bigint()). */
  alive: SharedArrayBuffer;
}

export interface Holder {
  owner: string;
  /** One per take: tells our own entry from one we took earlier and lost. */
  token: string;
  since: string;
}

export type KeeperRequest =
  | { op: 'take'; id: number; key: string; holder: Holder; until: SharedArrayBuffer }
  | { op: 'renew'; id: number; key: string }
  | { op: 'release'; id: number; key: string }
  | { op: 'heartbeat'; id: number; key: string }
  | { op: 'leave'; id: number; key: string }
  | { op: 'stop'; id: number };

/** A request as the main thread makes it (the id is added when it is sent). */
export type KeeperCall = KeeperRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

export type KeeperReport =
  | { type: 'ready' }
  | { type: 'reply'; id: number; ok: boolean; error?: string }
  | { type: 'lost'; key: string; why: string }
  | { type: 'log'; message: string }
  | { type: 'failed'; message: string };

/** Slots of a lease's `until` array (BigInt64Array). */
export const UNTIL = 0;

interface Held {
  key: string;
  holder: Holder;
  revision: number;
  until: BigInt64Array;
  /** The renewal running now: renewals of one lease never overlap (each writes at the revision of the last). */
  busy: Promise<unknown>;
  released: boolean;
}

const now = () => process.hrtime.bigint();
const ms = (n: number) => BigInt(Math.round(n * 1e6));

/** JetStream's "wrong last sequence": the entry is not at the revision the write expected. */
export function isWrongRevision(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

async function main(port: MessagePort, config: KeeperConfig): Promise<void> {
  const report = (r: KeeperReport) => port.postMessage(r);
  const log = (message: string) => report({ type: 'log', message });
  const alive = new BigInt64Array(config.alive);
  const held = new Map<string, Held>();
  const memberKeys = new Set<string>();
  let nc: NatsConnection;
  let kv: KV;
  try {
    nc = await connect({
      servers: config.servers.split(','),
      // In the order given: the main thread's own server first (broker/leases.ts).
      noRandomize: true,
      ...config.auth,
      name: config.name,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      noAsyncTraces: true,
    });
    watchJetStream(nc, { servers: config.servers.split(','), log });
    kv = await new Kvm(jetstream(nc)).open(config.bucket);
  } catch (err) {
    report({ type: 'failed', message: (err as Error).message });
    return;
  }

  const mainAlive = () => now() - Atomics.load(alive, 0) < ms(config.stallLimit);
  const validFor = (sent: bigint) => sent + ms(config.ttl * 0.75);

  /** Renews at the revision held: true when stored, false when the entry is no longer ours; throws on a timeout. */
  const renewOnce = async (lease: Held): Promise<boolean> => {
    const sent = now();
    try {
      // Up to half the ttl: an answer after that could not keep the lease surely ours for long anyway.
      lease.revision = await kv.update(
        lease.key,
        JSON.stringify(lease.holder),
        lease.revision,
        config.ttl / 2,
      );
      if (!lease.released) Atomics.store(lease.until, UNTIL, validFor(sent));
      return true;
    } catch (err) {
      if (!isWrongRevision(err)) throw err;
      // A renewal that timed out may have been stored after all: then the entry is still ours.
      const entry = await kv.get(lease.key);
      if (!entry || entry.operation !== 'PUT' || entry.json<Holder>().token !== lease.holder.token)
        return false;
      lease.revision = entry.revision;
      return renewOnce(lease);
    }
  };

  const lose = (lease: Held, why: string) => {
    Atomics.store(lease.until, UNTIL, 0n);
    if (held.get(lease.key) === lease) held.delete(lease.key);
    report({ type: 'lost', key: lease.key, why });
  };

  /** One renewal of `lease` after the one running: the answer, or the error of a timeout. */
  const renew = (lease: Held): Promise<boolean> => {
    const result = lease.busy.then(async () => {
      if (lease.released) return false;
      const kept = await renewOnce(lease);
      if (!kept) lose(lease, 'taken or expired');
      return kept;
    });
    lease.busy = result.catch(() => undefined);
    return result;
  };

  let stopped = false;
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const round = async () => {
    if (!mainAlive()) {
      if (!stalled)
        log(`the main thread has not run for ${config.stallLimit} ms: its leases are not renewed`);
      stalled = true;
      return;
    }
    if (stalled) log('the main thread runs again: renewing its leases');
    stalled = false;
    await Promise.all([
      ...[...held.values()].map((lease) =>
        renew(lease).catch((err: Error) => {
          noteJetStreamFailure(nc, err);
          log(`${lease.key}: not renewed (${err.message}); retrying`);
        }),
      ),
      ...[...memberKeys].map((key) =>
        kv.put(key, new Date().toISOString()).catch((err: Error) => {
          noteJetStreamFailure(nc, err);
          log(`${key}: ${err.message}`);
        }),
      ),
    ]);
  };
  const loop = () => {
    void round().finally(() => {
      if (!stopped) timer = setTimeout(loop, config.renewInterval);
    });
  };

  const handle = async (req: KeeperRequest): Promise<boolean> => {
    switch (req.op) {
      case 'take': {
        const sent = now();
        try {
          const revision = await kv.create(req.key, JSON.stringify(req.holder));
          const until = new BigInt64Array(req.until);
          Atomics.store(until, UNTIL, validFor(sent));
          held.set(req.key, {
            key: req.key,
            holder: req.holder,
            revision,
            until,
            busy: Promise.resolve(),
            released: false,
          });
          return true;
        } catch (err) {
          if (isWrongRevision(err)) return false;
          throw err;
        }
      }
      case 'renew': {
        const lease = held.get(req.key);
        return lease ? renew(lease) : false;
      }
      case 'release': {
        const lease = held.get(req.key);
        if (!lease) return false;
        held.delete(req.key);
        lease.released = true;
        Atomics.store(lease.until, UNTIL, 0n);
        await lease.busy;
        // Only if it is still ours: at the revision held, or at the one a late renewal left.
        try {
          await kv.delete(req.key, { previousSeq: lease.revision });
        } catch (err) {
          if (!isWrongRevision(err)) throw err;
          const entry = await kv.get(req.key);
          if (entry?.operation === 'PUT' && entry.json<Holder>().token === lease.holder.token)
            await kv.delete(req.key, { previousSeq: entry.revision });
        }
        return true;
      }
      case 'heartbeat':
        memberKeys.add(req.key);
        await kv.put(req.key, new Date().toISOString());
        return true;
      case 'leave':
        memberKeys.delete(req.key);
        await kv.delete(req.key);
        return true;
      case 'stop':
        stopped = true;
        clearTimeout(timer);
        for (const lease of held.values()) Atomics.store(lease.until, UNTIL, 0n);
        await nc.close();
        return true;
    }
  };

  port.on('message', (req: KeeperRequest) => {
    handle(req).then(
      (ok) => report({ type: 'reply', id: req.id, ok }),
      (err: Error) => report({ type: 'reply', id: req.id, ok: false, error: err.message }),
    );
  });
  loop();
  report({ type: 'ready' });
}

if (parentPort && (workerData as { keeper?: KeeperConfig } | null)?.keeper)
  void main(parentPort, (workerData as { keeper: KeeperConfig }).keeper);
