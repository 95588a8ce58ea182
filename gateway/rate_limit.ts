/**
 * A sliding-window counter per key: Socket.IO `subscribe` calls per connection. HTTP routes use
 * @fastify/rate-limit instead; it cannot see messages inside a WebSocket. The clock is passed in.
 */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records an attempt at `now`; false when the key already made `limit` attempts within the window. */
  take(key: string, now: number): boolean {
    const since = now - this.windowMs;
    const recent = (this.hits.get(key) ?? []).filter((t) => t > since);
    const allowed = recent.length < this.limit;
    if (allowed) recent.push(now);
    this.hits.set(key, recent);
    this.prune(since);
    return allowed;
  }

  /** Forgets keys with no attempt in the window, so a scan of many IPs cannot grow the map forever. */
  private prune(since: number): void {
    if (this.hits.size < 1000) return;
    for (const [key, times] of this.hits) if (times.every((t) => t <= since)) this.hits.delete(key);
  }
}
