/**
 * Why an event has its level and its deadlines, for the desk's "why" panel (`GET /api/events/:id/why`).
 * The transitions carry the rule, the evidence, the level, the deadlines and the title's parts; the
 * reasons are derived here from the same rules.yaml the processor applies and the grid's tier, over the
 * grid's document (alarms, degraded elements, complaints) and, for a kpi event, the last samples of
 * its elements with the competitor's values (read from the input stream by the route). A pure
 * function: language-free codes and figures that the screen words in its own language.
 */
import type { Rules } from '../config/rules.js';
import type { Grid, Topology } from '../config/topology.js';
import { levelRank, type Level } from '../shared/levels.js';
import type { EventTransition, Kpi } from '../shared/schemas.js';
import type { GridDoc } from '../shared/views.js';

export type KpiMetric = keyof Rules['kpi']['metrics'];

export interface WhyReason {
  /** e.g. `outage.core`, `kpi.critical`, `complaint.media`, `floor`, `escalation.ack`. */
  code: string;
  /** The level this reason gives (at least). */
  level?: Level;
  params?: Record<string, string | number | boolean>;
}

export interface WhyKpiRow {
  ne: string;
  metric: KpiMetric;
  value: number;
  /** The competitor's value of the same metric in the same sample, when the source sent one. */
  competitor?: number;
  warning: number;
  critical: number;
  margin: number;
  lowerIsWorse: boolean;
  /** Past critical (true) or degraded (false), as the grid's document says. */
  isCritical: boolean;
  /** Past warning, or within warning but leading the competitor by less than the margin. */
  basis: 'critical' | 'warning' | 'competitor';
  sampleAt?: string;
}

export interface WhyDeadline {
  at: string;
  /** What set it: a code (`ack.level`, `ack.tier1`, `fix.multi`, `fix.tier`, …). */
  basis: string;
  /** The configured duration behind it, ms. */
  durationMs: number;
  /** Cut to the area cap of the grid's tier. */
  cappedBy?: 'key' | 'important';
  overdue: boolean;
}

export interface Why {
  id: string;
  rule: EventTransition['rule'];
  level: Level;
  tier: Grid['tier'];
  reasons: WhyReason[];
  kpi: WhyKpiRow[];
  /** Outage: the elements out with their kinds and outage codes. */
  elements: { ne: string; kind: string; codes: string[] }[];
  ack: WhyDeadline;
  fix: WhyDeadline;
  escalationStep: number;
}

export interface WhyInput {
  event: EventTransition;
  grid: Grid;
  doc: GridDoc | undefined;
  rules: Rules;
  topology: Topology;
  /** Other active events of the grid (the complaint floor). */
  gridEvents: EventTransition[];
  /** The latest kpi input of each evidence element (ne → sample). */
  samples: Map<string, Kpi>;
  now: number;
}

export function explain(input: WhyInput): Why {
  const { event, grid, rules } = input;
  const reasons: WhyReason[] = [];
  const kpi: WhyKpiRow[] = [];
  const elements: Why['elements'] = [];
  const alarms = input.doc?.alarms ?? [];
  const evidenceAlarms = new Set(event.evidence.alarms);

  switch (event.rule) {
    case 'outage': {
      const out = new Map<string, Set<string>>();
      for (const a of alarms)
        if (evidenceAlarms.has(a.id) && a.outage && !a.clearedAt && !a.maintenance) {
          const codes = out.get(a.ne);
          if (codes) codes.add(a.code);
          else out.set(a.ne, new Set([a.code]));
        }
      for (const ne of event.evidence.elements)
        elements.push({
          ne,
          kind: input.topology.element(ne)?.kind ?? 'other',
          codes: [...(out.get(ne) ?? [])],
        });
      const red = rules.outage.redCodes.filter((c) => [...out.values()].some((codes) => codes.has(c)));
      const n = event.evidence.elements.length;
      if (red.length) reasons.push({ code: 'outage.core', level: 'red', params: { codes: red.join(', ') } });
      if (n >= rules.outage.redElements)
        reasons.push({ code: 'outage.elements', level: 'red', params: { n, min: rules.outage.redElements } });
      if (rules.outage.redTiers.includes(grid.tier))
        reasons.push({ code: 'outage.tier', level: 'red', params: { tier: grid.tier } });
      if (!reasons.length)
        reasons.push({
          code: 'outage.default',
          level: rules.outage.level,
          params: { n, min: rules.outage.redElements, debounceS: rules.outage.debounce / 1000 },
        });
      break;
    }
    case 'kpi': {
      const inEvent = new Set(event.evidence.elements);
      for (const d of input.doc?.degraded ?? []) {
        if (!inEvent.has(d.ne) || !(d.metric in rules.kpi.metrics)) continue;
        const metric = d.metric as KpiMetric;
        const m = rules.kpi.metrics[metric];
        const sample = input.samples.get(d.ne);
        const competitor = sample?.competitor?.[metric];
        const past = (v: number, limit: number) => (m.lowerIsWorse ? v < limit : v > limit);
        kpi.push({
          ne: d.ne,
          metric,
          value: d.value,
          ...(typeof competitor === 'number' ? { competitor } : {}),
          warning: m.warning,
          critical: m.critical,
          margin: m.margin,
          lowerIsWorse: m.lowerIsWorse,
          isCritical: d.critical,
          basis:
            d.critical || past(d.value, m.critical)
              ? 'critical'
              : past(d.value, m.warning)
                ? 'warning'
                : 'competitor',
          ...(sample ? { sampleAt: sample.time } : {}),
        });
      }
      const degraded = event.evidence.elements.length;
      const reporting = input.topology.elementsOf(grid.id).length;
      const critical = kpi.filter((r) => r.isCritical).length;
      if (degraded >= rules.kpi.redMinElements && degraded >= rules.kpi.redShare * reporting)
        reasons.push({
          code: 'kpi.share',
          level: 'red',
          params: { n: degraded, of: reporting, share: rules.kpi.redShare, min: rules.kpi.redMinElements },
        });
      if (critical) reasons.push({ code: 'kpi.critical', level: 'orange', params: { n: critical } });
      reasons.push({
        code: 'kpi.degraded',
        level: 'yellow',
        params: { n: degraded, samples: rules.kpi.consecutive },
      });
      break;
    }
    case 'flapping':
      reasons.push({
        code: 'flapping.cycles',
        level: rules.flapping.level,
        params: { min: rules.flapping.cycles, windowMin: rules.flapping.window / 60_000 },
      });
      break;
    case 'planning':
      reasons.push({
        code: 'planning.coverage',
        level: rules.planning.level,
        params: {
          n: event.evidence.complaints.length,
          min: rules.planning.count,
          windowD: Math.round(rules.planning.window / 86_400_000),
        },
      });
      break;
    case 'complaint': {
      const ids = new Set(event.evidence.complaints);
      const list = (input.doc?.complaints ?? []).filter((c) => ids.has(c.id));
      const media = list.filter((c) => c.media).length;
      const escalated = list.filter((c) => c.escalated).length;
      const tiers = [1, 2, 3, 4].map((tier) => list.filter((c) => c.tier === tier).length);
      if (media)
        reasons.push({ code: 'complaint.media', level: rules.complaint.mediaLevel, params: { n: media } });
      if (escalated)
        reasons.push({
          code: 'complaint.escalated',
          level: rules.complaint.escalatedLevel,
          params: { n: escalated },
        });
      tiers.forEach((n, i) => {
        const tier = (i + 1) as 1 | 2 | 3 | 4;
        if (n)
          reasons.push({
            code: 'complaint.tier',
            level: rules.complaint.tierLevels[tier],
            params: { tier, n },
          });
      });
      const repeats = repeatCount(list, input.doc?.complaints ?? [], rules.complaint.repeatWindow);
      if (repeats) reasons.push({ code: 'complaint.repeat', params: { n: repeats } });
      const latest = Math.max(...list.map((c) => Date.parse(c.time)), Date.parse(event.at));
      const inWindow = list.filter((c) => Date.parse(c.time) > latest - rules.complaint.clusterWindow).length;
      if (inWindow >= rules.complaint.clusterOrange)
        reasons.push({
          code: 'complaint.cluster',
          level: inWindow >= rules.complaint.clusterRed ? 'red' : 'orange',
          params: {
            n: inWindow,
            windowMin: rules.complaint.clusterWindow / 60_000,
            orange: rules.complaint.clusterOrange,
            red: rules.complaint.clusterRed,
          },
        });
      for (const other of input.gridEvents)
        if ((other.rule === 'outage' || other.rule === 'kpi') && other.id !== event.id)
          reasons.push({ code: 'floor', level: other.level, params: { rule: other.rule, event: other.id } });
      break;
    }
  }
  if (event.escalationStep > 0)
    reasons.push({
      code: 'escalation',
      params: {
        step: event.escalationStep,
        ackPassed: Date.parse(event.ackDeadline) < input.now && event.state === 'open',
        fixPassed: Date.parse(event.deadline) < input.now,
      },
    });

  return {
    id: event.id,
    rule: event.rule,
    level: event.level,
    tier: grid.tier,
    reasons: sortReasons(reasons),
    kpi,
    elements,
    ack: ackDeadline(input),
    fix: fixDeadline(input),
    escalationStep: event.escalationStep,
  };
}

/** Strongest first; reasons without a level (repeat, escalation) after those that gave one. */
function sortReasons(reasons: WhyReason[]): WhyReason[] {
  return reasons
    .map((r, i) => ({ r, i }))
    .sort(
      (a, b) =>
        (b.r.level ? levelRank(b.r.level) : -1) - (a.r.level ? levelRank(a.r.level) : -1) || a.i - b.i,
    )
    .map(({ r }) => r);
}

function repeatCount(
  list: { id: string; customer: string; time: string }[],
  all: { id: string; customer: string; time: string }[],
  window: number,
): number {
  let n = 0;
  for (const c of list) {
    const at = Date.parse(c.time);
    if (
      all.some(
        (o) =>
          o.id !== c.id &&
          o.customer === c.customer &&
          Date.parse(o.time) < at &&
          at - Date.parse(o.time) <= window,
      )
    )
      n++;
  }
  return n;
}

function cap(grid: Grid, rules: Rules, ms: number): { ms: number; cappedBy?: 'key' | 'important' } {
  if (grid.tier === 'general') return { ms };
  const limit = rules.areaCap[grid.tier];
  return limit < ms ? { ms: limit, cappedBy: grid.tier } : { ms };
}

function deadline(at: string, basis: string, durationMs: number, input: WhyInput): WhyDeadline {
  const capped = cap(input.grid, input.rules, durationMs);
  return {
    at,
    basis,
    durationMs: capped.ms,
    ...(capped.cappedBy ? { cappedBy: capped.cappedBy } : {}),
    overdue:
      Date.parse(at) < input.now && (input.event.state === 'open' || input.event.state === 'acknowledged'),
  };
}

function ackDeadline(input: WhyInput): WhyDeadline {
  const { event, rules, doc } = input;
  if (event.rule !== 'complaint') {
    // The level's first response (a lift gives the new level's, counted from the lift).
    return deadline(event.ackDeadline, `ack.level.${event.level}`, rules.ackDeadline[event.level], input);
  }
  const ids = new Set(event.evidence.complaints);
  const list = (doc?.complaints ?? []).filter((c) => ids.has(c.id));
  const a = rules.complaint.ackDeadline;
  if (list.some((c) => c.tier === 1)) return deadline(event.ackDeadline, 'ack.tier1', a.tier1, input);
  if (list.some((c) => c.media || c.escalated))
    return deadline(event.ackDeadline, 'ack.mediaOrEscalated', a.mediaOrEscalated, input);
  if (repeatCount(list, doc?.complaints ?? [], rules.complaint.repeatWindow))
    return deadline(event.ackDeadline, 'ack.repeat', a.repeat, input);
  return deadline(event.ackDeadline, 'ack.other', a.other, input);
}

function fixDeadline(input: WhyInput): WhyDeadline {
  const { event, rules, doc } = input;
  switch (event.rule) {
    case 'outage':
    case 'kpi': {
      const r = event.rule === 'outage' ? rules.outage : rules.kpi;
      const multi = event.evidence.elements.length >= 2;
      return deadline(
        event.deadline,
        multi ? 'fix.multi' : 'fix.single',
        multi ? r.deadlineMulti : r.deadline,
        input,
      );
    }
    case 'flapping':
      return deadline(event.deadline, 'fix.flapping', rules.flapping.deadline, input);
    case 'planning':
      return deadline(event.deadline, 'fix.planning', rules.planning.deadline, input);
    case 'complaint': {
      const ids = new Set(event.evidence.complaints);
      const tiers = (doc?.complaints ?? []).filter((c) => ids.has(c.id)).map((c) => c.tier);
      const best = (tiers.length ? Math.min(...tiers) : 4) as 1 | 2 | 3 | 4;
      return deadline(event.deadline, `fix.tier${best}`, rules.complaint.deadline[best], input);
    }
  }
}
