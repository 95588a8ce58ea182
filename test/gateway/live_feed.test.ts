/** The per-screen coalescing buffer, driven by a fake clock (no sleeping). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CoalescingFeed, type Transition } from '../../gateway/live_feed.js';
import { transition } from './helpers.js';

describe('CoalescingFeed', () => {
  let batches: Transition[][];
  let feed: CoalescingFeed;

  beforeEach(() => {
    vi.useFakeTimers();
    batches = [];
    feed = new CoalescingFeed((b) => batches.push(b), {
      now: () => Date.now(),
      intervalMs: 250,
      largeBatch: 5,
    });
  });
  afterEach(() => {
    feed.close();
    vi.useRealTimers();
  });

  it('sends the first change at once, then at most one batch per interval, in arrival order while small', () => {
    feed.push(transition({ id: 'a', seq: 1 }));
    vi.advanceTimersByTime(0);
    expect(batches.map((b) => b.map((t) => `${t.id}:${t.seq}`))).toEqual([['a:1']]);
    feed.push(transition({ id: 'a', seq: 2 }));
    feed.push(transition({ id: 'b', seq: 1 }));
    feed.push(transition({ id: 'a', seq: 3 }));
    vi.advanceTimersByTime(249);
    expect(batches).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(batches[1]!.map((t) => `${t.id}:${t.seq}`)).toEqual(['a:2', 'b:1', 'a:3']);
  });

  it('keeps only the latest transition of each event once a batch grows large, never losing a final state', () => {
    feed.push(transition({ id: 'warm-up' }));
    vi.advanceTimersByTime(0);
    for (let seq = 1; seq <= 100; seq++)
      for (const id of ['x', 'y', 'z'])
        feed.push(transition({ id, seq, state: seq === 100 && id === 'y' ? 'cleared' : 'open' }));
    vi.advanceTimersByTime(250);
    expect(batches[1]!.map((t) => `${t.id}:${t.seq}:${t.state}`)).toEqual([
      'x:100:open',
      'y:100:cleared',
      'z:100:open',
    ]);
  });

  it('holds a batch back while the connection has not written the last one out', () => {
    let congested = true;
    const slow = new CoalescingFeed((b) => batches.push(b), {
      now: () => Date.now(),
      congested: () => congested,
    });
    slow.push(transition({ id: 'a', seq: 1 }));
    vi.advanceTimersByTime(1000);
    expect(batches).toHaveLength(0);
    slow.push(transition({ id: 'a', seq: 2 }));
    congested = false;
    vi.advanceTimersByTime(250);
    expect(batches.map((b) => b.map((t) => t.seq))).toEqual([[1, 2]]);
    slow.close();
  });
});
