/**
 * The kpi rule: per element and metric, warning/critical thresholds and the competitive comparison
 * over consecutive samples; the grid's level from how many of its reporting elements are degraded.
 */
import type { KpiInput } from '../../ingest/normalize.js';
import type { KpiMetricRule, Rules } from '../../config/rules.js';
import type { Level } from '../../shared/levels.js';
import type { ElementKpi, GridState } from './state.js';
import { dayKey, type World } from './world.js';

export type Verdict = 'clean' | 'degraded' | 'critical';

type JudgedMetric = keyof Rules['kpi']['metrics'];
/** The metrics with thresholds (traffic_erl has none). */
const JUDGED: readonly JudgedMetric[] = ['drop_rate', 'setup_success', 'congestion', 'dl_mbps', 'mos'];

/** Float noise must not turn "leads by exactly the margin" into "leads by less". */
const EPSILON = 1e-9;

/**
 * One sample of one metric. Past warning (or critical) is judged strictly; within warning, leading the
 * competitor by less than the margin is degraded too (DOMAIN.md, competitive comparison).
 */
export function judgeMetric(rule: KpiMetricRule, value: number, competitor?: number): Verdict {
  const worse = (a: number, b: number) => (rule.lowerIsWorse ? a < b : a > b);
  if (worse(value, rule.critical)) return 'critical';
  if (worse(value, rule.warning)) return 'degraded';
  if (competitor !== undefined) {
    const lead = rule.lowerIsWorse ? value - competitor : competitor - value;
    if (lead < rule.margin - EPSILON) return 'degraded';
  }
  return 'clean';
}

/** The grid's kpi level from its counts of reporting, degraded and critical elements; null when none is degraded. */
export function kpiGridLevel(
  rules: Rules['kpi'],
  reporting: number,
  degraded: number,
  critical: number,
): Level | null {
  if (degraded >= rules.redMinElements && degraded >= rules.redShare * reporting) return 'red';
  if (critical > 0) return 'orange';
  if (degraded > 0) return 'yellow';
  return null;
}

export function applyKpi(w: World, input: KpiInput): void {
  const rules = w.rules.kpi;
  const g = w.grid(input.grid);
  const { msg, time: at } = input;
  let el = g.kpi.get(msg.ne);
  if (!el) g.kpi.set(msg.ne, (el = { metrics: {}, degraded: false, critical: false }));
  const wasDegraded = el.degraded;
  const wasCritical = el.critical;
  for (const name of JUDGED) {
    const value = msg.metrics[name];
    if (value === undefined) continue;
    const verdict = judgeMetric(rules.metrics[name], value, msg.competitor?.[name]);
    const m = (el.metrics[name] ??= { bad: 0, crit: 0, value });
    m.value = value;
    m.bad = verdict === 'clean' ? 0 : m.bad + 1;
    m.crit = verdict === 'critical' ? m.crit + 1 : 0;
  }
  el.degraded = false;
  el.critical = false;
  for (const name in el.metrics) {
    const m = el.metrics[name]!;
    // A clean metric has nothing to remember: a healthy element's state stays small.
    if (m.bad === 0) delete el.metrics[name];
    if (m.bad >= rules.consecutive) el.degraded = true;
    if (m.crit >= rules.consecutive) el.critical = true;
  }
  if (el.degraded) countDegraded(w, g, input.grid, msg.ne, at);
  if (el.degraded === wasDegraded && el.critical === wasCritical) return;
  regrade(w, g, input.grid, el.degraded ? msg.ne : undefined, at);
}

/** An element's status changed: re-grade the grid and open, lift or clear its kpi event. */
function regrade(w: World, g: GridState, grid: string, newlyDegraded: string | undefined, at: number): void {
  const rules = w.rules.kpi;
  const degraded: string[] = [];
  let critical = 0;
  for (const [ne, el] of g.kpi) {
    if (el.degraded) degraded.push(ne);
    if (el.critical) critical++;
  }
  const level = kpiGridLevel(rules, g.kpi.size, degraded.length, critical);
  let ev = w.activeOf(grid, 'kpi');
  if (level === null) {
    if (ev) w.end(ev, 'cleared', at);
    return;
  }
  const several = degraded.length >= 2;
  if (!ev) {
    ev = w.open(grid, 'kpi', level, at, '', several ? rules.deadlineMulti : rules.deadline);
    w.addEvidence(ev, 'elements', degraded, at);
  } else {
    w.lift(ev, level, at);
    if (newlyDegraded) w.addEvidence(ev, 'elements', [newlyDegraded], at);
    if (several) w.tightenDeadline(ev, ev.openedAt + w.capped(grid, rules.deadlineMulti), at);
  }
  g.netEventAt = at;
  // Named by its evidence, like outage: a partial recovery is no transition of its own.
  const n = ev.elements.size;
  w.setTitle(ev, `${w.gridInfo(grid).name}: KPI degraded, ${n} element${n === 1 ? '' : 's'}`, at);
}

/** Scorecard: distinct elements degraded at some time of the (UTC) day. */
function countDegraded(w: World, g: GridState, grid: string, ne: string, at: number): void {
  const day = dayKey(at);
  if (g.degradedDay !== day) {
    g.degradedDay = day;
    g.degradedSeen.clear();
  }
  if (g.degradedSeen.has(ne)) return;
  g.degradedSeen.add(ne);
  w.day(grid, at).degradedElements++;
}

/** The element's worst metric for the grid view (critical first, then the longest-bad). */
export function worstMetric(
  rules: Rules['kpi'],
  el: ElementKpi,
): { metric: string; value: number; critical: boolean } | undefined {
  let best: { metric: string; value: number; critical: boolean; score: number } | undefined;
  for (const [metric, m] of Object.entries(el.metrics)) {
    if (m.bad < rules.consecutive) continue;
    const critical = m.crit >= rules.consecutive;
    const score = (critical ? 1000 : 0) + m.bad;
    if (!best || score > best.score) best = { metric, value: m.value, critical, score };
  }
  return best && { metric: best.metric, value: best.value, critical: best.critical };
}
