/**
 * Alarm episodes: one alarm's raise and clear. Episodes are drawn per time bucket from the seed and
 * the bucket number alone, and a window [from, to) is answered by looking back over the buckets whose
 * episodes may still clear in it, so the model stays a pure function of time.
 */
import { formatLocal, type SimAlarm, type TimedMessage } from './catalog.js';

export interface AlarmEpisode {
  id: string;
  ne: string;
  city: string;
  code: string;
  severity: 1 | 2 | 3 | 4;
  category: 'fault' | 'performance';
  text: string;
  raise: number;
  /** When the alarm clears; Infinity for one that stays up. */
  clear: number;
}

export function alarmMessage(e: AlarmEpisode, state: 'raised' | 'cleared'): TimedMessage {
  const time = state === 'raised' ? e.raise : e.clear;
  const msg: SimAlarm = {
    type: 'alarm',
    id: e.id,
    ne: e.ne,
    severity: e.severity,
    category: e.category,
    code: e.code,
    state,
    time: formatLocal(time),
    text: e.text,
  };
  return { time, city: e.city, msg };
}

/** Both messages of each episode, in time order (for scenarios). */
export function episodeMessages(episodes: readonly AlarmEpisode[]): TimedMessage[] {
  return episodes
    .flatMap((e) =>
      Number.isFinite(e.clear)
        ? [alarmMessage(e, 'raised'), alarmMessage(e, 'cleared')]
        : [alarmMessage(e, 'raised')],
    )
    .sort((a, b) => a.time - b.time);
}

interface Bucket {
  byRaise: AlarmEpisode[];
  byClear: AlarmEpisode[];
}

/**
 * Episodes generated per bucket of `bucketMs`, none lasting longer than `maxDurationMs`. Buckets are
 * memoized (a cache, not state: a miss regenerates the same episodes).
 */
export class BucketedEpisodes {
  private readonly cache = new Map<number, Bucket>();

  constructor(
    private readonly bucketMs: number,
    private readonly maxDurationMs: number,
    private readonly generate: (bucket: number) => AlarmEpisode[],
  ) {}

  /** Raises and clears due in [from, to) of episodes raised at or after `origin`. */
  between(from: number, to: number, origin: number): TimedMessage[] {
    const out: TimedMessage[] = [];
    const first = Math.max(
      Math.floor((from - this.maxDurationMs) / this.bucketMs),
      Math.floor(origin / this.bucketMs),
    );
    const last = Math.floor((to - 1) / this.bucketMs);
    for (let b = first; b <= last; b++) {
      const { byRaise, byClear } = this.bucket(b);
      for (
        let i = lowerBound(byRaise, from, (e) => e.raise);
        i < byRaise.length && byRaise[i].raise < to;
        i++
      )
        if (byRaise[i].raise >= origin) out.push(alarmMessage(byRaise[i], 'raised'));
      for (
        let i = lowerBound(byClear, from, (e) => e.clear);
        i < byClear.length && byClear[i].clear < to;
        i++
      )
        if (byClear[i].raise >= origin) out.push(alarmMessage(byClear[i], 'cleared'));
    }
    this.evictBefore(first);
    return out;
  }

  private bucket(b: number): Bucket {
    let bucket = this.cache.get(b);
    if (!bucket) {
      const episodes = this.generate(b);
      bucket = {
        byRaise: episodes.slice().sort((x, y) => x.raise - y.raise),
        byClear: episodes.filter((e) => Number.isFinite(e.clear)).sort((x, y) => x.clear - y.clear),
      };
      this.cache.set(b, bucket);
    }
    return bucket;
  }

  private evictBefore(b: number): void {
    for (const key of this.cache.keys()) if (key < b) this.cache.delete(key);
  }
}

function lowerBound<T>(items: readonly T[], value: number, key: (item: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(items[mid]) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
