/**
 * The duplicate memory: every dedup key seen within a horizon of event time (rules.maxAge), in
 * buckets of 1/24 of it by the input's event time. Input older than the horizon is refused before it
 * gets here, so a key is needed exactly until its bucket falls behind the horizon, and then the whole
 * bucket goes at once: O(1) per input at any size and run length, nothing walked, no tombstones.
 * (The set it replaces evicted its oldest key with `values().next()`, which walks over the deleted
 * entries piling up at the head of a JS Set: 70% of a five-day replay.)
 *
 * A key that names its instant (alarm id + state + time, kpi element + time) is only ever in its own
 * time's bucket; a key by id alone (complaint, command, maintenance) may come back with another time,
 * so it is looked up in every bucket (~25 lookups, for a few percent of the input).
 */
export class SeenKeys {
  private readonly buckets = new Map<number, Set<string>>();
  private readonly bucketMs: number;
  /** No bucket below this index is kept. */
  private floor = -Infinity;
  private count = 0;

  constructor(horizonMs: number, restored: [number, string[]][] = []) {
    this.bucketMs = Math.max(1000, Math.ceil(horizonMs / 24));
    for (const [index, keys] of restored) {
      this.buckets.set(index, new Set(keys));
      this.count += keys.length;
    }
  }

  get size(): number {
    return this.count;
  }

  /** True when `key` was seen before; otherwise it is remembered under `time`. */
  check(key: string, time: number, timed: boolean): boolean {
    const index = Math.floor(time / this.bucketMs);
    if (timed) {
      if (this.buckets.get(index)?.has(key)) return true;
    } else {
      for (const keys of this.buckets.values()) if (keys.has(key)) return true;
    }
    let keys = this.buckets.get(index);
    if (!keys) this.buckets.set(index, (keys = new Set()));
    keys.add(key);
    this.count++;
    return false;
  }

  /** Forgets every bucket that ends at or before `before` (event time, epoch ms). */
  expire(before: number): void {
    const floor = Math.floor(before / this.bucketMs);
    if (floor <= this.floor) return;
    this.floor = floor;
    for (const [index, keys] of this.buckets) {
      if (index >= floor) continue;
      this.count -= keys.size;
      this.buckets.delete(index);
    }
  }

  /** Plain data for a snapshot, buckets in the order they were made. */
  toJSON(): [number, string[]][] {
    return [...this.buckets].map(([index, keys]) => [index, [...keys]]);
  }
}
