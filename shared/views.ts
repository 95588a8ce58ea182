/**
 * What the processor publishes for readers (KV `cadre_events`, `cadre_grids`, stats subjects) and the
 * gateway serves: read models, not the core's internal state.
 */
import type { Level } from './levels.js';
import type { ComplaintCategory, EventTransition, IncidentTransition } from './schemas.js';

/** KV `cadre_events`, key = event id: the latest transition of the event is its whole current state. */
export type EventDoc = EventTransition;

export interface AlarmView {
  id: string;
  ne: string;
  code: string;
  severity: 1 | 2 | 3 | 4;
  category: 'fault' | 'performance';
  /** An outage code (CONTRACT.md: CORE_DOWN, SITE_DOWN, …). */
  outage: boolean;
  raisedAt: string;
  clearedAt?: string;
  /** Raised inside a maintenance window: evidence only, opens no outage event. */
  maintenance?: boolean;
  text?: string;
}

/** One local day (cadre.yaml `timeZone`) of a grid's scorecard counters; the gateway sums days into periods. */
export interface DayStats {
  complaints: number;
  byCategory: Record<ComplaintCategory, number>;
  repeats: number;
  events: Record<Level, number>;
  /** Sums and counts behind mean time to acknowledge / resolve, in minutes. */
  ackMinutes: number;
  acked: number;
  resolveMinutes: number;
  resolved: number;
  /** Events that ended by their deadline, and events whose deadline passed or that ended. */
  slaMet: number;
  slaDue: number;
  /** Distinct elements of the grid degraded (kpi rule) at some time that day. */
  degradedElements: number;
  /**
   * Deal (second release). Work orders whose first response / contact deadline passed or that were
   * contacted (due), and those contacted by it (met); promises given, moved and broken; satisfaction
   * answers; deferrals; resolves that named evidence alarms unrelated. Absent in older snapshots: read as 0.
   */
  firstResponseDue: number;
  firstResponseMet: number;
  contactDue: number;
  contactMet: number;
  promises: number;
  promisesMoved: number;
  promisesBroken: number;
  satisfied: number;
  dissatisfied: number;
  deferred: number;
  resolvedUnrelated: number;
  /** Events that ended with their grid's team (never handed over): the 80/20 of "grid first". */
  endedInGrid: number;
}

/** Columnar KPI series of a grid (uPlot's `[xs, ...ys]`): grid mean per sample period, last 24 h. */
export interface KpiSeries {
  /** Period start, epoch seconds. */
  t: number[];
  drop_rate: (number | null)[];
  setup_success: (number | null)[];
  congestion: (number | null)[];
  dl_mbps: (number | null)[];
  mos: (number | null)[];
}

/** A complaint as a desk shows it beside an event's evidence (which lists complaint ids only). */
export interface ComplaintView {
  id: string;
  time: string;
  tier: 1 | 2 | 3 | 4;
  category: ComplaintCategory;
  customer: string;
  media?: boolean;
  escalated?: boolean;
  text?: string;
}

/** A KPI series with no samples. */
export function emptyKpiSeries(): KpiSeries {
  return { t: [], drop_rate: [], setup_success: [], congestion: [], dl_mbps: [], mos: [] };
}

/** KV `cadre_grids`, key = grid id. */
export interface GridDoc {
  id: string;
  city: string;
  /** Worst level of the grid's active events; null when none is active. */
  level: Level | null;
  active: string[];
  /**
   * Active alarms in the order they were raised, then the most recently cleared ones; at most the
   * VIEW_LIMITS.alarms newest active ones (all are counted in `activeAlarms`), texts cut at
   * VIEW_LIMITS.text characters.
   */
  alarms: AlarmView[];
  /** Extension: how many alarms are active in the grid, shown or not. */
  activeAlarms?: number;
  /** Elements degraded now (kpi rule), with their worst metric. */
  degraded: { ne: string; metric: string; value: number; critical: boolean }[];
  kpi: KpiSeries;
  /** The grid's most recent complaints (bounded), newest last. */
  complaints: ComplaintView[];
  /** Last 31 days, key `YYYY-MM-DD`: the local date in cadre.yaml `timeZone`. */
  days: Record<string, DayStats>;
  updatedAt: string;
}

/** `cadre.stats.processor.<partition>`, about once a second; also the `stats` push of Socket.IO. */
export interface ProcessorStats {
  partition: string;
  at: string;
  /** Input messages per second over the last interval, by type. */
  rates: Record<string, number>;
  /** Seconds between the newest message in the stream and the one last applied. */
  lagSeconds: number;
  /** Messages in the stream not yet applied. */
  pending: number;
  active: Record<Level, number>;
  /**
   * The core's clock against this processor's wall clock: `jumped` when it is more than
   * `rules.maxFuture` ahead (a broker clock that leapt, or a checkpoint's tick from the future);
   * `refusedTicks` counts ticks refused for being that far ahead of the wall clock.
   */
  clock?: { at: string | null; aheadSeconds: number; jumped: boolean; refusedTicks: number };
}

/**
 * The wall screen's per-minute series (Socket.IO `snapshot.series`, `GET /api/activity`), columnar
 * for uPlot. Minutes of the transitions' own time (`at`).
 */
export interface Series {
  /** Minute starts, epoch seconds. */
  t: number[];
  /** Events opened per minute, by their opening level. */
  red: number[];
  orange: number[];
  yellow: number[];
  blue: number[];
  /** Events escalated (a deadline passed) per minute, any level; apart from the openings. */
  escalated: number[];
  /** Events whose level rose by an `updated` (more complaints, an outage in the grid) per minute. */
  lifted: number[];
  /** Mean input messages per second; null for a minute nobody measured. */
  input: (number | null)[];
  /** Max processing lag, seconds; null for a minute this gateway did not watch. */
  lag: (number | null)[];
}

/** The current minute of `Series`, carried by each `stats` push. */
export interface SeriesPoint {
  t: number;
  red: number;
  orange: number;
  yellow: number;
  blue: number;
  escalated: number;
  lifted: number;
  input: number | null;
  lag: number | null;
}

/** Sums over a `Series`: opened by opening level, escalated and lifted by their new level. */
export interface ActivityTotals {
  opened: Record<Level, number>;
  escalated: Record<Level, number>;
  lifted: Record<Level, number>;
}

/** The Socket.IO `stats` payload (about once a second). */
export interface LiveStats {
  at: string;
  inputRate: number;
  rates: Record<string, number>;
  lagSeconds: number;
  active: Record<Level, number>;
  clients: number;
  /** Extension: when a processor last reported (its stats about once a second); absent before the first. */
  processedAt?: string;
  point?: SeriesPoint;
}

/** The notification log: who was told what, when, by which channel (notify/log.ts). */
export type NoticeOutcome = 'queued' | 'held' | 'retrying' | 'sent' | 'failed';

export interface NoticeAttempt {
  at: string;
  /** `HTTP 204`, `HTTP 503`, `timeout after 10000 ms`, … */
  result: string;
  /** When the next attempt is due, for a failure that is retried. */
  retryAt?: string;
}

export interface NoticeEntry {
  /** The task's id: `<id>:<seq>:<subscriber>`. */
  task: string;
  kind: 'event' | 'incident';
  /** The event's or incident's id. */
  id: string;
  subscriber: string;
  channel: 'webhook' | 'sms';
  transition: string;
  seq: number;
  level: Level;
  queuedAt: string;
  /** Held for the subscriber's quiet hours until then. */
  heldUntil?: string;
  outcome: NoticeOutcome;
  /** Why it failed or is retried: the receiver's answer, or the notifier's reason. */
  reason?: string;
  sentAt?: string;
  /** How many attempts were made (the list keeps the last ones). */
  attemptCount: number;
  attempts: NoticeAttempt[];
}

/** KV `cadre_notify_log`, key = event or incident id: its entries, oldest first (notify/log.ts writes them). */
export interface NotifyLogDoc {
  id: string;
  entries: NoticeEntry[];
}

/** The reply to a command on `cadre.reply.command.<commandId>`. */
export type CommandReply =
  | { ok: true; event: EventDoc }
  /** A command on an incident (CONTRACT.md "Incidents"): it acted on every event of the incident too. */
  | { ok: true; incident: IncidentTransition }
  | { ok: false; code: string; message: string; alarms?: string[] };

/**
 * Bounds of what one document or transition carries, so that no input can make a message larger
 * than NATS takes (1 MiB by default): 200 alarms × 500 characters, 500 ids of each evidence list
 * (ids are at most 256 characters) stay well below it. The core keeps the whole record.
 */
export const VIEW_LIMITS = { alarms: 200, text: 500, evidence: 500 } as const;

/** The document of a grid with nothing happening: no events, alarms, samples or counters. */
export function quietGridDoc(id: string, city: string, updatedAt: string): GridDoc {
  return {
    id,
    city,
    level: null,
    active: [],
    alarms: [],
    degraded: [],
    kpi: emptyKpiSeries(),
    complaints: [],
    days: {},
    updatedAt,
  };
}
