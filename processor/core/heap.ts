/**
 * A binary min-heap over a plain array, so the core can snapshot it as JSON and restore it as is.
 * Ties must be broken by the comparator: the heap itself is not stable.
 */
export class MinHeap<T> {
  constructor(
    private readonly before: (a: T, b: T) => boolean,
    readonly items: T[] = [],
  ) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** Sifts the new item up, moving parents down into the hole (no swap, no array per step). */
  push(item: T): void {
    const a = this.items;
    let i = a.length;
    a.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = slot(a, parent);
      if (!this.before(item, above)) break;
      a[i] = above;
      i = parent;
    }
    a[i] = item;
  }

  /** Takes the top; the last item sifts down from the root, smaller children moving up into the hole. */
  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      // The same comparisons as a swap-based sift, in the same order: the same heap, hence the same snapshot.
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      let least: T = last;
      if (l < a.length) {
        const left = slot(a, l);
        if (this.before(left, least)) {
          m = l;
          least = left;
        }
      }
      if (r < a.length) {
        const right = slot(a, r);
        if (this.before(right, least)) {
          m = r;
          least = right;
        }
      }
      if (m === i) break;
      a[i] = least;
      i = m;
    }
    a[i] = last;
    return top;
  }
}

/** An index below the length holds an item: a hole there is a broken heap, not a value to skip. */
function slot<T>(a: T[], i: number): T {
  const item = a[i];
  if (item === undefined) throw new Error(`heap slot ${i} of ${a.length} is empty`);
  return item;
}
