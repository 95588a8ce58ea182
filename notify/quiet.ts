/**
 * Quiet hours of a subscriber (notify.yaml `quietHours: {from: "22:00", to: "07:00"}`, local times in
 * cadre.yaml `timeZone`): a notice below red that comes while they last waits until they end; red
 * never waits. Pure: the clock and the zone come in, the instant the hold ends goes out.
 */
import type { Subscriber } from '../config/notify.js';
import type { Level } from '../shared/levels.js';

const DAY_S = 86_400;

const formats = new Map<string, Intl.DateTimeFormat>();
function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(timeZone, f);
  }
  return f;
}

/** Seconds since local midnight in `timeZone` at `ms`. */
function localSecondOfDay(ms: number, timeZone: string): number {
  const p: Record<string, number> = {};
  for (const part of format(timeZone).formatToParts(ms))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  return p.hour * 3600 + p.minute * 60 + p.second;
}

const seconds = (hhmm: string) => Number(hhmm.slice(0, 2)) * 3600 + Number(hhmm.slice(3, 5)) * 60;

/**
 * When the quiet hours that hold `now` end (epoch ms), or undefined when it is not quiet for this
 * subscriber and level. A window may wrap midnight (22:00–07:00); `to` is excluded. A DST change
 * inside the window moves its end by the change (the end is found by local seconds from now).
 */
export function quietUntil(
  subscriber: Pick<Subscriber, 'quietHours'>,
  level: Level,
  now: number,
  timeZone: string,
): number | undefined {
  const q = subscriber.quietHours;
  if (!q || level === 'red') return undefined;
  const from = seconds(q.from);
  const to = seconds(q.to);
  const at = localSecondOfDay(now, timeZone);
  const inside = from < to ? at >= from && at < to : at >= from || at < to;
  if (!inside) return undefined;
  const left = (((to - at) % DAY_S) + DAY_S) % DAY_S;
  return now - (now % 1000) + left * 1000;
}
