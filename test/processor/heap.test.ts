/**
 * The core's min-heap (processor/core/heap.ts): it pops in the comparator's order, and its array is
 * the one a swap-based heap makes, since the array is in the snapshot (a restored core must fire its
 * timers in the same order as one that ran on).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MinHeap } from '../../processor/core/heap.js';
import { timerBefore, type Timer } from '../../processor/core/timers.js';

/** The swap-based heap the core had, as the reference for the array's layout. */
function swapHeapPush(a: Timer[], item: Timer): void {
  a.push(item);
  for (let i = a.length - 1; i > 0;) {
    const parent = (i - 1) >> 1;
    const [x, p] = [a[i], a[parent]];
    if (!x || !p || !timerBefore(x, p)) break;
    [a[i], a[parent]] = [p, x];
    i = parent;
  }
}

function swapHeapPop(a: Timer[]): Timer | undefined {
  const at = (k: number) => {
    const t = a[k];
    if (!t) throw new Error(`reference heap slot ${k} is empty`);
    return t;
  };
  const top = a[0];
  const last = a.pop();
  if (!a.length || !last) return top;
  a[0] = last;
  for (let i = 0; ;) {
    const [l, r] = [2 * i + 1, 2 * i + 2];
    let m = i;
    if (l < a.length && timerBefore(at(l), at(m))) m = l;
    if (r < a.length && timerBefore(at(r), at(m))) m = r;
    if (m === i) break;
    [a[i], a[m]] = [at(m), at(i)];
    i = m;
  }
  return top;
}

const timer = (due: number, n: number): Timer => ({ due, n, kind: 'ack', ref: `ev${n}` });

describe('MinHeap', () => {
  it('pops by due time, then in the order set, and keeps the array a swap-based heap keeps', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(-1)), { maxLength: 200 }),
        (ops) => {
          const heap = new MinHeap<Timer>(timerBefore);
          const reference: Timer[] = [];
          const popped: Timer[] = [];
          let n = 0;
          for (const op of ops) {
            if (op < 0) {
              const got = heap.pop();
              expect(got).toBe(swapHeapPop(reference));
              if (got) popped.push(got);
            } else {
              const t = timer(op, n++);
              heap.push(t);
              swapHeapPush(reference, t);
            }
            expect(heap.items).toEqual(reference);
          }
          for (let t = heap.pop(); t; t = heap.pop()) popped.push(t);
          return popped.length === n;
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });

  it('drains in order', () => {
    const heap = new MinHeap<Timer>(timerBefore);
    [5, 1, 5, 3, 1, 0].forEach((due, n) => heap.push(timer(due, n)));
    const order: number[] = [];
    for (let t = heap.pop(); t; t = heap.pop()) order.push(t.n);
    expect(order).toEqual([5, 1, 4, 3, 0, 2]);
  });
});
