/**
 * The grid page's scorecard: the line comes from the server (`/api/scorecards?grid=`, the same
 * definitions as `cadre replay --scorecards`); only the daily complaint bars are drawn from GridDoc.days.
 */
import type { Scorecard } from '../../../shared/scorecard.js';
import type { DayStats } from './types.js';

export type Period = 'P1D' | 'P7D' | 'P30D';
export type ScorecardLine = Omit<Scorecard, 'kind'>;

/** Complaints per UTC day, oldest first, as uPlot columns. */
export function dailyComplaints(days: Record<string, DayStats>): [number[], number[]] {
  const keys = Object.keys(days).sort();
  return [keys.map((k) => Date.parse(`${k}T00:00:00Z`) / 1000), keys.map((k) => days[k]!.complaints)];
}
