/**
 * The kinds of an event's elements, for its title (three cells and a router). Counted once per
 * element as it joins, not over every element at every new title: in a storm that was O(elements²)
 * per grid. Derived, not state (not in the snapshot): a restored event is counted over its set once.
 * Each World has its own (a WeakMap keyed by its events), so two cores in one process share nothing.
 */
import type { Topology } from '../../config/topology.js';
import type { ElementKind } from '../../shared/schemas.js';
import type { EventState } from './state.js';

interface KindCount {
  /** How many of the event's elements are counted: another size means the set changed unseen. */
  n: number;
  kinds: Partial<Record<ElementKind, number>>;
}

export class ElementKinds {
  private readonly counts = new WeakMap<EventState, KindCount>();

  constructor(private readonly topology: Topology) {}

  /**
   * The kinds of the event's elements: the same counts in the same key order as a count over the set
   * (elements only grow, in insertion order). A copy: the count goes on.
   */
  of(ev: EventState): Partial<Record<ElementKind, number>> {
    let counted = this.counts.get(ev);
    if (!counted || counted.n !== ev.elements.size) {
      counted = { n: 0, kinds: {} };
      for (const id of ev.elements) this.count(counted, id);
      this.counts.set(ev, counted);
    }
    return { ...counted.kinds };
  }

  /** Adds elements to the event, counting the kinds of those new to it if its kinds are counted yet. */
  add(ev: EventState, ids: Iterable<string>): void {
    const set = ev.elements;
    const counted = this.counts.get(ev);
    if (counted?.n !== set.size) {
      for (const id of ids) set.add(id);
      return;
    }
    for (const id of ids) {
      const n = set.size;
      if (set.add(id).size > n) this.count(counted, id);
    }
  }

  private count(counted: KindCount, id: string): void {
    const kind = this.topology.element(id)?.kind ?? 'other';
    counted.kinds[kind] = (counted.kinds[kind] ?? 0) + 1;
    counted.n++;
  }
}
