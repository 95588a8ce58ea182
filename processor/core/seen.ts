/**
 * The duplicate memory: what was seen within a horizon of event time (rules.maxAge), in buckets of
 * 1/24 of it by the input's event time. Input older than the horizon is refused before it gets here,
 * so an entry is needed exactly until its bucket falls behind the horizon, and then the whole bucket
 * goes at once: O(1) per input at any size and run length, nothing walked, no tombstones. (The set
 * it replaces evicted its oldest key with `values().next()`, which walks over the deleted entries
 * piling up at the head of a JS Set: 70% of a five-day replay.)
 *
 * Alarms and KPI samples are duplicates by an id and an instant (alarm id + state + time, element +
 * time; shared/subjects.ts messageId says the same for Nats-Msg-Id). They are kept as the id and the
 * instant, a number, in the instant's own bucket: no key string is built per message (building and
 * keeping one cost ~0.5 µs a message and most of the memory). Complaints, commands and maintenance
 * are keyed by id alone, which may come back with another time, so they are looked up in every
 * bucket (~25 lookups, for a few percent of the input).
 */
import type { Input, TickInput } from '../../contract/normalize.js';

/** What the memory judges: every input but ticks. */
export type Keyed = Exclude<Input, TickInput>;

/** Instants of one id in one bucket: one number (the usual case), or several. */
type Instants = number | number[];

type TimedKind = 'alarm' | 'kpi';

/** Plain data of a snapshot: per bucket, its id keys and its timed entries by kind. */
export interface SeenJSON {
  keys: [number, string[]][];
  alarm: [number, [string, Instants][]][];
  kpi: [number, [string, Instants][]][];
}

interface Bucket {
  /** Entries held (instants and keys), so that dropping the bucket walks nothing. */
  n: number;
  keys?: Set<string>;
  alarm?: Map<string, Instants>;
  kpi?: Map<string, Instants>;
}

export class SeenKeys {
  private readonly buckets = new Map<number, Bucket>();
  private readonly bucketMs: number;
  /** No bucket below this index is kept. */
  private floor = -Infinity;
  private count = 0;

  constructor(horizonMs: number, restored?: SeenJSON) {
    this.bucketMs = Math.max(1000, Math.ceil(horizonMs / 24));
    if (!restored) return;
    for (const [index, keys] of restored.keys) {
      const bucket = this.bucket(index);
      bucket.keys = new Set(keys);
      bucket.n += keys.length;
      this.count += keys.length;
    }
    for (const kind of ['alarm', 'kpi'] as const)
      for (const [index, entries] of restored[kind]) {
        const bucket = this.bucket(index);
        bucket[kind] = new Map(entries);
        for (const [, instants] of entries) {
          const n = typeof instants === 'number' ? 1 : instants.length;
          bucket.n += n;
          this.count += n;
        }
      }
  }

  get size(): number {
    return this.count;
  }

  /** True when `input` was seen before (CONTRACT.md "Time, duplicates, titles"); otherwise it is remembered. */
  check(input: Keyed): boolean {
    switch (input.type) {
      case 'alarm':
        return this.checkTimed('alarm', input.msg.id, input.time, input.msg.state === 'raised' ? 0 : 1);
      case 'kpi':
        return this.checkTimed('kpi', input.msg.ne, input.time);
      case 'maintenance':
        return this.checkKey(input.key, input.end);
      default:
        return this.checkKey(input.key, input.time);
    }
  }

  /**
   * True when `id` was seen before at the instant `time` (with the same `variant`: an alarm's raise
   * and clear at one instant are two messages); otherwise it is remembered.
   */
  private checkTimed(kind: TimedKind, id: string, time: number, variant = 0): boolean {
    const bucket = this.bucket(Math.floor(time / this.bucketMs));
    const map = (bucket[kind] ??= new Map());
    // Instants are integers (ms) well below 2^52: doubled, the low bit carries the variant exactly.
    const instant = time * 2 + variant;
    const seen = map.get(id);
    if (seen === undefined) map.set(id, instant);
    else if (seen === instant) return true;
    else if (typeof seen === 'number') map.set(id, [seen, instant]);
    else if (seen.includes(instant)) return true;
    else seen.push(instant);
    bucket.n++;
    this.count++;
    return false;
  }

  /** True when `key` (an id that names no instant) was seen at any time within the horizon. */
  private checkKey(key: string, time: number): boolean {
    for (const bucket of this.buckets.values()) if (bucket.keys?.has(key)) return true;
    const bucket = this.bucket(Math.floor(time / this.bucketMs));
    (bucket.keys ??= new Set()).add(key);
    bucket.n++;
    this.count++;
    return false;
  }

  /** Forgets every bucket that ends at or before `before` (event time, epoch ms). */
  expire(before: number): void {
    const floor = Math.floor(before / this.bucketMs);
    if (floor <= this.floor) return;
    this.floor = floor;
    for (const [index, bucket] of this.buckets) {
      if (index >= floor) continue;
      this.count -= bucket.n;
      this.buckets.delete(index);
    }
  }

  /**
   * Plain data for a snapshot, buckets by index: the order they were made in differs between a
   * memory that was restored (keys' buckets first, then alarms', then KPIs') and the one it was
   * taken from, and the same state must give the same snapshot (the shadow core's checkpoints).
   */
  toJSON(): SeenJSON {
    const json: SeenJSON = { keys: [], alarm: [], kpi: [] };
    for (const [index, bucket] of [...this.buckets].sort((a, b) => a[0] - b[0])) {
      if (bucket.keys) json.keys.push([index, [...bucket.keys]]);
      if (bucket.alarm) json.alarm.push([index, [...bucket.alarm]]);
      if (bucket.kpi) json.kpi.push([index, [...bucket.kpi]]);
    }
    return json;
  }

  private bucket(index: number): Bucket {
    let bucket = this.buckets.get(index);
    if (!bucket) this.buckets.set(index, (bucket = { n: 0 }));
    return bucket;
  }
}
