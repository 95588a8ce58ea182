/**
 * One screen's outgoing transitions: buffered and flushed at most once per interval (250 ms: ≤ 4
 * batches a second however heavy the input). While the buffer is small it keeps every transition in
 * arrival order; once it grows past `largeBatch` it keeps only the latest transition of each event,
 * so memory is bounded by the number of events and an event's latest state is never dropped.
 */
import type { EventTransition, IncidentTransition } from '../shared/schemas.js';

/** What a screen's `events` batches carry: events' transitions and incidents'. */
export type Transition = EventTransition | IncidentTransition;

export interface FeedOptions {
  intervalMs?: number;
  largeBatch?: number;
  now: () => number;
  /** True while the connection has not written out what it was given: the flush waits a round. */
  congested?: () => boolean;
}

export class CoalescingFeed {
  private list: Transition[] = [];
  private latest: Map<string, Transition> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastFlush = -Infinity;
  private readonly intervalMs: number;
  private readonly largeBatch: number;

  constructor(
    private readonly send: (batch: Transition[]) => void,
    private readonly options: FeedOptions,
  ) {
    this.intervalMs = options.intervalMs ?? 250;
    this.largeBatch = options.largeBatch ?? 200;
  }

  push(t: Transition): void {
    if (this.latest) {
      this.latest.delete(t.id); // re-insert: the batch lists events in the order of their latest change
      this.latest.set(t.id, t);
    } else {
      this.list.push(t);
      if (this.list.length > this.largeBatch) {
        this.latest = new Map();
        for (const held of this.list) {
          this.latest.delete(held.id);
          this.latest.set(held.id, held);
        }
        this.list = [];
      }
    }
    this.schedule();
  }

  /** Drops what is buffered (a fresh snapshot is about to carry the same state). */
  clear(): void {
    this.list = [];
    this.latest = undefined;
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - this.options.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = undefined;
    if (this.options.congested?.()) {
      this.lastFlush = this.options.now();
      this.schedule();
      return;
    }
    const batch = this.latest ? [...this.latest.values()] : this.list;
    this.clear();
    if (batch.length === 0) return;
    this.send(batch);
    // Measured after the send: serializing a large batch takes time, and the gap is what a screen sees.
    this.lastFlush = this.options.now();
  }
}
