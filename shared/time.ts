/**
 * Time helpers. cadre works in epoch milliseconds internally; ISO-8601 strings with a zone are the
 * wire format. Nothing here reads the clock: callers pass `now` in.
 */

/** ISO-8601 date-time that names its zone (`Z` or `±hh:mm`): local times without a zone are ambiguous. */
const ISO_WITH_ZONE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):?(\d{2}))$/;

/**
 * Inputs repeat their times (a KPI period's samples all carry its end; a storm's alarms share seconds):
 * the texts seen last are remembered. A bounded cache of a pure function, so no answer changes.
 */
const parsedTimes = new Map<string, number>();
const PARSED_TIMES_MAX = 4096;

/**
 * Epoch ms of an ISO-8601 string with a zone, or NaN when it is not one or names no real instant.
 * Every field is range-checked (`Date.parse` rolls `11-31` over to 1 December and takes `T24:00`):
 * a date that does not exist is bad input, not another day. Fractions past milliseconds are dropped.
 */
export function parseTime(text: string): number {
  let ms = parsedTimes.get(text);
  if (ms !== undefined) return ms;
  ms = strictParse(text);
  if (parsedTimes.size >= PARSED_TIMES_MAX) parsedTimes.clear();
  parsedTimes.set(text, ms);
  return ms;
}

function strictParse(text: string): number {
  const m = ISO_WITH_ZONE.exec(text);
  if (!m) return NaN;
  const n = (i: number) => (m[i] === undefined ? 0 : Number(m[i]));
  const [year, month, day, hour, minute, second] = [n(1), n(2), n(3), n(4), n(5), n(6)];
  const [zoneHours, zoneMinutes] = [n(9), n(10)];
  // Date.UTC reads years below 100 as 19xx: no producer means those.
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  if (hour > 23 || minute > 59 || second > 59 || zoneHours > 23 || zoneMinutes > 59) return NaN;
  const milli = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  const offset = (m[8] === '-' ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  return Date.UTC(year, month - 1, day, hour, minute, second, milli) - offset * 60_000;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The wire form of a time: UTC, millisecond precision, so output is byte-stable. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString();
}

const UNIT_MS: Record<string, number | undefined> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/;

/**
 * A config duration — a number of seconds, or a string such as "90s", "15m", "8h", "30d" — in ms.
 * Returns NaN for anything else so the config validator can name the bad value.
 */
export function parseDuration(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : NaN;
  if (typeof value !== 'string') return NaN;
  const m = DURATION.exec(value);
  if (!m) return /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) * 1000 : NaN;
  const [, amount, unit = ''] = m;
  return Number(amount) * (UNIT_MS[unit] ?? NaN);
}

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
