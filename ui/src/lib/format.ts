/** Display formats: local wall-clock times and short human durations. */
import type { Translate } from './i18n.js';

const pad = (n: number) => String(n).padStart(2, '0');

export function hms(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function hm(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** `MM-DD HH:mm`, or just the time when it is today. */
export function when(iso: string | undefined, now: number = Date.now()): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const d = new Date(ms);
  const today = new Date(now);
  const sameDay = d.toDateString() === today.toDateString();
  return sameDay ? hm(ms) : `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm(ms)}`;
}

export function dateLong(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
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

export function percent(fraction: number | null | undefined, digits = 1): string {
  if (fraction === null || fraction === undefined || Number.isNaN(fraction)) return '—';
  return `${(fraction * 100).toFixed(digits)}%`;
}

export function num(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return n.toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
