/**
 * rules.yaml: the thresholds, windows, deadlines and levels of the default rules (CONTRACT.md,
 * "Default rules"). Every default lives here, beside its key.
 */
import { Type, type StaticDecode } from '@sinclair/typebox';
import { duration, int, num, oneOf, section } from './schema_helpers.js';
import { LEVELS } from '../shared/levels.js';

const level = (d: (typeof LEVELS)[number]) => oneOf(LEVELS, d);

/** A KPI metric's thresholds; `lowerIsWorse` for rates where a fall is the problem. */
function metric(warning: number, critical: number, margin: number, lowerIsWorse: boolean) {
  return section({
    warning: num(warning),
    critical: num(critical),
    margin: num(margin, { minimum: 0 }),
    lowerIsWorse: Type.Boolean({ default: lowerIsWorse }),
  });
}

export const RulesSchema = section({
  /**
   * Reorder window: input up to this late (event time) is processed as if it had come in order. 0 by
   * default: the input log's order is an order too (live and in a replay of the log alike), a clear
   * that comes before its raise is judged by event time anyway, and every input held here is a
   * transition that much later on every screen.
   */
  lateness: duration('0s'),
  /** Live: input whose time is further ahead than this of its arrival (or of the wall clock, at HTTP ingest) is absurd. */
  maxFuture: duration('15m'),
  /** Replay: input further ahead than this of the latest input is absurd (quiet nights and days are not). */
  maxGap: duration('30d'),
  /**
   * The duplicate horizon: dedup keys are remembered for this much event time, and input older than
   * this against the clock is refused (a re-send that old could no longer be told from new input).
   */
  maxAge: duration('24h'),
  /**
   * An event's `updated` transitions go out at most once per this much event time: changes that come
   * sooner (new evidence, a new title or deadline) fold into one `updated` at the end of it. A level
   * that rises and every other transition go out at once. In an alarm storm each alarm joining an
   * outage was a transition of its own, with the whole evidence list: 100,000 of them in seconds.
   * `0s` turns it off.
   */
  foldUpdates: duration('1s'),
  outage: section({
    debounce: duration('60s'),
    codes: Type.Array(Type.String(), {
      default: ['CORE_DOWN', 'SITE_DOWN', 'CELL_DOWN', 'TRANSPORT_DOWN', 'POWER_DOWN'],
    }),
    redCodes: Type.Array(Type.String(), { default: ['CORE_DOWN'] }),
    redElements: int(3, { minimum: 1 }),
    redTiers: Type.Array(oneOf(['key', 'important', 'general'] as const), { default: ['key'] }),
    level: level('orange'),
    deadline: duration('8h'),
    /** When ≥ 2 elements share a code or one element has ≥ 2 outage codes. */
    deadlineMulti: duration('5h'),
  }),
  flapping: section({
    cycles: int(5, { minimum: 2 }),
    window: duration('60m'),
    quiet: duration('60m'),
    level: level('yellow'),
    deadline: duration('8h'),
  }),
  kpi: section({
    consecutive: int(2, { minimum: 1 }),
    metrics: section({
      drop_rate: metric(0.02, 0.05, 0.005, false),
      setup_success: metric(0.97, 0.9, 0.01, true),
      congestion: metric(0.05, 0.15, 0.03, false),
      dl_mbps: metric(5, 1, 2, true),
      mos: metric(3.5, 3.0, 0.2, true),
    }),
    redShare: num(0.3, { minimum: 0, maximum: 1 }),
    redMinElements: int(5, { minimum: 1 }),
    deadline: duration('8h'),
    deadlineMulti: duration('5h'),
  }),
  complaint: section({
    tierLevels: section({ 1: level('orange'), 2: level('orange'), 3: level('yellow'), 4: level('yellow') }),
    escalatedLevel: level('orange'),
    mediaLevel: level('red'),
    repeatWindow: duration('7d'),
    clusterWindow: duration('60m'),
    clusterOrange: int(3, { minimum: 1 }),
    clusterRed: int(10, { minimum: 1 }),
    ackDeadline: section({
      tier1: duration('30m'),
      mediaOrEscalated: duration('4h'),
      repeat: duration('12h'),
      other: duration('24h'),
    }),
    deadline: section({ 1: duration('8h'), 2: duration('24h'), 3: duration('36h'), 4: duration('36h') }),
  }),
  planning: section({
    category: Type.String({ default: 'coverage' }),
    count: int(3, { minimum: 1 }),
    window: duration('30d'),
    level: level('blue'),
    deadline: duration('30d'),
  }),
  /** First-response deadline of events of the non-complaint rules, by level. */
  ackDeadline: section({
    red: duration('15m'),
    orange: duration('30m'),
    yellow: duration('2h'),
    blue: duration('24h'),
  }),
  /** The most any deadline may be in a grid of this area tier. */
  areaCap: section({ key: duration('8h'), important: duration('12h') }),
  /** Incidents (second release): one cause, many grids. */
  incidents: section({
    /** Without upstream links: outage events of one code in one district opened within this are one incident. */
    window: duration('5m'),
    /** Grids an incident takes at least (fewer is a grid's own problem). */
    minGrids: int(2, { minimum: 2 }),
  }),
  /** Deal (second release): the customer's side of a complaint event. */
  deal: section({
    /** A complaint's customer must be contacted within this of the complaint (work order). */
    contactWithin: duration('1h'),
    /** Status page (`GET /api/complaints/:id/status`) answers per client address per minute. */
    statusRateLimit: int(10, { minimum: 1 }),
    /** The level a complaint event reopened by a dissatisfied customer has at least. */
    reopenLevel: level('orange'),
  }),
  escalation: section({ tracking: duration('48h') }),
  /**
   * Evaluate: the target of each figure of reports and scorecards, and its red/amber/green status
   * (contract/targets.ts). Lower is better except `deadlineCompliance`; `amber` is how far past the
   * target, as a fraction of it, a figure is amber before it is red.
   */
  targets: section({
    // Bounds keep every target a divisor of the composite score (contract/targets.ts).
    complaintsPer10k: num(6, { minimum: 0.001 }),
    repeatRate: num(0.1, { minimum: 0.001, maximum: 1 }),
    deadlineCompliance: num(0.9, { minimum: 0, maximum: 0.999 }),
    amber: num(0.2, { minimum: 0, maximum: 10 }),
  }),
  /** Memory bounds of the core's customer and history caches (duplicates are bounded by maxAge). */
  limits: section({
    customers: int(500_000, { minimum: 1000 }),
    endedEvents: int(10_000, { minimum: 100 }),
  }),
});

export type Rules = StaticDecode<typeof RulesSchema>;
export type KpiMetricRule = Rules['kpi']['metrics']['drop_rate'];
