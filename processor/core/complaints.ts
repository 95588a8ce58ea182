/**
 * Complaints: the books the complaint and planning rules read (rules/complaint.ts,
 * rules/planning.ts) — each customer's latest complaint (repeats), the grid's recent complaints
 * (clusters) and coverage complaints (planning) — and the scorecard's complaint counters.
 */
import type { RecentMap } from './recent_map.js';
import type { ComplaintInput } from '../../contract/normalize.js';
import type { World } from './world.js';
import { applyComplaintDecision, applyPlanning } from './apply.js';
import { logComplaint } from './display.js';
import { decideComplaint } from './rules/complaint.js';
import { decidePlanning } from './rules/planning.js';

/** Customer id → time of their latest complaint (bounded by rules.limits.customers). */
export type CustomerBook = RecentMap<string, number>;

export function applyComplaint(w: World, input: ComplaintInput, customers: CustomerBook): void {
  const rules = w.rules.complaint;
  const { msg, time: at, grid } = input;
  const g = w.grid(grid);
  logComplaint(g, input);

  const last = customers.get(msg.customer.id);
  const repeat = last !== undefined && Math.abs(at - last) <= rules.repeatWindow;
  customers.set(msg.customer.id, last === undefined ? at : Math.max(last, at));

  const day = w.day(grid, at);
  day.complaints++;
  day.byCategory[msg.category]++;
  if (repeat) day.repeats++;

  g.complaintTimes = keepRecent(g.complaintTimes, at, rules.clusterWindow, rules.clusterRed);
  const d = decideComplaint(
    rules,
    msg,
    repeat,
    g.complaintTimes.length,
    w.activeOf(grid, 'outage'),
    w.activeOf(grid, 'kpi'),
    w.activeOf(grid, 'complaint'),
  );
  applyComplaintDecision(w, d, g, input);

  if (msg.category !== w.rules.planning.category) return;
  const planning = w.rules.planning;
  g.coverage = g.coverage.filter((c) => c.at > at - planning.window);
  g.coverage.push({ id: msg.id, at });
  g.coverage.sort((a, b) => a.at - b.at);
  g.coverage = g.coverage.slice(-planning.count);
  const p = decidePlanning(
    planning,
    g,
    at,
    w.activeOf(grid, 'planning'),
    w.activeOf(grid, 'outage'),
    w.activeOf(grid, 'kpi'),
  );
  applyPlanning(w, p, g, input);
}

/** Times within the window before `at`, newest last, at most `keep` of them. */
function keepRecent(times: number[], at: number, window: number, keep: number): number[] {
  const out = times.filter((t) => t > at - window);
  out.push(at);
  out.sort((a, b) => a - b);
  return out.slice(-keep);
}
