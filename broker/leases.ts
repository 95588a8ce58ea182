/**
 * Leases on NATS: who owns a piece of work (a processor partition, the SMS folding stage) is an entry
 * of the replicated KV bucket `cadre_leases`. Taken with `create` (refused while another holds it),
 * renewed with `update` at the revision we hold (refused once anyone else wrote it), and gone by
 * itself when not renewed: the bucket's max_age (nats-server 2.9 has no per-key TTL) removes an
 * entry `leases.ttl` after its last write. The cluster's own replication and leader election decide;
 * cadre adds no lock service of its own (docs/architecture.md, "High availability").
 *
 * Beside the server's word, each lease knows locally until when it is surely still ours: the server
 * stored our last renewal no earlier than we sent it, so nobody can take it before `sent + ttl`. We
 * stop writing a quarter of the ttl earlier (`valid()`), whatever the process was doing meanwhile —
 * a paused or starved owner sees on waking that its time is up before it publishes anything.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { BUCKETS } from '../shared/subjects.js';

interface Holder {
  owner: string;
  /** One per take: tells our own entry from one we took earlier and lost. */
  token: string;
  since: string;
}

/** Members announce themselves under this prefix (same bucket, same ttl) so owners can count them. */
const MEMBER_PREFIX = 'member.';
const LEASE_PREFIX = 'lease.';

export class Leases {
  private constructor(
    private readonly kv: KV,
    private readonly jsm: JetStreamManager,
    readonly ttl: number,
    /** This instance's name in the bucket (the `owner` of its leases). */
    readonly owner: string,
  ) {}

  /** Opens the bucket ensureStreams created. */
  static async open(nc: NatsConnection, ttl: number, owner: string): Promise<Leases> {
    const js = jetstream(nc);
    return new Leases(await new Kvm(js).open(BUCKETS.leases), await js.jetstreamManager(), ttl, owner);
  }

  /** Takes `name` if nobody holds it; undefined when someone does. */
  async take(name: string): Promise<Lease | undefined> {
    const holder: Holder = { owner: this.owner, token: randomUUID(), since: new Date().toISOString() };
    const sent = performance.now();
    try {
      const revision = await this.kv.create(LEASE_PREFIX + name, JSON.stringify(holder));
      return new Lease(this.kv, name, holder, revision, sent, this.ttl);
    } catch (err) {
      if (isWrongRevision(err)) return undefined;
      throw err;
    }
  }

  /** Says this instance is alive (counted by `members`); call every renewal round. */
  async heartbeat(): Promise<void> {
    await this.kv.put(MEMBER_PREFIX + this.owner, new Date().toISOString());
  }

  /**
   * Instances that announced themselves within the ttl, this one included once it has. Read as the
   * bucket stream's subjects (one request) rather than `kv.keys()`, which creates a consumer each call.
   */
  async members(): Promise<string[]> {
    const prefix = `$KV.${BUCKETS.leases}.${MEMBER_PREFIX}`;
    const info = await this.jsm.streams.info(`KV_${BUCKETS.leases}`, { subjects_filter: `${prefix}>` });
    // A member that left has a delete marker as its last message: not counted.
    const present = await Promise.all(
      Object.keys(info.state.subjects ?? {}).map(async (subject) => {
        const name = subject.slice(prefix.length);
        const entry = await this.kv.get(MEMBER_PREFIX + name);
        return entry?.operation === 'PUT' ? [name] : [];
      }),
    );
    return present.flat().sort();
  }

  /** Leaves the membership at once (a clean stop), instead of after the ttl. */
  async leave(): Promise<void> {
    await this.kv.delete(MEMBER_PREFIX + this.owner);
  }
}

export class Lease {
  constructor(
    private readonly kv: KV,
    readonly name: string,
    private readonly holder: Holder,
    private revision: number,
    /** performance.now() when the request behind the current revision was sent. */
    private sentAt: number,
    private readonly ttl: number,
  ) {}

  /** True while nobody else can have taken it (see the module comment). */
  valid(): boolean {
    return performance.now() < this.sentAt + this.ttl * 0.75;
  }

  /**
   * Renews at the revision we hold. False when the lease is no longer ours (someone else wrote it, or
   * it expired). A timeout throws: the renewal may or may not have been stored; the next call tells.
   */
  async renew(): Promise<boolean> {
    const sent = performance.now();
    const key = LEASE_PREFIX + this.name;
    try {
      // Up to half the ttl: a busy process (catching up a backlog) reads the answer late, and a late
      // answer still counts from when the request was sent.
      this.revision = await this.kv.update(key, JSON.stringify(this.holder), this.revision, this.ttl / 2);
      this.sentAt = sent;
      return true;
    } catch (err) {
      if (!isWrongRevision(err)) throw err;
      // A renewal that timed out may have been stored after all: then the entry is still ours.
      const entry = await this.kv.get(key);
      if (!entry || entry.operation !== 'PUT' || entry.json<Holder>().token !== this.holder.token)
        return false;
      this.revision = entry.revision;
      return this.renew();
    }
  }

  /** Gives it back now, for the next owner not to wait for the ttl; only if it is still ours. */
  async release(): Promise<void> {
    await this.kv.delete(LEASE_PREFIX + this.name, { previousSeq: this.revision }).catch(() => undefined);
  }
}

/** JetStream's "wrong last sequence": the entry is not at the revision the write expected. */
function isWrongRevision(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

export interface Leased {
  /** True while the work runs here and its lease is surely ours (a fence for its outputs). */
  held(): boolean;
  /** Stops the work (if it runs here) and gives the lease back. */
  stop(): Promise<void>;
}

/**
 * Runs a piece of work on one instance at a time (the SMS folding stage): whoever takes lease `name`
 * starts it and renews the lease every `renewInterval`; the others try to take it as often. Losing
 * the lease stops the work; a stopped or dead holder's lease is free after the ttl at the latest.
 */
export function whileLeased(
  leases: Leases,
  name: string,
  renewInterval: number,
  start: () => Promise<{ stop(): Promise<void> }>,
  log: (m: string) => void,
): Leased {
  let lease: Lease | undefined;
  let work: { stop(): Promise<void> } | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const drop = async (why: string) => {
    log(`${name}: ${why}; stopping here`);
    const w = work;
    [lease, work] = [undefined, undefined];
    await w?.stop();
  };
  const round = async () => {
    if (lease) {
      const kept = await lease.renew().catch(() => undefined);
      if (kept === false) await drop('lease taken or expired');
      else if (!lease.valid()) await drop('lease not renewed in time');
      return;
    }
    const taken = await leases.take(name);
    if (!taken) return;
    lease = taken;
    log(`${name}: lease taken, running here`);
    work = await start().catch(async (err: Error) => {
      log(`${name}: could not start (${err.message}); giving the lease back`);
      await taken.release();
      lease = undefined;
      return undefined;
    });
  };
  let running: Promise<void> = Promise.resolve();
  const loop = () => {
    running = round()
      .catch((err: Error) => log(`${name}: ${err.message}; retrying`))
      .then(() => {
        if (!stopped) timer = setTimeout(loop, renewInterval);
      });
  };
  loop();
  return {
    held: () => work !== undefined && lease !== undefined && lease.valid(),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      const held = lease;
      await work?.stop();
      [lease, work] = [undefined, undefined];
      await held?.release();
    },
  };
}
