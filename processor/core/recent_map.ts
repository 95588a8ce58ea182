/**
 * A Map that keeps the entries set most recently: at least the last `max / 2`, at most `max`. Two
 * generations — set goes to the young one; when it holds `max / 2`, it becomes the old one and the
 * previous old one is dropped whole. O(1) per call at any size: no eviction walks over the deleted
 * entries that pile up at the head of a JS Map (one `keys().next()` per set made that O(n) once the
 * map was full). Not lru-cache: it reserves `max` slots up front, and its TTLs would read the wall
 * clock. Iteration (for a snapshot) is old then young, each in insertion order, so a restore is exact.
 */
export class RecentMap<K, V> {
  private old = new Map<K, V>();
  private young = new Map<K, V>();

  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    return this.young.get(key) ?? this.old.get(key);
  }

  set(key: K, value: V): void {
    this.young.set(key, value);
    if (this.young.size < this.max / 2) return;
    this.old = this.young;
    this.young = new Map();
  }

  get size(): number {
    return this.old.size + this.young.size;
  }

  /** Old generation first, then young (a key in both: its young value comes last and wins on restore). */
  *entries(): IterableIterator<[K, V]> {
    yield* this.old;
    yield* this.young;
  }
}
