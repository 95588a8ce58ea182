/**
 * Creates the streams and buckets cadre runs on (docs/architecture.md), or brings an existing one's
 * retention in line with cadre.yaml. Idempotent, and safe when several processes start at once:
 * a create that loses the race falls back to reading what the winner made.
 */
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  jetstream,
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { BUCKETS, STREAMS } from '../shared/subjects.js';
import { CadreError } from '../shared/errors.js';
import type { Config } from '../config/load.js';

export type EnsureOutcome = 'created' | 'updated' | 'unchanged';

/** The settings cadre owns on a stream; anything else an operator set on it is left alone. */
type Owned = Pick<StreamConfig, 'name'> &
  Partial<
    Pick<
      StreamConfig,
      | 'subjects'
      | 'max_age'
      | 'duplicate_window'
      | 'num_replicas'
      | 'storage'
      | 'max_msgs_per_subject'
      | 'retention'
    >
  >;

/**
 * Creates or reconciles every stream and bucket; returns what happened to each (by stream name).
 * `check`: only looks that each exists (a role whose NATS user may not create streams: with the
 * shipped permissions only the processor does); a missing one is an error to retry (`untilDone`).
 */
export async function ensureStreams(
  nc: NatsConnection,
  config: Pick<Config, 'cadre'>,
  mode: 'manage' | 'check' = 'manage',
): Promise<Record<string, EnsureOutcome>> {
  const { nats } = config.cadre;
  const jsm = await jetstreamManager(nc);
  if (mode === 'check') return checkStreams(jsm);
  const js = jetstream(nc);
  const common = { storage: StorageType.File, num_replicas: nats.replicas };
  const outcomes: Record<string, EnsureOutcome> = {};

  // The server refuses a dedup window longer than the retention (0 = keep forever).
  const retention = (name: string, subjects: readonly string[], maxAge: number, dedup: number): Owned => ({
    name,
    subjects: [...subjects],
    max_age: nanos(maxAge),
    duplicate_window: nanos(maxAge > 0 ? Math.min(dedup, maxAge) : dedup),
  });
  const inputs: Owned[] = [
    retention(STREAMS.input.name, STREAMS.input.subjects, nats.inputMaxAge, nats.duplicateWindow),
    retention(STREAMS.dlq.name, STREAMS.dlq.subjects, nats.dlqMaxAge, nats.duplicateWindow),
    retention(STREAMS.events.name, STREAMS.events.subjects, nats.eventsMaxAge, nats.eventsDuplicateWindow),
    // Notification tasks stay until delivered or given up (no max age); the dedup window covers the
    // notifier re-routing a transition after a crash, like CADRE_EVENTS' covers the processor.
    {
      ...retention(STREAMS.notify.name, STREAMS.notify.subjects, 0, nats.eventsDuplicateWindow),
      retention: RetentionPolicy.Workqueue,
    },
    retention(STREAMS.notifyFailed.name, STREAMS.notifyFailed.subjects, nats.dlqMaxAge, nats.duplicateWindow),
  ];
  for (const want of inputs) outcomes[want.name] = await ensureStream(jsm, { ...common, ...want });

  // Buckets are created through their own clients (they own the subject layout and flags), then
  // reconciled like streams so a changed ttl or replica count in cadre.yaml takes effect.
  const kvm = new Kvm(js);
  for (const bucket of [BUCKETS.events, BUCKETS.grids, BUCKETS.contacts, BUCKETS.notifyLog]) {
    outcomes[`KV_${bucket}`] = await ensureBucket(
      jsm,
      { name: `KV_${bucket}`, ...common, max_age: nanos(nats.eventsMaxAge), max_msgs_per_subject: 1 },
      () =>
        kvm.create(bucket, {
          history: 1,
          ttl: nats.eventsMaxAge,
          replicas: nats.replicas,
          storage: StorageType.File,
        }),
    );
  }
  // A disabled endpoint stays disabled until an operator re-enables it: no max age.
  outcomes[`KV_${BUCKETS.notifyDisabled}`] = await ensureBucket(
    jsm,
    { name: `KV_${BUCKETS.notifyDisabled}`, ...common },
    () =>
      kvm.create(BUCKETS.notifyDisabled, { history: 1, replicas: nats.replicas, storage: StorageType.File }),
  );
  // Leases expire by the bucket's max_age: its ttl is the failover time (shared/leases.ts).
  const { ttl } = config.cadre.leases;
  outcomes[`KV_${BUCKETS.leases}`] = await ensureBucket(
    jsm,
    { name: `KV_${BUCKETS.leases}`, ...common, max_age: nanos(ttl), duplicate_window: nanos(ttl) },
    () => kvm.create(BUCKETS.leases, { history: 1, ttl, replicas: nats.replicas, storage: StorageType.File }),
  );
  const objm = new Objm(js);
  outcomes[`OBJ_${BUCKETS.checkpoints}`] = await ensureBucket(
    jsm,
    { name: `OBJ_${BUCKETS.checkpoints}`, ...common },
    () => objm.create(BUCKETS.checkpoints, { replicas: nats.replicas, storage: StorageType.File }),
  );
  return outcomes;
}

/** Every stream and bucket ensureStreams makes, by stream name. */
export const STREAM_NAMES = [
  ...Object.values(STREAMS).map((s) => s.name),
  ...[
    BUCKETS.events,
    BUCKETS.grids,
    BUCKETS.contacts,
    BUCKETS.notifyLog,
    BUCKETS.notifyDisabled,
    BUCKETS.leases,
  ].map((b) => `KV_${b}`),
  `OBJ_${BUCKETS.checkpoints}`,
];

async function checkStreams(jsm: JetStreamManager): Promise<Record<string, EnsureOutcome>> {
  const outcomes: Record<string, EnsureOutcome> = {};
  for (const name of STREAM_NAMES) {
    if (!(await currentConfig(jsm, name)))
      throw new CadreError(
        'CADRE_ERR_UNAVAILABLE',
        `stream ${name} does not exist yet (a processor creates it)`,
      );
    outcomes[name] = 'unchanged';
  }
  return outcomes;
}

/** Creates `want.name` when absent, else updates the settings cadre owns when they differ. */
export async function ensureStream(jsm: JetStreamManager, want: Owned): Promise<EnsureOutcome> {
  let config = await currentConfig(jsm, want.name);
  if (!config) {
    try {
      await jsm.streams.add(want);
      return 'created';
    } catch (err) {
      // Another process may have created it between our look and our add: read theirs.
      config = await currentConfig(jsm, want.name);
      if (!config) throw err;
    }
  }
  if (want.storage !== undefined && config.storage !== want.storage)
    throw new CadreError(
      'CADRE_ERR_CONFIG',
      `stream ${want.name} uses ${config.storage} storage, cadre needs ${want.storage}: move or delete it`,
    );
  const differs = (Object.keys(want) as (keyof Owned)[]).some((key) => !sameValue(config[key], want[key]));
  if (!differs) return 'unchanged';
  try {
    await jsm.streams.update(want.name, { ...config, ...want });
  } catch (err) {
    throw new CadreError(
      'CADRE_ERR_CONFIG',
      `stream ${want.name} cannot take the settings of cadre.yaml: ${(err as Error).message}`,
    );
  }
  return 'updated';
}

async function currentConfig(jsm: JetStreamManager, name: string): Promise<StreamConfig | undefined> {
  try {
    return (await jsm.streams.info(name)).config;
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return undefined;
    throw err;
  }
}

/**
 * A KV bucket or object store: its client's create (which opens an existing one; one retry covers
 * losing a creation race to another process), then the reconcile of the settings cadre owns.
 */
async function ensureBucket(
  jsm: JetStreamManager,
  want: Owned,
  create: () => Promise<unknown>,
): Promise<EnsureOutcome> {
  const existed = (await currentConfig(jsm, want.name)) !== undefined;
  try {
    await create();
  } catch {
    await create();
  }
  const outcome = await ensureStream(jsm, want);
  return existed ? outcome : 'created';
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
  return a === b;
}
