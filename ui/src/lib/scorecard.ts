/**
 * The grid page's scorecard: the line comes from the server (`/api/scorecards?grid=`, the same
 * definitions as `cadre replay --scorecards`); only the daily complaint bars are drawn from GridDoc.days.
 */
import type { Scorecard } from '../../../contract/scorecard.js';
import type { TargetFigure, TargetStatus } from '../../../contract/targets.js';
import type { DayStats } from './types.js';

export type Period = 'P1D' | 'P7D' | 'P30D';
/**
 * A line of `GET /api/scorecards` (docs/reports.md): the grid's figures, their target status, the
 * composite score and its trend against the previous period (null when that is past the counters kept).
 */
export type ScorecardLine = Omit<Scorecard, 'kind'> & {
  status: Record<TargetFigure, TargetStatus | null>;
  score: number;
  trend: number | null;
};

export interface ScorecardQuery {
  period: Period;
  grid?: string;
  city?: string;
  sort?: 'worst' | 'score';
  limit?: number;
}

/**
 * Complaints per day over the last `count` days ending today (days without a counter are 0), as
 * uPlot columns on an index axis: `[0..count-1]`, the counts, and the day keys for the labels. The
 * keys are the core's day keys (GridDoc.days, local dates in cadre.yaml timeZone), labelled as they are — never re-derived from a time
 * scale, which labelled 7 bars "05-31 11-30 05-31 …".
 */
export function dailyComplaints(
  days: Record<string, DayStats>,
  today: string,
  count: number,
): { data: [number[], number[]]; keys: string[] } {
  const keys: string[] = [];
  const end = Date.parse(`${today}T00:00:00Z`);
  for (let i = count - 1; i >= 0; i--) keys.push(new Date(end - i * 86_400_000).toISOString().slice(0, 10));
  return { data: [keys.map((_, i) => i), keys.map((k) => days[k]?.complaints ?? 0)], keys };
}
