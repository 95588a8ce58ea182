/**
 * The processor role as one member of a group: any number of `cadre processor` instances share the
 * partitions, each owned by one at a time through its lease (broker/leases.ts). The leases are
 * renewed by a thread of their own (broker/lease_keeper.ts), so a main thread busy for seconds keeps
 * them. Every round (`leases.renewInterval`) an instance gives up a partition whose lease it lost,
 * hands one back when it owns more than its share (another instance joined), and takes free ones up
 * to its share. A dead instance's leases expire after `leases.ttl`; the others take its partitions and
 * resume them from their checkpoints.
 *
 * Partitions: `processor.partitions: all` is one partition (a second instance is a hot standby),
 * `cities` one per city of the topology, `--partition CITY` just that one.
 */
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Config } from '../config/load.js';
import { Leases, type Lease } from '../broker/leases.js';
import { noteJetStreamFailure } from '../broker/js_watch.js';
import { startProcessor, type RunningProcessor } from './live.js';

export interface OwnershipOptions {
  nc: NatsConnection;
  natsUrl: string;
  config: Config;
  /** A city: this instance owns at most that partition (and stands by while another does). */
  partition?: string;
  ticks?: boolean;
  log: (message: string) => void;
}

export interface Ownership {
  /** The partitions this instance processes now. */
  owned(): string[];
  /** Every running partition's processor, by partition. */
  processors(): ReadonlyMap<string, RunningProcessor>;
  /** Why it is not working yet (a broker it waits for), if it is not. */
  waiting(): string | undefined;
  /** Stops every partition with a last checkpoint and gives the leases back. */
  stop(): Promise<void>;
}

interface Owned {
  lease: Lease;
  /** Set once its processor has started. */
  processor?: RunningProcessor;
  /** Its start, while it runs. */
  starting?: Promise<void>;
  /** Being handed over to another instance (its lease is kept until its last checkpoint is written). */
  leaving?: boolean;
}

export async function startOwnership(options: OwnershipOptions): Promise<Ownership> {
  const { nc, config, log } = options;
  const { ttl, renewInterval } = config.cadre.leases;
  const instance = `${hostname()}-${process.pid}-${randomUUID().slice(0, 6)}`;
  // The keeper connects first to the server this connection uses (then the others it knows of): a
  // lease should vouch for a connection that reaches the cluster, not for another one.
  const leases = await Leases.open(nc, ttl, instance, { renewInterval, log });
  const candidates = options.partition
    ? [options.partition]
    : config.cadre.processor.partitions === 'all'
      ? ['all']
      : config.topology.cities.map((c) => c.id);
  // Each instance tries the free partitions in its own order: instances joining at once rarely collide.
  const preference = [...candidates].sort((a, b) => rank(instance, a).localeCompare(rank(instance, b)));
  const owned = new Map<string, Owned>();
  let waiting: string | undefined = 'not started yet';
  let stopped = false;
  log(`instance ${instance}: sharing ${candidates.length} partition(s) (${candidates.join(', ')})`);

  /** Starts its processor, retrying (the lease kept, renewed by the rounds) while the broker is unwell. */
  const start = (partition: string, entry: Owned) => {
    entry.starting = (async () => {
      for (let delay = 500; owned.get(partition) === entry && !stopped; delay = Math.min(delay * 2, 5000)) {
        try {
          const processor = await startProcessor({
            nc,
            natsUrl: options.natsUrl,
            config,
            partition: partition === 'all' ? undefined : partition,
            ticks: options.ticks,
            lease: entry.lease,
            onFenced: () => fenced(partition, entry),
            log: (m) => log(`[${partition}] ${m}`),
          });
          entry.processor = processor; // lost meanwhile: `abandon` stops it once this resolves
          return;
        } catch (err) {
          log(`[${partition}] could not start (${(err as Error).message}); retrying in ${delay} ms`);
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    })().finally(() => (entry.starting = undefined));
  };

  // Starts and stops run beside the rounds: the other leases keep being renewed meanwhile.
  const background = new Set<Promise<void>>();
  const aside = (work: Promise<void>) => {
    background.add(work);
    void work.finally(() => background.delete(work));
  };

  /**
   * Lost: stop at once, write nothing (the next owner resumes from the checkpoint). The lease is given
   * back in case it is ours still (it lapsed without anyone taking it): taken again at once, here or
   * elsewhere, instead of after the ttl.
   */
  const abandon = (partition: string, entry: Owned, why: string) =>
    stopAndRelease(partition, entry, `[${partition}] ${why}: giving it up`);

  /** No longer ours: forgotten now; once started, its processor stops writing and the lease is given back. */
  const stopAndRelease = (partition: string, entry: Owned, message: string) => {
    owned.delete(partition);
    log(message);
    aside(
      (async () => {
        await entry.starting;
        await entry.processor?.abandon();
        await entry.lease.release();
      })(),
    );
  };

  /**
   * Its processor found the lease not surely its own and dropped outputs: it must not go on even if
   * the lease is still ours. Given back at once, so the partition (here or elsewhere) restarts from
   * its checkpoint without waiting for the ttl.
   */
  const fenced = (partition: string, entry: Owned) => {
    if (owned.get(partition) !== entry) return;
    stopAndRelease(
      partition,
      entry,
      `[${partition}] its lease lapsed before it was renewed: restarting the partition from its checkpoint`,
    );
  };

  /** Handed over: a last checkpoint, then the lease is released for another instance to take now. */
  const handOver = (partition: string, entry: Owned) => {
    entry.leaving = true;
    log(`[${partition}] handing it over (more instances share the partitions now)`);
    aside(
      (async () => {
        await entry.processor?.stop();
        owned.delete(partition);
        await entry.lease.release();
      })(),
    );
  };

  /**
   * The keeper thread renews the leases; here, on a timer of its own (a slow membership read or take
   * must not space it out), a partition whose lease was lost or lapsed is given up.
   */
  const watch = () => {
    for (const [partition, entry] of [...owned]) {
      const lost = entry.lease.lost();
      if (lost) abandon(partition, entry, `its ${lost}`);
      else if (!entry.lease.valid()) abandon(partition, entry, 'its lease could not be renewed in time');
    }
  };

  /** Membership, hand-overs and takes. */
  const round = async () => {
    await leases.heartbeat();
    const share = Math.ceil(candidates.length / Math.max(1, (await leases.members()).length));
    const staying = [...owned].filter(([, e]) => !e.leaving);
    if (staying.length > share) {
      // Running ones only (a starting one is handed over once it runs); the rest go on undisturbed.
      const running = staying.filter(([, e]) => e.processor);
      for (const [partition, entry] of running.slice(0, staying.length - share)) handOver(partition, entry);
      return;
    }
    for (const partition of preference) {
      if (owned.size >= share) break;
      if (owned.has(partition)) continue;
      const lease = await leases.take(partition);
      if (!lease) continue;
      log(`[${partition}] took its lease`);
      const entry: Owned = { lease };
      owned.set(partition, entry);
      start(partition, entry);
    }
  };

  const watchTimer = setInterval(watch, renewInterval);

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const loop = () => {
    running = round().then(
      () => (waiting = undefined),
      // A broker timeout or an election: said in /readyz, and the next round tries again.
      (err: Error) => {
        waiting = `leases: ${err.message}`;
        noteJetStreamFailure(nc, err);
        log(`ownership round failed (${err.message}); retrying`);
      },
    );
    void running.then(() => {
      if (!stopped) timer = setTimeout(loop, renewInterval);
    });
  };
  loop();

  return {
    owned: () => [...owned].filter(([, e]) => e.processor && !e.leaving).map(([p]) => p),
    processors: () => new Map([...owned].flatMap(([p, e]) => (e.processor ? [[p, e.processor]] : []))),
    waiting: () => waiting,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(watchTimer);
      await running;
      await Promise.all(background);
      for (const [partition, entry] of [...owned]) {
        await entry.starting;
        await entry.processor?.stop();
        await entry.lease.release();
        owned.delete(partition);
      }
      await leases.leave().catch(() => undefined);
      await leases.close();
    },
  };
}

const rank = (instance: string, partition: string) =>
  createHash('sha1').update(`${instance}/${partition}`).digest('hex');
