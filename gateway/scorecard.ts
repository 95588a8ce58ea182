/**
 * `/api/scorecards` periods over the processor's daily counters (GridDoc.days): P1D is today (UTC),
 * P7D today and the six days before, P30D likewise. The figures are shared/scorecard.ts's.
 */
import type { Grid } from '../config/topology.js';
import { scorecardOf, type Scorecard } from '../shared/scorecard.js';
import { DAY, formatTime } from '../shared/time.js';
import type { GridDoc } from '../shared/views.js';

export const PERIODS = { P1D: 1, P7D: 7, P30D: 30 } as const;
export type Period = keyof typeof PERIODS;

/** CONTRACT.md's scorecard line without `kind` (the API names its array). */
export type ScorecardLine = Omit<Scorecard, 'kind'>;

/** The UTC days of the period ending today. */
export function periodDays(period: Period, now: number): { days: string[]; from: number } {
  const today = Math.floor(now / DAY) * DAY;
  const from = today - (PERIODS[period] - 1) * DAY;
  const days: string[] = [];
  for (let d = from; d <= today; d += DAY) days.push(formatTime(d).slice(0, 10));
  return { days, from };
}

export function scorecardLine(
  grid: Grid,
  doc: GridDoc | undefined,
  elements: number,
  period: Period,
  now: number,
): ScorecardLine {
  const { days, from } = periodDays(period, now);
  const { kind: _kind, ...line } = scorecardOf(grid, elements, (key) => doc?.days[key], days, from, now);
  return line;
}
