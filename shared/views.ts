/**
 * What the processor publishes for readers (KV `cadre_events`, `cadre_grids`, stats subjects) and the
 * gateway serves: read models, not the core's internal state.
 */
import { Type, type Static } from '@sinclair/typebox';
import { LEVELS, type Level } from './levels.js';
import {
  COMPLAINT_CATEGORIES,
  EventTransitionSchema,
  IncidentTransitionSchema,
  literals,
  type ComplaintCategory,
  type EventTransition,
} from './schemas.js';

/*
 * The documents and messages below are written by cadre's own roles (processor, notifier) and read
 * back from NATS by others (gateway, notifier): each has a TypeBox schema, the type is derived from
 * it, and a reader checks what it read against it (shared/validate.ts decodeChecked). Extra properties
 * are allowed, as on input: a newer writer may add fields.
 */

const OneToFour = Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3), Type.Literal(4)]);
const LevelSchema = literals(LEVELS);

/** KV `cadre_events`, key = event id: the latest transition of the event is its whole current state. */
export type EventDoc = EventTransition;

export const AlarmViewSchema = Type.Object({
  id: Type.String(),
  ne: Type.String(),
  code: Type.String(),
  severity: OneToFour,
  category: literals(['fault', 'performance'] as const),
  /** An outage code (CONTRACT.md: CORE_DOWN, SITE_DOWN, …). */
  outage: Type.Boolean(),
  raisedAt: Type.String(),
  clearedAt: Type.Optional(Type.String()),
  /** Raised inside a maintenance window: evidence only, opens no outage event. */
  maintenance: Type.Optional(Type.Boolean()),
  text: Type.Optional(Type.String()),
});
export type AlarmView = Static<typeof AlarmViewSchema>;

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

/**
 * What a reader checks of a grid's day counters: numbers, or records of numbers (byCategory,
 * events), by name. Looser than DayStats on purpose: the Deal counters are absent in days written
 * before the second release and read as 0 (contract/scorecard.ts, contract/rollup.ts add field by
 * field with `?? 0`), so a day without them is a real day, not a bad document.
 */
const DayCountersSchema = Type.Unsafe<DayStats>(
  Type.Record(Type.String(), Type.Union([Type.Number(), Type.Record(Type.String(), Type.Number())])),
);

const SampleSeries = Type.Array(Type.Union([Type.Number(), Type.Null()]));

/** Columnar KPI series of a grid (uPlot's `[xs, ...ys]`): grid mean per sample period, last 24 h. */
export const KpiSeriesSchema = Type.Object({
  /** Period start, epoch seconds. */
  t: Type.Array(Type.Number()),
  drop_rate: SampleSeries,
  setup_success: SampleSeries,
  congestion: SampleSeries,
  dl_mbps: SampleSeries,
  mos: SampleSeries,
});
export type KpiSeries = Static<typeof KpiSeriesSchema>;

/** A complaint as a desk shows it beside an event's evidence (which lists complaint ids only). */
export const ComplaintViewSchema = Type.Object({
  id: Type.String(),
  time: Type.String(),
  tier: OneToFour,
  category: literals(COMPLAINT_CATEGORIES),
  customer: Type.String(),
  media: Type.Optional(Type.Boolean()),
  escalated: Type.Optional(Type.Boolean()),
  text: Type.Optional(Type.String()),
});
export type ComplaintView = Static<typeof ComplaintViewSchema>;

/** A KPI series with no samples. */
export function emptyKpiSeries(): KpiSeries {
  return { t: [], drop_rate: [], setup_success: [], congestion: [], dl_mbps: [], mos: [] };
}

/** KV `cadre_grids`, key = grid id. */
export const GridDocSchema = Type.Object({
  id: Type.String(),
  city: Type.String(),
  /** Worst level of the grid's active events; null when none is active. */
  level: Type.Union([LevelSchema, Type.Null()]),
  active: Type.Array(Type.String()),
  /**
   * Active alarms in the order they were raised, then the most recently cleared ones; at most the
   * VIEW_LIMITS.alarms newest active ones (all are counted in `activeAlarms`), texts cut at
   * VIEW_LIMITS.text characters.
   */
  alarms: Type.Array(AlarmViewSchema),
  /** Extension: how many alarms are active in the grid, shown or not. */
  activeAlarms: Type.Optional(Type.Number()),
  /** Elements degraded now (kpi rule), with their worst metric. */
  degraded: Type.Array(
    Type.Object({ ne: Type.String(), metric: Type.String(), value: Type.Number(), critical: Type.Boolean() }),
  ),
  kpi: KpiSeriesSchema,
  /** The grid's most recent complaints (bounded), newest last. */
  complaints: Type.Array(ComplaintViewSchema),
  /** Last 31 days, key `YYYY-MM-DD`: the local date in cadre.yaml `timeZone`. */
  days: Type.Record(Type.String(), DayCountersSchema),
  updatedAt: Type.String(),
});
export type GridDoc = Static<typeof GridDocSchema>;

/** `cadre.stats.processor.<partition>`, about once a second; also the `stats` push of Socket.IO. */
export const ProcessorStatsSchema = Type.Object({
  partition: Type.String(),
  at: Type.String(),
  /** Input messages per second over the last interval, by type. */
  rates: Type.Record(Type.String(), Type.Number()),
  /** Seconds between the newest message in the stream and the one last applied. */
  lagSeconds: Type.Number(),
  /** Messages in the stream not yet applied. */
  pending: Type.Number(),
  /**
   * Extension: the last CADRE_IN sequence applied (where a partition is in the stream; a test that
   * waits for a processor to have applied what it published compares it with the stream's last).
   */
  appliedSeq: Type.Optional(Type.Number()),
  active: Type.Record(LevelSchema, Type.Number()),
  /**
   * The core's clock against this processor's wall clock: `jumped` when it is more than
   * `rules.maxFuture` ahead (a broker clock that leapt, or a checkpoint's tick from the future);
   * `refusedTicks` counts ticks refused for being that far ahead of the wall clock.
   */
  clock: Type.Optional(
    Type.Object({
      at: Type.Union([Type.String(), Type.Null()]),
      aheadSeconds: Type.Number(),
      jumped: Type.Boolean(),
      refusedTicks: Type.Number(),
    }),
  ),
});
export type ProcessorStats = Static<typeof ProcessorStatsSchema>;

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
export const NOTICE_OUTCOMES = ['queued', 'held', 'retrying', 'sent', 'failed'] as const;
export type NoticeOutcome = (typeof NOTICE_OUTCOMES)[number];

export const NoticeAttemptSchema = Type.Object({
  at: Type.String(),
  /** `HTTP 204`, `HTTP 503`, `timeout after 10000 ms`, … */
  result: Type.String(),
  /** When the next attempt is due, for a failure that is retried. */
  retryAt: Type.Optional(Type.String()),
});
export type NoticeAttempt = Static<typeof NoticeAttemptSchema>;

export const NoticeEntrySchema = Type.Object({
  /** The task's id: `<id>:<seq>:<subscriber>`. */
  task: Type.String(),
  kind: literals(['event', 'incident'] as const),
  /** The event's or incident's id. */
  id: Type.String(),
  subscriber: Type.String(),
  channel: literals(['webhook', 'sms'] as const),
  transition: Type.String(),
  seq: Type.Number(),
  level: LevelSchema,
  queuedAt: Type.String(),
  /** Held for the subscriber's quiet hours until then. */
  heldUntil: Type.Optional(Type.String()),
  outcome: literals(NOTICE_OUTCOMES),
  /** Why it failed or is retried: the receiver's answer, or the notifier's reason. */
  reason: Type.Optional(Type.String()),
  sentAt: Type.Optional(Type.String()),
  /** How many attempts were made (the list keeps the last ones). */
  attemptCount: Type.Number(),
  attempts: Type.Array(NoticeAttemptSchema),
});
export type NoticeEntry = Static<typeof NoticeEntrySchema>;

/** KV `cadre_notify_log`, key = event or incident id: its entries, oldest first (notify/log.ts writes them). */
export const NotifyLogDocSchema = Type.Object({
  id: Type.String(),
  entries: Type.Array(NoticeEntrySchema),
});
export type NotifyLogDoc = Static<typeof NotifyLogDocSchema>;

/** The reply to a command on `cadre.reply.command.<commandId>`. */
export const CommandReplySchema = Type.Union([
  Type.Object({ ok: Type.Literal(true), event: EventTransitionSchema }),
  /** A command on an incident (CONTRACT.md "Incidents"): it acted on every event of the incident too. */
  Type.Object({ ok: Type.Literal(true), incident: IncidentTransitionSchema }),
  Type.Object({
    ok: Type.Literal(false),
    code: Type.String(),
    message: Type.String(),
    alarms: Type.Optional(Type.Array(Type.String())),
  }),
]);
export type CommandReply = Static<typeof CommandReplySchema>;

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
