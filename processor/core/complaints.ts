/**
 * The complaint rule (grid sweep, tiers, repeats, clusters) and the planning rule (recurring
 * coverage complaints in a grid without network events).
 */
import type { RecentMap } from './recent_map.js';
import type { ComplaintInput } from '../../contract/normalize.js';
import type { Rules } from '../../config/rules.js';
import { maxLevel, raiseLevel, type Level } from '../../shared/levels.js';
import type { Complaint } from '../../shared/schemas.js';
import type { World } from './world.js';
import { addWorkOrder } from './deal.js';
import { logComplaint } from './display.js';

/** The level one complaint asks for: its tier, at least orange when escalated, media red, a repeat one higher. */
export function complaintLevel(rules: Rules['complaint'], msg: Complaint, repeat: boolean): Level {
  let level = rules.tierLevels[msg.customer.tier];
  if (msg.escalated) level = maxLevel(level, rules.escalatedLevel);
  if (msg.media) level = maxLevel(level, rules.mediaLevel);
  return repeat ? raiseLevel(level) : level;
}

/** The level a cluster of `count` complaints within the window asks for, if any. */
export function clusterLevel(rules: Rules['complaint'], count: number): Level | undefined {
  if (count >= rules.clusterRed) return 'red';
  if (count >= rules.clusterOrange) return 'orange';
  return undefined;
}

/** First-response time of one complaint: tier 1, then media/escalated, then repeat, else the default. */
export function complaintAckIn(rules: Rules['complaint'], msg: Complaint, repeat: boolean): number {
  if (msg.customer.tier === 1) return rules.ackDeadline.tier1;
  if (msg.media || msg.escalated) return rules.ackDeadline.mediaOrEscalated;
  if (repeat) return rules.ackDeadline.repeat;
  return rules.ackDeadline.other;
}

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
  let level = complaintLevel(rules, msg, repeat);
  const cluster = clusterLevel(rules, g.complaintTimes.length);
  if (cluster) level = maxLevel(level, cluster);
  for (const rule of ['outage', 'kpi'] as const) {
    const net = w.activeOf(grid, rule);
    if (net) level = maxLevel(level, net.level);
  }

  const ackIn = w.capped(grid, complaintAckIn(rules, msg, repeat));
  const deadlineIn = w.capped(grid, rules.deadline[msg.customer.tier]);
  let ev = w.activeOf(grid, 'complaint');
  if (!ev) ev = w.open(grid, 'complaint', level, at, deadlineIn, ackIn);
  else {
    w.lift(ev, level, at);
    w.tightenAck(ev, at + ackIn, at);
    w.tightenDeadline(ev, at + deadlineIn, at);
  }
  // The grid sweep: every alarm active in the grid now, whatever its code or severity.
  w.addEvidence(ev, 'complaints', [msg.id], at);
  addWorkOrder(w, ev, input, ackIn);
  w.addEvidence(ev, 'alarms', g.alarms.keys(), at);
  const elements = [...g.alarms.values()].map((a) => a.ne);
  if (msg.ne !== undefined) elements.push(msg.ne);
  w.addEvidence(ev, 'elements', elements, at);
  w.setTitle(ev, ev.complaints.size, at);

  if (msg.category === w.rules.planning.category) planning(w, input);
}

/** Times within the window before `at`, newest last, at most `keep` of them. */
function keepRecent(times: number[], at: number, window: number, keep: number): number[] {
  const out = times.filter((t) => t > at - window);
  out.push(at);
  out.sort((a, b) => a - b);
  return out.slice(-keep);
}

/**
 * Planning (blue): ≥ count coverage complaints within the window, while the grid had no outage or kpi
 * event in that window. Later coverage complaints join the active planning event.
 */
function planning(w: World, input: ComplaintInput): void {
  const rules = w.rules.planning;
  const { msg, time: at, grid } = input;
  const g = w.grid(grid);
  g.coverage = g.coverage.filter((c) => c.at > at - rules.window);
  g.coverage.push({ id: msg.id, at });
  g.coverage.sort((a, b) => a.at - b.at);
  g.coverage = g.coverage.slice(-rules.count);
  const active = w.activeOf(grid, 'planning');
  if (active) {
    w.addEvidence(active, 'complaints', [msg.id], at);
    w.setTitle(active, active.complaints.size, at);
    return;
  }
  if (g.coverage.length < rules.count) return;
  const quietNetwork =
    !w.activeOf(grid, 'outage') &&
    !w.activeOf(grid, 'kpi') &&
    (g.netEventAt === null || g.netEventAt <= at - rules.window);
  if (!quietNetwork) return;
  const ev = w.open(grid, 'planning', rules.level, at, rules.deadline);
  w.addEvidence(
    ev,
    'complaints',
    g.coverage.map((c) => c.id),
    at,
  );
  w.setTitle(ev, ev.complaints.size, at);
}
