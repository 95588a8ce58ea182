/**
 * A grid's scorecard over the last 1/7/30 days from GridDoc.days, with the same definitions as
 * CONTRACT.md's scorecard line (the gateway's /api/scorecards does the same sums server-side).
 */
import type { DayStats, Level } from './types.js';

export type Period = 'P1D' | 'P7D' | 'P30D';
export const PERIOD_DAYS: Record<Period, number> = { P1D: 1, P7D: 7, P30D: 30 };

export interface GridScore {
  complaints: number;
  per10k: number;
  byCategory: Record<string, number>;
  repeatRate: number | null;
  events: Record<Level, number>;
  mttaMinutes: number | null;
  mttrMinutes: number | null;
  slaMetPct: number | null;
  degradedElements: number;
}

/** `now` is passed in; the days are UTC keys `YYYY-MM-DD`. */
export function gridScore(days: Record<string, DayStats>, subscribers: number, period: Period, now: number): GridScore {
  const keys = Array.from({ length: PERIOD_DAYS[period] }, (_, i) => new Date(now - i * 86_400_000).toISOString().slice(0, 10));
  const s = { complaints: 0, repeats: 0, ack: 0, acked: 0, res: 0, resolved: 0, met: 0, due: 0, degraded: 0 };
  const byCategory: Record<string, number> = {};
  const events: Record<Level, number> = { red: 0, orange: 0, yellow: 0, blue: 0 };
  for (const k of keys) {
    const d = days[k];
    if (!d) continue;
    s.complaints += d.complaints;
    s.repeats += d.repeats;
    s.ack += d.ackMinutes;
    s.acked += d.acked;
    s.res += d.resolveMinutes;
    s.resolved += d.resolved;
    s.met += d.slaMet;
    s.due += d.slaDue;
    s.degraded = Math.max(s.degraded, d.degradedElements);
    for (const [c, n] of Object.entries(d.byCategory)) byCategory[c] = (byCategory[c] ?? 0) + n;
    for (const l of Object.keys(events) as Level[]) events[l] += d.events[l] ?? 0;
  }
  return {
    complaints: s.complaints,
    per10k: subscribers > 0 ? (s.complaints / subscribers) * 10_000 : 0,
    byCategory,
    repeatRate: s.complaints ? s.repeats / s.complaints : null,
    events,
    mttaMinutes: s.acked ? s.ack / s.acked : null,
    mttrMinutes: s.resolved ? s.res / s.resolved : null,
    slaMetPct: s.due ? s.met / s.due : null,
    degradedElements: s.degraded,
  };
}

/** Complaints per UTC day, oldest first, as uPlot columns. */
export function dailyComplaints(days: Record<string, DayStats>): [number[], number[]] {
  const keys = Object.keys(days).sort();
  return [keys.map((k) => Date.parse(`${k}T00:00:00Z`) / 1000), keys.map((k) => days[k]!.complaints)];
}
