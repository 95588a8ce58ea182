/**
 * `/api/scorecards` periods over the processor's daily counters (GridDoc.days, keyed by local day in
 * cadre.yaml `timeZone`): P1D is today, P7D today and the six days before, P30D likewise — days that
 * start at the operator's midnight. The figures are contract/scorecard.ts's.
 */
import { addDays, type DayCalendar } from '../shared/calendar.js';
import type { Scorecard } from '../contract/scorecard.js';

export const PERIODS = { P1D: 1, P7D: 7, P30D: 30 } as const;
export type Period = keyof typeof PERIODS;

/** Days of counters each grid document holds (processor/core/views.ts VIEW_DAYS): how far back periods reach. */
export const KEPT_DAYS = 31;

/** CONTRACT.md's scorecard line without `kind` (the API names its array). */
export type ScorecardLine = Omit<Scorecard, 'kind'>;

/** The local days of the period ending today, and the instant its first day starts. */
export function periodDays(
  period: Period,
  now: number,
  calendar: DayCalendar,
): { days: string[]; from: number } {
  const today = calendar.key(now);
  const days: string[] = [];
  for (let i = PERIODS[period] - 1; i >= 0; i--) days.push(addDays(today, -i));
  return { days, from: calendar.startOf(days[0]) };
}
