/**
 * The core's internal state: per-grid state (allocated on first use, so an idle grid costs nothing)
 * and per-event state. Plain data only (Maps, Sets, arrays, numbers): `plain.ts` snapshots it.
 */
import type { Level } from '../../shared/levels.js';
import type {
  ContactChannel,
  ContactOutcome,
  DeferReason,
  EventState as EventStateName,
  Owner,
  RuleName,
  TransitionName,
} from '../../shared/schemas.js';
import type { AlarmView, ComplaintView, DayStats } from '../../shared/views.js';
import type { TitleParts } from '../../shared/titles.js';

/** An alarm as the core holds it: its view (shared/views.ts `AlarmView`) with times in epoch ms. */
export type AlarmState = Omit<AlarmView, 'raisedAt' | 'clearedAt'> & { raisedAt: number; clearedAt?: number };

/**
 * KPI state of one element, per judged metric (index in `JUDGED_METRICS`): consecutive samples past
 * warning (or losing the competitive comparison), consecutive samples past critical, last value.
 * Fixed-shape arrays: a sample is a few array writes, no allocation.
 */
export interface ElementKpi {
  bad: number[];
  crit: number[];
  value: number[];
  degraded: boolean;
  critical: boolean;
}

export interface GridState {
  /** Active (raised, not cleared) alarms by alarm id. */
  alarms: Map<string, AlarmState>;
  /** The most recently cleared alarms, newest last (bounded). */
  cleared: AlarmState[];
  /** Completion times of raise→clear cycles within the flapping window, by alarm id and by element. */
  cyclesByAlarm: Map<string, number[]>;
  cyclesByNe: Map<string, number[]>;
  /** Active alarms per element that count for its down/up cycles (not raised in maintenance). */
  downBy: Map<string, number>;
  /** The active event of each rule. */
  active: Partial<Record<RuleName, string>>;
  /**
   * Id bases given out (`<grid>.<rule>.<second>` → how many, and that second): an id is never given
   * twice, even to a late event opened at an earlier second than the last. Bases older than the
   * duplicate horizon are forgotten, since no event can open that far back.
   */
  idBases: Map<string, { n: number; at: number }>;
  /** KPI state of each reporting element. */
  kpi: Map<string, ElementKpi>;
  /** The last complaints' times (cluster rule) and coverage complaints (planning rule), bounded. */
  complaintTimes: number[];
  coverage: { id: string; at: number }[];
  /** The last time an outage or kpi event of the grid was active (planning rule); null: never. */
  netEventAt: number | null;
  /** The grid's KPI chart (display.ts): a flat array of periods, made on its first sample. */
  series?: number[];
  /** The grid's latest complaints as desks show them, oldest first (bounded). */
  complaintLog: ComplaintView[];
  /** Scorecard counters by UTC day `YYYY-MM-DD`, and the elements already counted degraded today. */
  days: Map<string, DayStats>;
  degradedDay: string;
  degradedSeen: Set<string>;
}

export function newGridState(): GridState {
  return {
    alarms: new Map(),
    cleared: [],
    cyclesByAlarm: new Map(),
    cyclesByNe: new Map(),
    downBy: new Map(),
    active: {},
    idBases: new Map(),
    kpi: new Map(),
    complaintTimes: [],
    coverage: [],
    netEventAt: null,
    complaintLog: [],
    days: new Map(),
    degradedDay: '',
    degradedSeen: new Set(),
  };
}

/** A complaint's work order inside its complaint event (deal.ts); times are epoch ms. */
export interface WorkOrderState {
  complaint: string;
  customer: string;
  tier: 1 | 2 | 3 | 4;
  /** Kept for the satisfaction SMS; transitions carry its last four digits only. */
  phone?: string;
  receivedAt: number;
  ackDeadline: number;
  contactDeadline: number;
  /** The first contact attempt (the first response), and the first that reached the customer. */
  respondedAt?: number;
  contactedAt?: number;
  contact?: { channel: ContactChannel; outcome: ContactOutcome; by: string };
  scenario?: string;
  promise?: { at: number; moves: number };
  promiseBroken?: boolean;
  satisfied?: boolean;
  /** A missed deadline of this work order escalated the event (once per work order). */
  escalated?: boolean;
}

export interface EventState {
  id: string;
  seq: number;
  grid: string;
  city: string;
  rule: RuleName;
  level: Level;
  state: EventStateName;
  title: string;
  titleParts: TitleParts;
  openedAt: number;
  ackDeadline: number;
  deadline: number;
  tracking: boolean;
  escalationStep: number;
  alarms: Set<string>;
  complaints: Set<string>;
  elements: Set<string>;
  assignee?: string;
  plan?: { at: string; scenario: string };
  /** Escalation and scorecard bookkeeping: each happens once per event. */
  ackEscalated: boolean;
  deadlineEscalated: boolean;
  acked: boolean;
  slaCounted: boolean;
  /** outage: the counted outage alarms not cleared yet (id → element), and the element|code pairs seen. */
  out?: Map<string, string>;
  pairs?: Set<string>;
  multi?: boolean;
  /** The latest emitted transition (the event's document is rebuilt from it), and the level it had. */
  last?: { transition: TransitionName; at: number; by?: string; text?: string; levelFrom?: Level };
  emittedLevel?: Level;
  /** flapping: the last cycle that kept the event alive. */
  lastCycleAt?: number;
  /** complaint: one work order per complaint, in the order they joined. */
  workOrders?: Map<string, WorkOrderState>;
  /** A resolve waiting for evidence alarms to clear (`when: "cleared"`), by whom, with its note. */
  resolvePending?: { by: string; text?: string; unrelated?: string[]; reason?: string };
  /** A resolve that judged evidence alarms unrelated, and why (kept for the history). */
  unrelated?: string[];
  resolveReason?: string;
  deferReason?: DeferReason;
  reopenOf?: string;
  owner?: Owner;
  /** The incident this (outage) event is part of (incidents.ts). */
  incident?: string;
}

export function isEnded(ev: EventState): boolean {
  return ev.state === 'resolved' || ev.state === 'cleared';
}

export { emptyDay } from '../../contract/scorecard.js';
