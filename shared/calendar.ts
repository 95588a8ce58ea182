/**
 * The operator's days (cadre.yaml `timeZone`): which local day an instant falls on, when a local day
 * starts, and the days of a span. Every day boundary of cadre — scorecard counters, scorecard
 * periods, reports — comes from here, so a Changsha day ends at Changsha's midnight, not at 08:00.
 * Days are keyed `YYYY-MM-DD`, the local date.
 */
import { DAY, HOUR } from './time.js';

/** The wall-clock fields of an instant somewhere: the local date and the 24-hour time. */
export interface WallFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** What a clock in `timeZone` shows: for the days here and for the UI's clocks. */
export class WallClock {
  private readonly format: Intl.DateTimeFormat;

  /** Throws a RangeError for a zone Intl does not know. */
  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  }

  fields(ms: number): WallFields {
    const p: Record<string, number> = {};
    for (const part of this.format.formatToParts(ms))
      if (part.type !== 'literal') p[part.type] = Number(part.value);
    return p as unknown as WallFields;
  }
}

export class DayCalendar {
  private readonly clock: WallClock;
  // The day found last: input arrives mostly in time order, so most calls are two comparisons.
  private cachedStart = NaN;
  private cachedEnd = NaN;
  private cachedKey = '';

  constructor(readonly timeZone: string) {
    this.clock = new WallClock(timeZone);
  }

  /** The local day (`YYYY-MM-DD`) of an instant. */
  key(ms: number): string {
    if (ms >= this.cachedStart && ms < this.cachedEnd) return this.cachedKey;
    const { y, m, d } = this.wall(ms);
    const key = dateKey(Date.UTC(y, m - 1, d));
    this.cachedStart = this.startOf(key);
    this.cachedEnd = this.startOf(addDays(key, 1));
    this.cachedKey = key;
    return key;
  }

  /** The instant a local day starts (its local midnight, or the first instant after a gap). */
  startOf(key: string): number {
    const wallMidnight = Date.parse(`${key}T00:00:00Z`);
    // Two rounds: the offset at the guess can differ from the offset at midnight across a DST change.
    let t = wallMidnight - this.offset(wallMidnight);
    t = wallMidnight - this.offset(t);
    // A midnight skipped by a DST change: the day starts at the first instant that is on it.
    if (this.wall(t).d !== Number(key.slice(8, 10))) t += HOUR;
    return t;
  }

  /** The local days from `from`'s to `to`'s, both included. */
  between(from: number, to: number): string[] {
    const keys: string[] = [];
    const last = this.key(to);
    for (let k = this.key(from); k <= last; k = addDays(k, 1)) keys.push(k);
    return keys;
  }

  /** The zone's offset from UTC at an instant, in ms (Asia/Shanghai: +8 h). */
  offset(ms: number): number {
    const { y, m, d, h, min, s } = this.wall(ms);
    return Date.UTC(y, m - 1, d, h, min, s) - (ms - (((ms % 1000) + 1000) % 1000));
  }

  private wall(ms: number) {
    const f = this.clock.fields(ms);
    return { y: f.year, m: f.month, d: f.day, h: f.hour, min: f.minute, s: f.second };
  }
}

/** The day `n` days after (or before, when negative) a day key; pure date arithmetic. */
export function addDays(key: string, n: number): string {
  return dateKey(Date.parse(`${key}T00:00:00Z`) + n * DAY);
}

function dateKey(utcMidnight: number): string {
  return new Date(utcMidnight).toISOString().slice(0, 10);
}
