/**
 * Leases on NATS: who owns a piece of work (a processor partition, the SMS folding stage) is an entry
 * of the replicated KV bucket `cadre_leases`. Taken with `create` (refused while another holds it),
 * renewed with `update` at the revision we hold (refused once anyone else wrote it), and gone by
 * itself when not renewed: the bucket's max_age (nats-server 2.9 has no per-key TTL) removes an
 * entry `leases.ttl` after its last write. The cluster's own replication and leader election decide;
 * cadre adds no lock service of its own (docs/architecture.md, "High availability").
 *
 * The writes run on a thread of their own with its own connection (broker/lease_keeper.ts), which
 * renews every lease held each `renewInterval` however busy the main thread is: a main thread that
 * read its renewals' answers late used to give its partitions up under load. Beside the server's
 * word, each lease knows in shared memory until when it is surely still ours: the server stored our
 * last renewal no earlier than we sent it, so nobody can take it before `sent + ttl`. We stop writing
 * a quarter of the ttl earlier (`valid()`, read without waiting for anything) — a paused owner (the
 * whole process stopped) sees on waking that its time is up before it publishes anything.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { BUCKETS } from '../shared/subjects.js';
import { connectOptions } from './nats_auth.js';
import { UNTIL, type Holder, type KeeperCall, type KeeperConfig, type KeeperReport } from './lease_keeper.js';

/** Members announce themselves under this prefix (same bucket, same ttl) so owners can count them. */
const MEMBER_PREFIX = 'member.';
const LEASE_PREFIX = 'lease.';

export interface LeasesOptions {
  /** ms between renewals (cadre.yaml leases.renewInterval); default a tenth of the ttl. */
  renewInterval?: number;
  /**
   * The servers of the keeper thread's own connection (NATS_URL, comma-separated); default the
   * server `nc` is connected to and those the cluster told it of.
   */
  servers?: string;
  /**
   * ms the main thread may go without turning its event loop before its leases are no longer renewed
   * (a hung process must not keep its work for ever); default 3 × the ttl, at least 30 s.
   */
  stallLimit?: number;
  log?: (message: string) => void;
}

/** The keeper's module; run from the TypeScript sources (vitest), it is loaded through tsx. */
function keeperThread(workerData: { keeper: KeeperConfig }): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./lease_keeper.js', import.meta.url), { workerData });
  const source = new URL('./lease_keeper.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

/** The keeper thread as the main thread sees it: requests answered by id, leases lost reported. */
class Keeper {
  private readonly pending = new Map<number, { resolve(ok: boolean): void; reject(err: Error): void }>();
  private readonly lost = new Map<string, (why: string) => void>();
  private nextId = 1;
  private dead: string | undefined;
  private readonly aliveTimer: NodeJS.Timeout;

  private constructor(
    private readonly worker: Worker,
    alive: SharedArrayBuffer,
    renewInterval: number,
    log: (m: string) => void,
  ) {
    const stamp = new BigInt64Array(alive);
    // The main thread's stamp: this timer runs only while its event loop turns.
    const beat = () => Atomics.store(stamp, 0, process.hrtime.bigint());
    beat();
    this.aliveTimer = setInterval(beat, renewInterval);
    this.aliveTimer.unref();
    worker.on('message', (r: KeeperReport) => {
      if (r.type === 'reply') {
        const p = this.pending.get(r.id);
        this.pending.delete(r.id);
        if (r.error) p?.reject(new Error(r.error));
        else p?.resolve(r.ok);
      } else if (r.type === 'lost') this.lost.get(r.key)?.(`lease ${r.why}`);
      else if (r.type === 'log') log(`leases: ${r.message}`);
    });
    const die = (why: string) => {
      if (this.dead) return;
      this.dead = why;
      clearInterval(this.aliveTimer);
      for (const p of this.pending.values()) p.reject(new Error(`lease keeper: ${why}`));
      this.pending.clear();
      for (const onLost of this.lost.values()) onLost(`lease keeper ${why}`);
      this.lost.clear();
    };
    worker.on('error', (err) => die(`failed (${err.message})`));
    worker.on('exit', (code) => die(`exited (code ${code})`));
    // Not what keeps the process alive: a process that ends without stopping its leases just lets them lapse.
    worker.unref();
  }

  static async start(config: Omit<KeeperConfig, 'alive'>, log: (m: string) => void): Promise<Keeper> {
    const alive = new SharedArrayBuffer(8);
    const worker = keeperThread({ keeper: { ...config, alive } });
    const keeper = new Keeper(worker, alive, config.renewInterval, log);
    await new Promise<void>((resolve, reject) => {
      const onMessage = (r: KeeperReport) => {
        if (r.type === 'ready') resolve();
        else if (r.type === 'failed') reject(new Error(`lease keeper: ${r.message}`));
        else return;
        worker.off('message', onMessage);
      };
      worker.on('message', onMessage);
      worker.once('exit', (code) => reject(new Error(`lease keeper exited (code ${code})`)));
    }).catch(async (err: Error) => {
      await worker.terminate();
      throw err;
    });
    return keeper;
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  request(req: KeeperCall): Promise<boolean> {
    if (this.dead) return Promise.reject(new Error(`lease keeper ${this.dead}`));
    const id = this.nextId++;
    return new Promise<boolean>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id });
    });
  }

  onLost(key: string, handler: ((why: string) => void) | undefined): void {
    if (handler) this.lost.set(key, handler);
    else this.lost.delete(key);
  }

  async stop(): Promise<void> {
    if (!this.dead) await this.request({ op: 'stop' }).catch(() => undefined);
    clearInterval(this.aliveTimer);
    await this.worker.terminate();
  }
}

export class Leases {
  private keeper: Promise<Keeper> | undefined;

  private constructor(
    private readonly kv: KV,
    private readonly jsm: JetStreamManager,
    readonly ttl: number,
    /** This instance's name in the bucket (the `owner` of its leases). */
    readonly owner: string,
    private readonly keeperConfig: Omit<KeeperConfig, 'alive'>,
    private readonly log: (m: string) => void,
  ) {}

  /** Opens the bucket ensureStreams created, and starts the keeper thread. */
  static async open(
    nc: NatsConnection,
    ttl: number,
    owner: string,
    options: LeasesOptions = {},
  ): Promise<Leases> {
    const js = jetstream(nc);
    // The server `nc` uses first (the keeper tries them in order), then every other it knows of.
    const servers =
      options.servers ??
      [...new Set([nc.getServer(), ...(nc.info?.connect_urls ?? [])].filter(Boolean))].join(',');
    // The keeper writes what this connection's NATS user may write: it connects as that user, with
    // its inbox prefix (the only inboxes the user may subscribe to).
    const { user, pass, token, inboxPrefix } = connectOptions(nc);
    const auth = Object.fromEntries(
      Object.entries({ user, pass, token, inboxPrefix }).filter(([, v]) => v !== undefined),
    );
    const leases = new Leases(
      await new Kvm(js).open(BUCKETS.leases),
      await js.jetstreamManager(),
      ttl,
      owner,
      {
        servers,
        auth,
        name: `cadre-leases-${owner}`,
        bucket: BUCKETS.leases,
        ttl,
        renewInterval: options.renewInterval ?? ttl / 10,
        stallLimit: options.stallLimit ?? Math.max(3 * ttl, 30_000),
        owner,
      },
      options.log ?? ((m) => console.log(m)),
    );
    await leases.keeperNow();
    return leases;
  }

  /** The keeper thread, started again if it died (its leases were reported lost then). */
  private keeperNow(): Promise<Keeper> {
    const current = this.keeper;
    if (current)
      return current.then(
        (k) => (k.alive ? k : this.startKeeper()),
        () => this.startKeeper(),
      );
    return this.startKeeper();
  }

  private startKeeper(): Promise<Keeper> {
    this.keeper = Keeper.start(this.keeperConfig, this.log);
    return this.keeper;
  }

  /** Takes `name` if nobody holds it; undefined when someone does. Renewed by the keeper until released. */
  async take(name: string): Promise<Lease | undefined> {
    const keeper = await this.keeperNow();
    const holder: Holder = { owner: this.owner, token: randomUUID(), since: new Date().toISOString() };
    const until = new SharedArrayBuffer(8);
    const key = LEASE_PREFIX + name;
    if (!(await keeper.request({ op: 'take', key, holder, until }))) return undefined;
    const lease = new Lease(keeper, name, key, new BigInt64Array(until));
    keeper.onLost(key, (why) => lease.markLost(why));
    return lease;
  }

  /** Says this instance is alive (counted by `members`): announced now, then by the keeper every renewal. */
  async heartbeat(): Promise<void> {
    await (await this.keeperNow()).request({ op: 'heartbeat', key: MEMBER_PREFIX + this.owner });
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
    await (await this.keeperNow()).request({ op: 'leave', key: MEMBER_PREFIX + this.owner });
  }

  /** Stops the keeper thread: leases not released lapse after the ttl. */
  async close(): Promise<void> {
    const keeper = await this.keeper?.catch(() => undefined);
    await keeper?.stop();
  }
}

export class Lease {
  private lostWhy: string | undefined;
  private onLost: ((why: string) => void) | undefined;

  constructor(
    private readonly keeper: Keeper,
    readonly name: string,
    private readonly key: string,
    /** [UNTIL]: process.hrtime.bigint() until which it is surely ours (written by the keeper). */
    private readonly until: BigInt64Array,
  ) {}

  /** True while nobody else can have taken it (see the module comment). */
  valid(): boolean {
    return this.lostWhy === undefined && process.hrtime.bigint() < Atomics.load(this.until, UNTIL);
  }

  /** Why it is known to be no longer ours (someone else wrote it, it expired), if it is. */
  lost(): string | undefined {
    return this.lostWhy;
  }

  /** Called once when it is found lost (a renewal refused); not when it merely lapses. */
  whenLost(handler: (why: string) => void): void {
    this.onLost = handler;
    if (this.lostWhy) handler(this.lostWhy);
  }

  /** @internal */
  markLost(why: string): void {
    if (this.lostWhy) return;
    this.lostWhy = why;
    this.onLost?.(why);
  }

  /**
   * Renews it now, at the revision held (besides the keeper's own renewals). False when the lease is
   * no longer ours. A timeout throws: the renewal may or may not have been stored; the next call tells.
   */
  async renew(): Promise<boolean> {
    if (this.lostWhy) return false;
    return this.keeper.request({ op: 'renew', key: this.key });
  }

  /** Stops renewing it and gives it back now, for the next owner not to wait for the ttl; only if it is still ours. */
  async release(): Promise<void> {
    this.keeper.onLost(this.key, undefined);
    this.lostWhy ??= 'released';
    await this.keeper.request({ op: 'release', key: this.key }).catch(() => undefined);
  }
}

export interface Leased {
  /** True while the work runs here and its lease is surely ours (a fence for its outputs). */
  held(): boolean;
  /** Stops the work (if it runs here) and gives the lease back. */
  stop(): Promise<void>;
}

/**
 * Runs a piece of work on one instance at a time (the SMS folding stage): whoever takes lease `name`
 * starts it (its keeper renews the lease) and checks every `renewInterval` that it still holds it;
 * the others try to take it as often. Losing
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
    const [l, w] = [lease, work];
    [lease, work] = [undefined, undefined];
    await w?.stop();
    await l?.release(); // if it is still ours after all, free for the next holder at once
  };
  const round = async () => {
    if (lease) {
      // The keeper thread renews it; here only whether it still is ours.
      const lost = lease.lost();
      if (lost) await drop(lost);
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
