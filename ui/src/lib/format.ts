/**
 * Display formats. Every time is shown in the configured time zone (cadre.yaml `timeZone`, from
 * GET /api/settings; Asia/Shanghai until it loads), never the browser's: a wall in a UTC browser
 * shows the province's time. 24-hour clock everywhere (operations rooms do not read am/pm).
 */
import { WallClock, type WallFields } from '../../../shared/calendar.js';
import type { Translate } from './i18n.js';

const pad = (n: number) => String(n).padStart(2, '0');

let zone = 'Asia/Shanghai';
let clock = new WallClock(zone);
let offsetFmt: Intl.DateTimeFormat = makeOffset(zone);
/** Bumped on every zone change: reactive callers can depend on it. */
export let zoneVersion = 0;

function makeOffset(tz: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'shortOffset' });
}

export function setTimeZone(tz: string): void {
  try {
    clock = new WallClock(tz);
    offsetFmt = makeOffset(tz);
    zone = tz;
    zoneVersion++;
  } catch {
    // an unknown zone keeps the last good one
  }
}

export function timeZone(): string {
  return zone;
}

/** The wall-clock fields of an instant in the configured zone. */
export function zoned(ms: number): WallFields {
  return clock.fields(ms);
}

/** `UTC+8` for Asia/Shanghai: shown beside every clock, so nobody has to guess the zone. */
export function zoneLabel(ms: number = Date.now()): string {
  const name = offsetFmt.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  return name.replace('GMT', 'UTC') === 'UTC' ? 'UTC' : name.replace('GMT', 'UTC');
}

export function hms(ms: number): string {
  const d = zoned(ms);
  return `${pad(d.hour)}:${pad(d.minute)}:${pad(d.second)}`;
}

export function hm(ms: number): string {
  const d = zoned(ms);
  return `${pad(d.hour)}:${pad(d.minute)}`;
}

/** `MM-DD` in the zone. */
export function md(ms: number): string {
  const d = zoned(ms);
  return `${pad(d.month)}-${pad(d.day)}`;
}

/** `YYYY-MM-DD` in the zone. */
export function dateLong(ms: number): string {
  const d = zoned(ms);
  return `${d.year}-${pad(d.month)}-${pad(d.day)}`;
}

/** `MM-DD HH:mm`, or just the time when it is today (in the zone). */
export function when(iso: string | undefined, now: number = Date.now()): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return dateLong(ms) === dateLong(now) ? hm(ms) : `${md(ms)} ${hm(ms)}`;
}

/** `MM-DD HH:mm:ss`, or the time with seconds today. */
export function whenSeconds(iso: string | undefined, now: number = Date.now()): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return dateLong(ms) === dateLong(now) ? hms(ms) : `${md(ms)} ${hms(ms)}`;
}

/** A duration in the two most significant units: `2小时05分`, `45s`, `3d 4h`. */
export function duration(ms: number, t: Translate): string {
  const s = Math.max(0, Math.floor(Math.abs(ms) / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return t('dur.d', { n: d }) + (h ? ' ' + t('dur.h', { n: h }) : '');
  if (h > 0) return t('dur.h', { n: h }) + ' ' + t('dur.m', { n: pad(m) });
  if (m > 0) return t('dur.m', { n: m }) + ' ' + t('dur.s', { n: pad(sec) });
  return t('dur.s', { n: sec });
}

/** A configured duration (ms) in its largest whole unit: `30分钟`, `8小时`, `30天`. */
export function span(ms: number, t: Translate): string {
  const min = Math.round(ms / 60_000);
  if (min % 1440 === 0 && min >= 2880) return t('dur.d', { n: min / 1440 });
  if (min % 60 === 0 && min >= 60) return t('dur.h', { n: min / 60 });
  if (min >= 1) return t('dur.m', { n: min });
  return t('dur.s', { n: Math.round(ms / 1000) });
}

export function percent(fraction: number | null | undefined, digits = 1): string {
  if (fraction === null || fraction === undefined || Number.isNaN(fraction)) return '—';
  return `${(fraction * 100).toFixed(digits)}%`;
}

export function num(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
