/**
 * Everything the processor says, written in order: transitions to CADRE_EVENTS and command replies
 * on one chain, the latest event and grid documents to KV on a second one. A document write starts
 * once the transitions queued before it are stored (a read model never runs ahead of the stream),
 * and transitions never wait behind documents: a second's worth of KV puts took up to ~100 ms, the
 * tail of publish → transition. `position()` tells when everything produced so far is stored on
 * both (a checkpoint at sequence S waits for it, beside the chains, so later outputs never wait
 * behind a checkpoint). A failed write is retried with back-off, never dropped: its chain waits.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { EventTransition, IncidentTransition } from '../shared/schemas.js';
import type { CommandReply } from '../shared/views.js';
import { BUCKETS, kvKey, subjects } from '../shared/subjects.js';
import { publishWindowed, type PublishItem } from '../broker/publish.js';
import { withBackOff } from '../broker/broker_waits.js';
import { noteJetStreamFailure } from '../broker/js_watch.js';
import { outputsRefusedTotal } from '../shared/metrics.js';

const MAX_BACKOFF_MS = 5000;
/**
 * Documents awaiting their ack at once: a window of the default 1,000 grid documents (~10 KB each)
 * is ~10 MB encoded and written in one go, tens of ms in which no transition gets through. A small
 * one lets the feed's batches and their transitions in between.
 */
const DOCS_WINDOW = 32;

export interface OutboxTargets {
  nc: NatsConnection;
  onPublished?(transition: EventTransition): void;
  /** Called when the last queued write is done (the caller may have held outputs back meanwhile). */
  onIdle?(): void;
  /** `<id>:<seq>` of transitions already in CADRE_EVENTS (published before a crash): skipped. */
  alreadyPublished?: Set<string>;
  /** CADRE_EVENTS' last sequence at start: nothing of ours can be stored before it. */
  eventsSeq: number;
  /**
   * False once this instance may no longer own the partition (its lease): what is not written yet is
   * dropped, not written late — the next owner derives it again from its checkpoint.
   */
  owns?(): boolean;
  log(message: string): void;
}

interface Pending {
  transitions: EventTransition[];
  incidents: IncidentTransition[];
  events: Map<string, EventTransition | IncidentTransition>;
  /** Grid id → its document's JSON (built off this thread: processor/shadow.ts). */
  grids: Map<string, string>;
  replies: { commandId: string; reply: CommandReply }[];
}

export class Outbox {
  private pending: Pending = emptyPending();
  private docs: Pick<Pending, 'events' | 'grids'> = emptyDocs();
  private tail: Promise<void> = Promise.resolve();
  private docsTail: Promise<void> = Promise.resolve();
  private writesInFlight = 0;
  /** The highest CADRE_EVENTS sequence a publish of ours was stored at. */
  private eventsSeq: number;
  /** Each transition's JSON, made once for the stream and reused for its event's KV document. */
  private readonly json = new WeakMap<EventTransition | IncidentTransition, string>();

  constructor(private readonly targets: OutboxTargets) {
    this.eventsSeq = targets.eventsSeq;
  }

  addTransitions(transitions: readonly EventTransition[]): void {
    for (const t of transitions) {
      this.pending.transitions.push(t);
      this.docs.events.set(t.id, t);
    }
  }

  /** Incident transitions, in the same chain (published after the events of the same batch). */
  addIncidents(incidents: readonly IncidentTransition[]): void {
    for (const t of incidents) {
      this.pending.incidents.push(t);
      // Their documents share the events' bucket (ids cannot meet: `<city>.incident.…`), so a
      // gateway loads them with the events.
      this.docs.events.set(t.id, t);
    }
  }

  addGridDocs(docs: Iterable<[grid: string, json: string]>): void {
    for (const [grid, json] of docs) this.docs.grids.set(grid, json);
  }

  addReply(commandId: string, reply: CommandReply): void {
    this.pending.replies.push({ commandId, reply });
  }

  /** Transitions and replies not yet queued for writing (documents wait for flushDocs). */
  get size(): number {
    return this.pending.transitions.length + this.pending.incidents.length + this.pending.replies.length;
  }

  /** Queues the pending transitions and replies behind the writes already queued. */
  flush(): Promise<void> {
    const batch = this.pending;
    if (batch.transitions.length + batch.incidents.length + batch.replies.length === 0) return this.tail;
    this.pending = emptyPending();
    return this.enqueue(() => this.write(batch));
  }

  /**
   * Queues the latest event and grid documents changed since the last call. They are read models
   * (screens take transitions from the stream at once): written once a second and with every
   * checkpoint, an event changed a hundred times in a storm is one KV write, not a hundred.
   */
  flushDocs(): Promise<void> {
    const stored = this.flush();
    const batch = { ...emptyPending(), ...this.docs };
    if (batch.events.size + batch.grids.size === 0) return this.docsTail;
    this.docs = emptyDocs();
    this.docsTail = Promise.all([stored, this.docsTail]).then(() => this.write(batch));
    return this.docsTail;
  }

  /**
   * Flushes what is pending; resolves once everything queued so far is written, with the CADRE_EVENTS
   * sequence its transitions reached (read as the chain gets there, before a later write can store
   * anything: the next write only starts then and is stored by IO).
   */
  position(): Promise<number> {
    const seq = this.flush().then(() => this.eventsSeq);
    return Promise.all([seq, this.docsTail]).then(([at]) => at);
  }

  /** True while transitions or replies are queued or being written (for lag/readiness and shutdown). */
  get busy(): boolean {
    return this.writesInFlight > 0;
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.writesInFlight++;
    this.tail = this.tail.then(task).finally(() => {
      if (--this.writesInFlight === 0) this.targets.onIdle?.();
    });
    return this.tail;
  }

  private jsonOf(t: EventTransition | IncidentTransition): string {
    let text = this.json.get(t);
    if (text === undefined) this.json.set(t, (text = JSON.stringify(t)));
    return text;
  }

  private async write(batch: Pending): Promise<void> {
    const { nc, onPublished, alreadyPublished, log } = this.targets;
    const owns = this.targets.owns ?? (() => true);
    const transitions = batch.transitions.filter((t) => !alreadyPublished?.delete(`${t.id}:${t.seq}`));
    const incidents = batch.incidents.filter((t) => !alreadyPublished?.delete(`${t.id}:${t.seq}`));
    await storeAll(
      'publish transitions',
      nc,
      [
        ...transitions.map((t) => ({
          subject: subjects.event(t.city, t.grid),
          msgId: `${t.id}:${t.seq}`,
          data: this.jsonOf(t),
        })),
        ...incidents.map((t) => ({
          subject: subjects.incident(t.city),
          msgId: `${t.id}:${t.seq}`,
          data: this.jsonOf(t),
        })),
      ],
      log,
      owns,
      undefined,
      (seq) => (this.eventsSeq = Math.max(this.eventsSeq, seq)),
    );
    if (onPublished) transitions.forEach(onPublished);
    // KV puts are publishes to the bucket's stream: the same publisher, the same proof.
    await storeAll(
      'put events',
      nc,
      [...batch.events.values()].map((t) => ({
        subject: kvSubject(BUCKETS.events, t.id),
        data: this.jsonOf(t),
      })),
      log,
      owns,
      DOCS_WINDOW,
    );
    await storeAll(
      'put grids',
      nc,
      [...batch.grids].map(([grid, data]) => ({ subject: kvSubject(BUCKETS.grids, grid), data })),
      log,
      owns,
      DOCS_WINDOW,
    );
    if (!owns()) return;
    for (const { commandId, reply } of batch.replies)
      nc.publish(subjects.commandReply(commandId), JSON.stringify(reply));
  }
}

const kvSubject = (bucket: string, key: string) => `$KV.${bucket}.${kvKey(key)}`;

/**
 * Stores every item, retrying the ones that failed with back-off until they are stored: the chain
 * waits rather than drop an output — unless this instance no longer owns the partition, when nothing
 * more is sent (fencing). (After a failure the retried items land after the later ones that had
 * succeeded; readers order an event's transitions by `seq`.)
 */
async function storeAll(
  what: string,
  nc: NatsConnection,
  items: PublishItem[],
  log: (m: string) => void,
  owns: () => boolean = () => true,
  window?: number,
  onStored?: (seq: number) => void,
): Promise<void> {
  let pending = items;
  for (let delay = 100; pending.length; delay = Math.min(delay * 2, MAX_BACKOFF_MS)) {
    if (!owns())
      return log(`${what}: ${pending.length} not written, the partition's lease is no longer ours`);
    const results = await publishWindowed(nc, pending, { allowed: owns, window });
    const failed: PublishItem[] = [];
    const refused: { item: PublishItem; error: Error }[] = [];
    results.forEach((r, i) => {
      if (r.ok) onStored?.(r.seq);
      else if (r.permanent) refused.push({ item: pending[i], error: r.error });
      else failed.push(pending[i]);
    });
    if (refused.length) await deadLetter(what, nc, refused, log);
    if (!failed.length) return;
    const first = results.find((r) => !r.ok) as { error: Error };
    noteJetStreamFailure(nc, first.error);
    log(`${what}: ${failed.length} not stored (${first.error.message}); retrying in ${delay} ms`);
    await new Promise((r) => setTimeout(r, delay));
    pending = failed;
  }
}

/**
 * Outputs no retry can store (too large for the server) go to `cadre.dlq.output` as a summary — the
 * output itself would be refused again — with the reason, and the chain goes on: one bad output
 * must not stop every later one. The core's VIEW_LIMITS keep this from happening on valid input.
 */
async function deadLetter(
  what: string,
  nc: NatsConnection,
  refused: { item: PublishItem; error: Error }[],
  log: (m: string) => void,
): Promise<void> {
  log(`${what}: ${refused.length} refused for good (${refused[0].error.message}); dead-lettered`);
  outputsRefusedTotal.inc({ what }, refused.length);
  await storeAll(
    'dead-letter outputs',
    nc,
    refused.map(({ item, error }) => ({
      subject: subjects.dlq('output'),
      msgId: `output:${item.msgId ?? item.subject}:${byteLength(item.data)}`,
      data: JSON.stringify({
        what,
        subject: item.subject,
        msgId: item.msgId,
        bytes: byteLength(item.data),
        reason: error.message,
        head: String(item.data).slice(0, 1000),
      }),
    })),
    log,
  );
}

const byteLength = (data: string | Uint8Array) =>
  typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;

function emptyPending(): Pending {
  return { transitions: [], incidents: [], ...emptyDocs(), replies: [] };
}

function emptyDocs(): Pick<Pending, 'events' | 'grids'> {
  return { events: new Map(), grids: new Map() };
}

/** Runs `attempt` until it succeeds, with growing back-off (a checkpoint is never given up). */
export async function retry<T>(
  what: string,
  attempt: () => Promise<T>,
  log: (m: string) => void,
): Promise<T> {
  return withBackOff(100, attempt, (err, delay) =>
    log(`${what} failed (${(err as Error).message}); retrying in ${delay} ms`),
  );
}
