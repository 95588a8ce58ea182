/**
 * Time helpers. cadre works in epoch milliseconds internally; ISO-8601 strings with a zone are the
 * wire format. Nothing here reads the clock: callers pass `now` in.
 */

/** ISO-8601 date-time that names its zone (`Z` or `±hh:mm`): local times without a zone are ambiguous. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Inputs repeat their times (a KPI period's samples all carry its end; a storm's alarms share seconds):
 * the texts seen last are remembered. A bounded cache of a pure function, so no answer changes.
 */
const parsedTimes = new Map<string, number>();
const PARSED_TIMES_MAX = 4096;

/** Epoch ms of an ISO-8601 string with a zone, or NaN when it is not one. */
export function parseTime(text: string): number {
  let ms = parsedTimes.get(text);
  if (ms !== undefined) return ms;
  ms = ISO_WITH_ZONE.test(text) ? Date.parse(text) : NaN;
  if (parsedTimes.size >= PARSED_TIMES_MAX) parsedTimes.clear();
  parsedTimes.set(text, ms);
  return ms;
}

/** The wire form of a time: UTC, millisecond precision, so output is byte-stable. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString();
}

const UNIT_MS: Record<string, number> = {
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
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
