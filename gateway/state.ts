/**
 * The gateway's in-memory read model. It loads KV `cadre_events` / `cadre_grids`, then follows them
 * (their streams, gateway/kv_follow.ts) and stream CADRE_EVENTS (from the stream's last sequence at
 * start), each through gateway/stream_follow.ts, which makes its consumer again after a lost node.
 * An event changes only when a newer `seq` arrives, so the order in which the KV load, the followers and
 * the stream deliver is harmless: whichever brings a seq first applies it, the others are no-ops. Two
 * sources of the events are kept on purpose: following the stream alone, both gateways' screens
 * missed transitions after a NATS node of a cluster was killed (test/cluster/failover.test.ts).
 * Listeners (Socket.IO) hear every applied change; the series counts stream transitions once each.
 */
import { jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { LRUCache } from 'lru-cache';
import { CadreError } from '../shared/errors.js';
import { verifyInput, type CommandKeys } from '../shared/command_signature.js';
import { LEVELS, type Level } from '../shared/levels.js';
import { MaintenanceSchema, type IncidentTransition, type Maintenance } from '../shared/schemas.js';
import { compile, decodeChecked, TRANSITION_DOC, type ReadFromNats } from '../shared/validate.js';
import { BUCKETS, STREAMS, kvKey } from '../shared/subjects.js';
import { formatTime } from '../shared/time.js';
import {
  GridDocSchema,
  ProcessorStatsSchema,
  type EventDoc,
  type GridDoc,
  type ProcessorStats,
} from '../shared/views.js';
import { MinuteSeries } from './series.js';
import { rebuildSeries } from './series_history.js';
import { followStream, type StreamFollow } from './stream_follow.js';
import { followKv, type KvChange } from './kv_follow.js';

export const PROCESSOR_STATS_SUBJECT = 'cadre.stats.processor.>';
const MAINTENANCE_FILTER = 'cadre.in.maintenance.*';
/** Processor stats older than this are a processor that went away. */
const STATS_FRESH_MS = 10_000;

export interface ReadModelOptions {
  nc: NatsConnection;
  now: () => number;
  /** How many ended events to keep for lists, grid history and complaint status. */
  endedMax?: number;
  /** The command keys: a maintenance window not signed by them is not listed (the processor refuses it). */
  commandKeys?: CommandKeys;
  log?: { warn(obj: object, msg: string): void };
}

import type { LiveStats as Stats } from '../shared/views.js';
export type { Stats };

export interface ProcessorView {
  /** Partitions that reported within the last 10 s. */
  partitions: number;
  pending: number;
  lagSeconds: number;
  rates: Record<string, number>;
}

export function isActive(doc: EventDoc): boolean {
  return doc.state === 'open' || doc.state === 'acknowledged';
}

type Listener = (doc: EventDoc) => void;

export class ReadModel {
  readonly series = new MinuteSeries();
  private readonly active = new Map<string, EventDoc>();
  /** Deal: events that may wait — off the active board, never evicted like ended ones. */
  private readonly deferred = new Map<string, EventDoc>();
  private readonly ended: LRUCache<string, EventDoc>;
  private readonly complaintIndex: LRUCache<string, string>;
  /**
   * Grid documents by KV key, parsed when first read: in an alarm storm the processor rewrites up to
   * every grid's document each second, and parsing each on arrival was 14% of a storm's CPU here;
   * they are read by a grid page, a scorecard or a report, far less often.
   */
  private readonly grids = new Map<string, { raw?: Uint8Array; doc?: GridDoc | null; revision: number }>();
  private readonly processors = new Map<string, { stats: ProcessorStats; receivedAt: number }>();
  private readonly maintenance = new LRUCache<string, Maintenance>({ max: 10_000 });
  private readonly listeners = new Set<Listener>();
  /** Incidents (CONTRACT.md "Incidents"): the last `endedMax` of them by id, active ones included. */
  private readonly incidents: LRUCache<string, IncidentTransition>;
  private readonly incidentListeners = new Set<(doc: IncidentTransition) => void>();
  private readonly storedAt = new WeakMap<object, number>();
  private readonly stops: (() => unknown)[] = [];
  private sampler: NodeJS.Timeout | undefined;
  private started = false;

  constructor(private readonly options: ReadModelOptions) {
    const endedMax = options.endedMax ?? 5000;
    this.ended = new LRUCache({ max: endedMax });
    this.incidents = new LRUCache({ max: endedMax });
    this.complaintIndex = new LRUCache({ max: endedMax * 20 });
  }

  get loaded(): boolean {
    return this.started;
  }

  /** Loads and starts following; a missing stream or bucket is a CADRE_ERR_UNAVAILABLE naming it. */
  async start(): Promise<void> {
    try {
      await this.load();
    } catch (err) {
      await this.stop();
      if (err instanceof CadreError) throw err;
      throw new CadreError(
        'CADRE_ERR_UNAVAILABLE',
        `The gateway cannot read its sources (streams ${STREAMS.events.name}, ${STREAMS.input.name}; buckets ` +
          `${BUCKETS.events}, ${BUCKETS.grids}; create them with ensureStreams): ${(err as Error).message}`,
      );
    }
  }

  private async load(): Promise<void> {
    const { nc } = this.options;
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    // The sequence to follow from is taken before the KV load, so nothing published meanwhile is missed.
    const lastSeq = (await jsm.streams.info(STREAMS.events.name)).state.last_seq;
    const kvm = new Kvm(nc);
    const eventsKv = await kvm.open(BUCKETS.events);
    const gridsKv = await kvm.open(BUCKETS.grids);
    const { log } = this.options;
    const followKvOf = async (bucket: string, apply: (e: KvChange) => void) =>
      this.follow(await followKv(nc, js, jsm, { bucket, onChange: (e) => safely(() => apply(e), log), log }));
    await followKvOf(BUCKETS.events, (e) => {
      if (!this.heldAlready(e)) this.applyChecked(e);
    });
    await followKvOf(BUCKETS.grids, (e) => this.holdGrid(e));
    await loadAll(eventsKv, (e) => this.applyChecked(e));
    await loadAll(gridsKv, (e) => this.holdGrid(e));
    // The wall's chart survives a gateway restart: the last hour is read back from the streams
    // (transitions up to lastSeq; the live consumer below starts after it).
    await rebuildSeries(js, this.series, this.options.now, lastSeq, this.options.log);

    this.follow(
      await followStream(nc, js, {
        stream: STREAMS.events.name,
        startSeq: lastSeq + 1,
        onMessage: (m) => this.onTransition(m),
        log,
      }),
    );
    this.follow(
      await followStream(nc, js, {
        stream: STREAMS.input.name,
        filter: MAINTENANCE_FILTER,
        startSeq: 1,
        onMessage: (m) => this.onMaintenance(m),
        log,
      }),
    );

    const stats: Subscription = nc.subscribe(PROCESSOR_STATS_SUBJECT, {
      callback: (err, m) => {
        if (err) return;
        const stats = decodeChecked(m, PROCESSOR_STATS, this.options.log);
        if (stats) this.onProcessorStats(stats);
      },
    });
    this.stops.push(() => stats.unsubscribe());
    this.sampler = setInterval(() => this.sampleSeries(), 1000);
    this.sampler.unref();
    this.started = true;
  }

  async stop(): Promise<void> {
    clearInterval(this.sampler);
    await Promise.allSettled(this.stops.map((stop) => stop()));
    this.stops.length = 0;
    this.listeners.clear();
  }

  /**
   * A document read from NATS, applied once the compiled schema of its kind accepts it: another
   * publisher on the subject, or a version that writes another shape, is logged and skipped, never
   * half-applied.
   */
  private applyChecked(m: ReadFromNats): void {
    const doc = decodeChecked(m, TRANSITION_DOC, this.options.log);
    if (doc) this.applyDoc(doc);
  }

  /** An event's or an incident's document (they share the bucket and the stream). */
  applyDoc(doc: EventDoc | IncidentTransition): boolean {
    return doc.kind === 'incident' ? this.applyIncident(doc) : this.applyEvent(doc);
  }

  /** Applies an incident's document when its seq is newer; its listeners hear of it like an event's. */
  applyIncident(doc: IncidentTransition): boolean {
    const held = this.incidents.get(doc.id);
    if (held && held.seq >= doc.seq) return false;
    this.incidents.set(doc.id, doc);
    for (const listener of this.incidentListeners) listener(doc);
    return true;
  }

  incident(id: string): IncidentTransition | undefined {
    return this.incidents.get(id);
  }

  /** Incidents held (active ones, and the last ended), newest opening first. */
  allIncidents(): IncidentTransition[] {
    return [...this.incidents.values()].sort((a, b) =>
      a.openedAt < b.openedAt ? 1 : a.openedAt > b.openedAt ? -1 : 0,
    );
  }

  onIncident(listener: (doc: IncidentTransition) => void): () => void {
    this.incidentListeners.add(listener);
    return () => this.incidentListeners.delete(listener);
  }

  /** Applies an event doc when its seq is newer than the one held; true when it changed something. */
  applyEvent(doc: EventDoc): boolean {
    const held = this.active.get(doc.id) ?? this.deferred.get(doc.id) ?? this.ended.peek(doc.id);
    if (held && held.seq >= doc.seq) return false;
    this.active.delete(doc.id);
    this.deferred.delete(doc.id);
    if (isActive(doc)) this.active.set(doc.id, doc);
    else if (doc.state === 'deferred') this.deferred.set(doc.id, doc);
    else this.ended.set(doc.id, doc);
    for (const complaint of doc.evidence.complaints) this.complaintIndex.set(complaint, doc.id);
    for (const listener of this.listeners) listener(doc);
    return true;
  }

  /** Every applied change, in order; returns the unsubscribe function. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  event(id: string): EventDoc | undefined {
    return this.active.get(id) ?? this.deferred.get(id) ?? this.ended.get(id);
  }

  deferredEvents(): IterableIterator<EventDoc> {
    return this.deferred.values();
  }

  activeEvents(): IterableIterator<EventDoc> {
    return this.active.values();
  }

  endedEvents(): IterableIterator<EventDoc> {
    return this.ended.values();
  }

  eventOfComplaint(complaintId: string): EventDoc | undefined {
    const id = this.complaintIndex.get(complaintId);
    return id === undefined ? undefined : this.event(id);
  }

  grid(id: string): GridDoc | undefined {
    const key = kvKey(id);
    const held = this.grids.get(key);
    if (!held) return undefined;
    if (held.doc === undefined) {
      const { raw, revision } = held;
      const entry = { bucket: BUCKETS.grids, key, revision, json: () => JSON.parse(decoder.decode(raw)) };
      held.doc = decodeChecked(entry, GRID_DOC, this.options.log) ?? null;
      held.raw = undefined;
    }
    return held.doc ?? undefined;
  }

  maintenanceWindows(): Maintenance[] {
    return [...this.maintenance.values()];
  }

  activeByLevel(scope: string[] | null): Record<Level, number> {
    const counts: Record<Level, number> = { red: 0, orange: 0, yellow: 0, blue: 0 };
    for (const doc of this.active.values()) if (!scope || scope.includes(doc.city)) counts[doc.level] += 1;
    return counts;
  }

  /** The processors heard from recently, summed (rates, pending) or at their worst (lag). */
  processorView(): ProcessorView {
    const now = this.options.now();
    const view: ProcessorView = { partitions: 0, pending: 0, lagSeconds: 0, rates: {} };
    for (const { stats, receivedAt } of this.processors.values()) {
      if (now - receivedAt > STATS_FRESH_MS) continue;
      view.partitions += 1;
      view.pending += stats.pending;
      view.lagSeconds = Math.max(view.lagSeconds, stats.lagSeconds);
      for (const [type, rate] of Object.entries(stats.rates))
        view.rates[type] = (view.rates[type] ?? 0) + rate;
    }
    return view;
  }

  stats(scope: string[] | null, clients: number): Stats {
    const view = this.processorView();
    const inputRate = Object.values(view.rates).reduce((a, b) => a + b, 0);
    const heard = this.lastProcessorStatsAt();
    return {
      at: formatTime(this.options.now()),
      inputRate,
      rates: view.rates,
      lagSeconds: view.lagSeconds,
      active: this.activeByLevel(scope),
      clients,
      // When a processor last reported: a screen tells a silent processor from a quiet province.
      ...(heard === undefined ? {} : { processedAt: formatTime(heard) }),
    };
  }

  /** The newest time any processor's stats arrived; undefined before the first. */
  lastProcessorStatsAt(): number | undefined {
    let last: number | undefined;
    for (const { receivedAt } of this.processors.values())
      if (last === undefined || receivedAt > last) last = receivedAt;
    return last;
  }

  /**
   * A KV event document whose seq this model already holds, told from its first bytes: the KV follower
   * brings each event's document after the stream brought its transition, and decoding, parsing and
   * checking every one again was a second decode per transition in a storm.
   */
  private heldAlready(e: KvChange): boolean {
    const seq = peekEventSeq(e.key, e.value);
    if (seq === undefined) return false;
    const held = this.active.get(e.key) ?? this.deferred.get(e.key) ?? this.ended.peek(e.key);
    return held !== undefined && held.seq >= seq;
  }

  private holdGrid(e: KvChange): void {
    const held = this.grids.get(e.key);
    if (held && held.revision >= e.revision) return;
    this.grids.set(e.key, { raw: e.value.slice(), revision: e.revision }); // not a view holding a read buffer
  }

  private onTransition(m: JsMsg): void {
    const doc = decodeChecked(m, TRANSITION_DOC, this.options.log);
    if (!doc) return;
    if (doc.kind === 'incident') {
      this.applyIncident(doc);
      return;
    }
    if (LEVELS.includes(doc.level) && typeof doc.id === 'string')
      this.series.countTransition(this.options.now(), doc);
    this.storedAt.set(doc, nanosToMs(m.info.timestampNanos));
    this.applyEvent(doc);
  }

  /** When a transition heard on CADRE_EVENTS was stored there (epoch ms); undefined for KV-loaded docs. */
  storedAtOf(doc: EventDoc | IncidentTransition): number | undefined {
    return this.storedAt.get(doc);
  }

  private onMaintenance(m: JsMsg): void {
    const msg = decodeChecked(m, MAINTENANCE, this.options.log);
    if (!msg) return;
    const keys = this.options.commandKeys;
    if (keys && verifyInput('maintenance', msg, keys)) return; // dead-lettered, never applied
    const { signature: _signature, ...window } = msg; // the processor's to check, not the admin's to read
    this.maintenance.set(msg.id, window);
  }

  private onProcessorStats(stats: ProcessorStats): void {
    this.processors.set(stats.partition, { stats, receivedAt: this.options.now() });
  }

  private sampleSeries(): void {
    const view = this.processorView();
    const inputRate = Object.values(view.rates).reduce((a, b) => a + b, 0);
    this.series.sample(this.options.now(), inputRate, view.lagSeconds);
  }

  private follow(follow: StreamFollow): void {
    this.stops.push(() => follow.stop());
  }
}

function nanosToMs(nanos: number): number {
  return Math.floor(nanos / 1e6);
}

/** The current value of every key; deleted keys are skipped. */
const decoder = new TextDecoder();

const EVENT_HEAD = new TextEncoder().encode('{"kind":"event","id":"');
const SEQ_KEY = new TextEncoder().encode('","seq":');

/**
 * The seq of an event document stored under `key`, read from its first bytes as the processor writes
 * them (`{"kind":"event","id":"<key>","seq":<n>,`), without decoding it; undefined for anything else
 * (an incident, an encoded key, another shape), which is then parsed in full.
 */
export function peekEventSeq(key: string, value: Uint8Array): number | undefined {
  if (!/^[-_=.a-zA-Z0-9]+$/.test(key) || key.startsWith('x_')) return undefined;
  let i = 0;
  for (const b of EVENT_HEAD) if (value[i++] !== b) return undefined;
  for (let k = 0; k < key.length; k++) if (value[i++] !== key.charCodeAt(k)) return undefined;
  for (const b of SEQ_KEY) if (value[i++] !== b) return undefined;
  let seq = 0;
  const start = i;
  for (let c = value[i]; c !== undefined && c >= 0x30 && c <= 0x39; c = value[++i])
    seq = seq * 10 + (c - 0x30);
  const end = value[i];
  return i > start && i - start < 16 && (end === 0x2c || end === 0x7d) ? seq : undefined;
}

async function loadAll(kv: KV, apply: (e: KvEntry) => void): Promise<void> {
  const keys: string[] = [];
  for await (const key of await kv.keys()) keys.push(key);
  for (let i = 0; i < keys.length; i += 64) {
    const entries = await Promise.all(keys.slice(i, i + 64).map((k) => kv.get(k)));
    for (const e of entries) if (e && e.operation === 'PUT') apply(e);
  }
}

const GRID_DOC = compile(GridDocSchema);
const PROCESSOR_STATS = compile(ProcessorStatsSchema);
const MAINTENANCE = compile(MaintenanceSchema);

function safely(fn: () => void, log: ReadModelOptions['log']): void {
  try {
    fn();
  } catch (err) {
    log?.warn({ err: (err as Error).message }, 'unreadable KV entry skipped');
  }
}
