/**
 * The scorecard's counters (CONTRACT.md "A scorecard line"): each grid counts into one DayStats per
 * operator's day (the calendar's local date), the last `keepDays` of them. The rules count what they
 * decide through World.day; an event's ending is counted here.
 */
import type { DayCalendar } from '../../shared/calendar.js';
import type { DayStats } from '../../shared/views.js';
import { emptyDay, type EventState, type GridState } from './state.js';

/** The counters of grid `g` for the day of `at`, made on first use (when the oldest may go). */
export function dayOf(g: GridState, calendar: DayCalendar, keepDays: number, at: number): DayStats {
  const key = calendar.key(at);
  let d = g.days.get(key);
  if (!d) {
    g.days.set(key, (d = emptyDay()));
    pruneDays(g, calendar, keepDays, at);
  }
  return d;
}

function pruneDays(g: GridState, calendar: DayCalendar, keep: number, at: number): void {
  if (!Number.isFinite(keep) || g.days.size <= keep) return;
  const oldest = calendar.key(at - (keep - 1) * 86_400_000);
  for (const key of g.days.keys()) if (key < oldest) g.days.delete(key);
}

/** An event ends on `day`: its time to resolve, whether it ended in its grid and, once, its deadline met. */
export function countEnded(day: DayStats, ev: EventState, at: number): void {
  day.resolveMinutes += (at - ev.openedAt) / 60_000;
  day.resolved++;
  if (ev.owner === undefined) day.endedInGrid++;
  if (!ev.slaCounted) {
    ev.slaCounted = true;
    day.slaDue++;
    if (at <= ev.deadline) day.slaMet++;
  }
}
