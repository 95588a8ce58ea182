/**
 * The kpi rule (docs/rules.md "kpi"): per element and metric, warning/critical thresholds and the
 * competitive comparison over consecutive samples (kpi.ts keeps the counts); the grid's level from how
 * many of its reporting elements are degraded opens, lifts or clears its kpi event. Pure: apply.ts
 * does what it decides.
 */
import type { KpiMetricRule, Rules } from '../../../config/rules.js';
import type { Level } from '../../../shared/levels.js';
import type { ElementKpi, EventState } from '../state.js';

export type Verdict = 'clean' | 'degraded' | 'critical';

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

/** What one sample does to the grid's kpi event. */
export type KpiDecision =
  /** `unchanged`: the element's status is as it was; `clean`: no element is degraded and no event is open. */
  | { kind: 'none'; reason: 'unchanged' | 'clean' }
  | { kind: 'clear'; reason: 'recovered' }
  /** `several`: ≥ 2 elements degraded (the shorter deadline); `degraded`: the elements, in the grid's order. */
  | { kind: 'open'; reason: 'degraded'; level: Level; several: boolean; degraded: string[] }
  | { kind: 'update'; reason: 'regraded'; level: Level; several: boolean };

/** The answer of most samples: a constant, nothing allocated on the hot path. */
const UNCHANGED: KpiDecision = { kind: 'none', reason: 'unchanged' };
const CLEAN: KpiDecision = { kind: 'none', reason: 'clean' };
const RECOVERED: KpiDecision = { kind: 'clear', reason: 'recovered' };

/**
 * A sample of element `el` was counted; `was*`: its status before. `elements`: the grid's reporting
 * elements; `ev`: its active kpi event.
 */
export function decideKpi(
  rules: Rules['kpi'],
  el: ElementKpi,
  wasDegraded: boolean,
  wasCritical: boolean,
  elements: ReadonlyMap<string, ElementKpi>,
  ev: EventState | undefined,
): KpiDecision {
  // Unchanged status needs no re-grade, unless the element is still degraded after its event was
  // resolved by hand: then it opens a new one with this sample.
  if (el.degraded === wasDegraded && el.critical === wasCritical && !(el.degraded && !ev)) return UNCHANGED;
  const degraded: string[] = [];
  let critical = 0;
  for (const [ne, other] of elements) {
    if (other.degraded) degraded.push(ne);
    if (other.critical) critical++;
  }
  const level = kpiGridLevel(rules, elements.size, degraded.length, critical);
  if (level === null) return ev ? RECOVERED : CLEAN;
  const several = degraded.length >= 2;
  if (!ev) return { kind: 'open', reason: 'degraded', level, several, degraded };
  return { kind: 'update', reason: 'regraded', level, several };
}
