/**
 * The kpi rule: per element and metric, warning/critical thresholds and the competitive comparison
 * over consecutive samples; the grid's level from how many of its reporting elements are degraded.
 */
import type { KpiInput } from '../../contract/normalize.js';
import { JUDGED_METRICS, judgedValues } from '../../shared/schemas.js';
import type { KpiMetricRule, Rules } from '../../config/rules.js';
import type { Level } from '../../shared/levels.js';
import type { ElementKpi, GridState } from './state.js';
import type { World } from './world.js';
import { addSample } from './display.js';

export type Verdict = 'clean' | 'degraded' | 'critical';

/** In the order of ElementKpi's arrays. */
const JUDGED = JUDGED_METRICS;

/** Reused for every sample: the core is single-threaded and reads them at once. */
const SCRATCH_VALUES: (number | undefined)[] = [];
const SCRATCH_COMPETITOR: (number | undefined)[] = [];

/** Float noise must not turn "leads by exactly the margin" into "leads by less". */
const EPSILON = 1e-9;

/**
 * One sample of one metric. Past warning (or critical) is judged strictly; within warning, leading the
 * competitor by less than the margin is degraded too (DOMAIN.md, competitive comparison).
 */
export function judgeMetric(rule: KpiMetricRule, value: number, competitor?: number): Verdict {
  // Signed so that "worse" is always "greater": no closure per sample on the hot path.
  const sign = rule.lowerIsWorse ? -1 : 1;
  if (sign * value > sign * rule.critical) return 'critical';
  if (sign * value > sign * rule.warning) return 'degraded';
  if (competitor !== undefined && sign * (competitor - value) < rule.margin - EPSILON) return 'degraded';
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

/** The metrics' rules in JUDGED's order, once per rules object: a keyed lookup per metric per sample cost ~10% of a replay. */
const RULES_IN_ORDER = new WeakMap<Rules['kpi'], KpiMetricRule[]>();
function metricRules(rules: Rules['kpi']): KpiMetricRule[] {
  let list = RULES_IN_ORDER.get(rules);
  if (!list) RULES_IN_ORDER.set(rules, (list = JUDGED.map((m) => rules.metrics[m])));
  return list;
}

export function applyKpi(w: World, input: KpiInput): void {
  const rules = w.rules.kpi;
  const g = w.grid(input.grid);
  const { msg, time: at } = input;
  addSample(g, input);
  let el = g.kpi.get(msg.ne);
  if (!el)
    g.kpi.set(
      msg.ne,
      (el = {
        bad: [0, 0, 0, 0, 0],
        crit: [0, 0, 0, 0, 0],
        value: [0, 0, 0, 0, 0],
        degraded: false,
        critical: false,
      }),
    );
  const wasDegraded = el.degraded;
  const wasCritical = el.critical;
  el.degraded = false;
  el.critical = false;
  const values = judgedValues(msg.metrics, SCRATCH_VALUES);
  const competitor = msg.competitor && judgedValues(msg.competitor, SCRATCH_COMPETITOR);
  const ruleOf = metricRules(rules);
  for (let i = 0; i < JUDGED.length; i++) {
    const value = values[i];
    if (value !== undefined) {
      const verdict = judgeMetric(ruleOf[i]!, value, competitor?.[i]);
      el.value[i] = value;
      el.bad[i] = verdict === 'clean' ? 0 : el.bad[i]! + 1;
      el.crit[i] = verdict === 'critical' ? el.crit[i]! + 1 : 0;
    }
    if (el.bad[i]! >= rules.consecutive) el.degraded = true;
    if (el.crit[i]! >= rules.consecutive) el.critical = true;
  }
  if (el.degraded) countDegraded(w, g, input.grid, msg.ne, at);
  // Unchanged status needs no re-grade, unless the element is still degraded after its event was
  // resolved by hand: then it opens a new one with this sample.
  const unchanged = el.degraded === wasDegraded && el.critical === wasCritical;
  if (unchanged && !(el.degraded && !w.activeOf(input.grid, 'kpi'))) return;
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
    ev = w.open(grid, 'kpi', level, at, several ? rules.deadlineMulti : rules.deadline);
    w.addEvidence(ev, 'elements', degraded, at);
  } else {
    w.lift(ev, level, at);
    if (newlyDegraded) w.addEvidence(ev, 'elements', [newlyDegraded], at);
    if (several) w.tightenDeadline(ev, ev.openedAt + w.capped(grid, rules.deadlineMulti), at);
  }
  g.netEventAt = at;
  // Named by its evidence, like outage: a partial recovery is no transition of its own.
  w.setTitle(ev, ev.elements.size, at);
}

/** Scorecard: distinct elements degraded at some time of the (local) day. */
function countDegraded(w: World, g: GridState, grid: string, ne: string, at: number): void {
  const day = w.calendar.key(at);
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
  let worst = -1;
  let worstScore = -1;
  for (let i = 0; i < JUDGED.length; i++) {
    if (el.bad[i]! < rules.consecutive) continue;
    const score = (el.crit[i]! >= rules.consecutive ? 1_000_000 : 0) + el.bad[i]!;
    if (score > worstScore) [worst, worstScore] = [i, score];
  }
  if (worst < 0) return undefined;
  return { metric: JUDGED[worst]!, value: el.value[worst]!, critical: el.crit[worst]! >= rules.consecutive };
}
