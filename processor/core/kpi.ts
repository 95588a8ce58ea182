/**
 * KPI samples: each element's consecutive bad and critical samples per metric (what rules/kpi.ts
 * judges and decides from), the grid's series for charts, and the scorecard's degraded elements.
 */
import type { KpiInput } from '../../contract/normalize.js';
import { JUDGED_METRICS, judgedValues } from '../../shared/schemas.js';
import type { KpiMetricRule, Rules } from '../../config/rules.js';
import type { ElementKpi, GridState } from './state.js';
import type { World } from './world.js';
import { addSample } from './display.js';
import { applyKpiDecision } from './apply.js';
import { decideKpi, judgeMetric } from './rules/kpi.js';

/** In the order of ElementKpi's arrays. */
const JUDGED = JUDGED_METRICS;

/**
 * Reused for every sample: the core is single-threaded and reads them at once, so they hold nothing
 * between samples and two cores in one process (the live one and a shadow) can share them.
 */
const SCRATCH_VALUES: (number | undefined)[] = [];
const SCRATCH_COMPETITOR: (number | undefined)[] = [];

/**
 * The metrics' rules in JUDGED's order, once per rules object: a keyed lookup per metric per sample
 * cost ~10% of a replay. Shared on purpose: a pure function of a rules object no core changes, so
 * cores with the same rules may share the list.
 */
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
    let bad = el.bad[i] ?? 0;
    let crit = el.crit[i] ?? 0;
    if (value !== undefined) {
      const rule = ruleOf[i];
      if (!rule) throw new Error(`no kpi rule for metric ${JUDGED[i]}`);
      const verdict = judgeMetric(rule, value, competitor?.[i]);
      el.value[i] = value;
      el.bad[i] = bad = verdict === 'clean' ? 0 : bad + 1;
      el.crit[i] = crit = verdict === 'critical' ? crit + 1 : 0;
    }
    if (bad >= rules.consecutive) el.degraded = true;
    if (crit >= rules.consecutive) el.critical = true;
  }
  if (el.degraded) countDegraded(w, g, input.grid, msg.ne, at);
  const d = decideKpi(rules, el, wasDegraded, wasCritical, g.kpi, w.activeIn(g, 'kpi'));
  if (d.kind !== 'none') applyKpiDecision(w, d, g, input.grid, el.degraded ? msg.ne : undefined, at);
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
    const bad = el.bad[i] ?? 0;
    if (bad < rules.consecutive) continue;
    const score = ((el.crit[i] ?? 0) >= rules.consecutive ? 1_000_000 : 0) + bad;
    if (score > worstScore) [worst, worstScore] = [i, score];
  }
  const metric = JUDGED[worst];
  if (metric === undefined) return undefined;
  return { metric, value: el.value[worst] ?? 0, critical: (el.crit[worst] ?? 0) >= rules.consecutive };
}
