/**
 * A Map that keeps at most `max` entries, forgetting the one set least recently. Used instead of
 * lru-cache in the core: lru-cache reserves arrays of `max` slots up front (a fixed ~8 MB for the
 * default 500k customers, whatever the province's size), and its TTLs would read the wall clock.
 * Iteration is least recently set first, so a snapshot restores the same order.
 */
export class RecentMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    this.map.delete(key); // re-inserted last: the most recent
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }

  get size(): number {
    return this.map.size;
  }

  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }
}
