/**
 * The contract's messages as TypeBox schemas: one source for the JSON Schema (validation, docs) and
 * the static TypeScript types. Extra properties on input are allowed and ignored, so producers can
 * add their own fields without being rejected.
 */
import { Type, type Static } from '@sinclair/typebox';

const IsoTime = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:?\\d{2})$',
  description: 'ISO-8601 date-time with a zone',
});
const Id = Type.String({ minLength: 1, maxLength: 256 });
const Text = Type.String({ maxLength: 4000 });
const Fraction = Type.Number({ minimum: 0, maximum: 1 });

/** Network element kinds, in the order titles and views list them. */
export const ELEMENT_KINDS = ['core', 'site', 'cell', 'transport', 'power', 'other'] as const;
export type ElementKind = (typeof ELEMENT_KINDS)[number];

export const OUTAGE_CODES = ['CORE_DOWN', 'SITE_DOWN', 'CELL_DOWN', 'TRANSPORT_DOWN', 'POWER_DOWN'] as const;

export const AlarmSchema = Type.Object({
  type: Type.Optional(Type.Literal('alarm')),
  id: Id,
  ne: Id,
  grid: Type.Optional(Id),
  severity: Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3), Type.Literal(4)]),
  category: Type.Union([Type.Literal('fault'), Type.Literal('performance')]),
  code: Type.String({ minLength: 1, maxLength: 128 }),
  state: Type.Union([Type.Literal('raised'), Type.Literal('cleared')]),
  time: IsoTime,
  text: Type.Optional(Text),
});
export type Alarm = Static<typeof AlarmSchema>;

export const METRICS = ['drop_rate', 'setup_success', 'congestion', 'dl_mbps', 'mos', 'traffic_erl'] as const;
export type MetricName = (typeof METRICS)[number];

const Metrics = Type.Object({
  drop_rate: Type.Optional(Fraction),
  setup_success: Type.Optional(Fraction),
  congestion: Type.Optional(Fraction),
  dl_mbps: Type.Optional(Type.Number({ minimum: 0, maximum: 100_000 })),
  mos: Type.Optional(Type.Number({ minimum: 1, maximum: 5 })),
  traffic_erl: Type.Optional(Type.Number({ minimum: 0 })),
});
export type Metrics = Static<typeof Metrics>;

/** The metrics with thresholds and charts, in one order everywhere (traffic_erl is only reported). */
export const JUDGED_METRICS = ['drop_rate', 'setup_success', 'congestion', 'dl_mbps', 'mos'] as const;
export type JudgedMetric = (typeof JUDGED_METRICS)[number];

/**
 * A sample's judged metrics in JUDGED_METRICS' order, read field by field: it runs for every KPI sample,
 * and a loop over the names costs a keyed lookup each. `into` lets a hot caller reuse one array.
 */
export function judgedValues(m: Metrics, into: (number | undefined)[] = []): (number | undefined)[] {
  into[0] = m.drop_rate;
  into[1] = m.setup_success;
  into[2] = m.congestion;
  into[3] = m.dl_mbps;
  into[4] = m.mos;
  return into;
}

export const KpiSchema = Type.Object({
  type: Type.Optional(Type.Literal('kpi')),
  ne: Id,
  time: IsoTime,
  period: Type.Number({ exclusiveMinimum: 0, maximum: 86_400 }),
  metrics: Metrics,
  competitor: Type.Optional(Metrics),
});
export type Kpi = Static<typeof KpiSchema>;

export const COMPLAINT_CATEGORIES = ['voice', 'data', 'sms', 'coverage', 'wlan', 'other'] as const;
export type ComplaintCategory = (typeof COMPLAINT_CATEGORIES)[number];

export const ComplaintSchema = Type.Object({
  type: Type.Optional(Type.Literal('complaint')),
  id: Id,
  time: IsoTime,
  customer: Type.Object({
    id: Id,
    tier: Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3), Type.Literal(4)]),
    /** Deal (second release): for the satisfaction SMS and the status page's last four digits. */
    phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9 -]{4,20}$' })),
  }),
  grid: Type.Optional(Id),
  ne: Type.Optional(Id),
  location: Type.Optional(
    Type.Object({
      lon: Type.Number({ minimum: -180, maximum: 180 }),
      lat: Type.Number({ minimum: -90, maximum: 90 }),
    }),
  ),
  category: Type.Union(COMPLAINT_CATEGORIES.map((c) => Type.Literal(c))),
  media: Type.Optional(Type.Boolean()),
  escalated: Type.Optional(Type.Boolean()),
  text: Type.Optional(Text),
});
export type Complaint = Static<typeof ComplaintSchema>;

export const MaintenanceSchema = Type.Object({
  type: Type.Optional(Type.Literal('maintenance')),
  id: Id,
  grids: Type.Optional(Type.Array(Id, { maxItems: 10_000 })),
  elements: Type.Optional(Type.Array(Id, { maxItems: 100_000 })),
  start: IsoTime,
  end: IsoTime,
  reason: Type.String({ minLength: 1, maxLength: 1000 }),
  /** The gateway's `hmac-sha256:<base64url>` over the rest (shared/command_signature.ts). */
  signature: Type.Optional(Type.String({ maxLength: 200 })),
});
export type Maintenance = Static<typeof MaintenanceSchema>;

export const TickSchema = Type.Object({ type: Type.Literal('tick'), time: IsoTime });
export type Tick = Static<typeof TickSchema>;

export const ACTIONS = [
  'ack',
  'assign',
  'comment',
  'plan',
  'resolve',
  // Deal (second release, CONTRACT.md): the customer's side of an event.
  'contact',
  'defer',
  'satisfaction',
  'handover',
] as const;
export type Action = (typeof ACTIONS)[number];

/** Who owns an event beyond its grid's team (Deal's "grid first, then up"); absent: the grid. */
export const OWNERS = ['city', 'province'] as const;
export type Owner = (typeof OWNERS)[number];

export const CONTACT_CHANNELS = ['phone', 'sms', 'visit', 'other'] as const;
export const CONTACT_OUTCOMES = ['reached', 'unreachable'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
export type ContactOutcome = (typeof CONTACT_OUTCOMES)[number];
/** The seed's reasons to let a problem wait (暂不解决). */
export const DEFER_REASONS = [
  'customer-accepted',
  'few-affected',
  'low-traffic-site',
  'competitor-same',
] as const;
export type DeferReason = (typeof DEFER_REASONS)[number];
/**
 * A union of string literals whose static type is their union. Generic over the element, not the
 * array: `.map` on a generic array is the constraint's (`string[]`), which typed every one `string`.
 */
export const literals = <T extends string>(values: readonly T[]) =>
  Type.Union(values.map((v) => Type.Literal(v)));

/**
 * Extension: a dispatcher's action as an input message, so actions are ordered with the rest of the
 * input, replayable and audited (subject `cadre.in.command.<city>`).
 */
export const CommandSchema = Type.Object({
  type: Type.Literal('command'),
  id: Id,
  action: Type.Union(ACTIONS.map((a) => Type.Literal(a))),
  event: Id,
  by: Id,
  time: IsoTime,
  to: Type.Optional(Id),
  text: Type.Optional(Text),
  plan: Type.Optional(Type.Object({ at: IsoTime, scenario: Type.String({ minLength: 1, maxLength: 1000 }) })),
  /** contact, plan, satisfaction: the complaint (work order) it is about. */
  complaint: Type.Optional(Id),
  /** contact. */
  channel: Type.Optional(literals(CONTACT_CHANNELS)),
  outcome: Type.Optional(literals(CONTACT_OUTCOMES)),
  /** plan (moving a promise), resolve with unrelated alarms, defer: why. */
  reason: Type.Optional(Text),
  /** resolve: "cleared" resolves when the last evidence alarm clears. */
  when: Type.Optional(Type.Literal('cleared')),
  /** resolve: evidence alarms judged unrelated to the event. */
  unrelated: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 500 })),
  /** satisfaction. */
  satisfied: Type.Optional(Type.Boolean()),
  /** handover: to whom the event goes up from the grid's team. */
  owner: Type.Optional(literals(OWNERS)),
  /** The gateway's `hmac-sha256:<base64url>` over the rest (shared/command_signature.ts). */
  signature: Type.Optional(Type.String({ maxLength: 200 })),
});
export type Command = Static<typeof CommandSchema>;

export const INPUT_TYPES = ['alarm', 'kpi', 'complaint', 'maintenance', 'tick', 'command'] as const;
export type InputType = (typeof INPUT_TYPES)[number];
/** The types producers send; tick and command are cadre's own. */
export const PRODUCER_TYPES = ['alarm', 'kpi', 'complaint'] as const;
export type ProducerType = (typeof PRODUCER_TYPES)[number];

export const INPUT_SCHEMAS = {
  alarm: AlarmSchema,
  kpi: KpiSchema,
  complaint: ComplaintSchema,
  maintenance: MaintenanceSchema,
  tick: TickSchema,
  command: CommandSchema,
} as const;

export const RULES = ['outage', 'kpi', 'flapping', 'complaint', 'planning'] as const;
export type RuleName = (typeof RULES)[number];

export const TRANSITIONS = [
  'opened',
  'updated',
  'escalated',
  'tracking',
  'acknowledged',
  'assigned',
  'commented',
  'planned',
  'resolved',
  'cleared',
  // Deal (second release).
  'contacted',
  'deferred',
  'resumed',
  'handedOver',
] as const;
export type TransitionName = (typeof TRANSITIONS)[number];

export const EVENT_STATES = ['open', 'acknowledged', 'resolved', 'cleared', 'deferred'] as const;
export type EventState = (typeof EVENT_STATES)[number];

/**
 * One complaint's work order inside its complaint event: its own first-response deadline (the tier
 * table) and contact deadline (`deal.contactWithin`), the contact, the promise made to the customer
 * and the customer's answer. `phone4`: the last four digits only; the full number stays in the input.
 */
function WorkOrderSchema() {
  return Type.Object({
    complaint: Type.String(),
    customer: Type.String(),
    tier: Type.Integer({ minimum: 1, maximum: 4 }),
    phone4: Type.Optional(Type.String()),
    receivedAt: IsoTime,
    ackDeadline: IsoTime,
    contactDeadline: IsoTime,
    contactedAt: Type.Optional(IsoTime),
    contact: Type.Optional(
      Type.Object({
        channel: literals(CONTACT_CHANNELS),
        outcome: literals(CONTACT_OUTCOMES),
        by: Type.String(),
      }),
    ),
    scenario: Type.Optional(Type.String()),
    promise: Type.Optional(Type.Object({ at: IsoTime, moves: Type.Integer({ minimum: 0 }) })),
    /** The promise passed with the event unresolved. */
    promiseBroken: Type.Optional(Type.Boolean()),
    satisfied: Type.Optional(Type.Boolean()),
  });
}
export type WorkOrder = Static<ReturnType<typeof WorkOrderSchema>>;

const LevelSchema = Type.Union([
  Type.Literal('red'),
  Type.Literal('orange'),
  Type.Literal('yellow'),
  Type.Literal('blue'),
]);

export const EventTransitionSchema = Type.Object({
  kind: Type.Literal('event'),
  id: Type.String(),
  seq: Type.Integer({ minimum: 1 }),
  transition: Type.Union(TRANSITIONS.map((t) => Type.Literal(t))),
  grid: Type.String(),
  city: Type.String(),
  rule: Type.Union(RULES.map((r) => Type.Literal(r))),
  level: LevelSchema,
  state: Type.Union(EVENT_STATES.map((s) => Type.Literal(s))),
  title: Type.String(),
  /** Extension: what the title is made of, for screens that render it in their own language. */
  /** Extension: the full counts, when an evidence list is longer than the VIEW_LIMITS.evidence ids shown. */
  evidenceTotal: Type.Optional(
    Type.Object({ alarms: Type.Integer(), complaints: Type.Integer(), elements: Type.Integer() }),
  ),
  titleParts: Type.Optional(
    Type.Object({
      rule: Type.Union(RULES.map((r) => Type.Literal(r))),
      grid: Type.String(),
      count: Type.Integer({ minimum: 0 }),
      kinds: Type.Optional(
        Type.Partial(Type.Record(Type.Union(ELEMENT_KINDS.map((k) => Type.Literal(k))), Type.Integer())),
      ),
    }),
  ),
  openedAt: IsoTime,
  at: IsoTime,
  ackDeadline: IsoTime,
  deadline: IsoTime,
  tracking: Type.Boolean(),
  escalationStep: Type.Integer({ minimum: 0 }),
  evidence: Type.Object({
    alarms: Type.Array(Type.String()),
    complaints: Type.Array(Type.String()),
    elements: Type.Array(Type.String()),
  }),
  assignee: Type.Optional(Type.String()),
  plan: Type.Optional(Type.Object({ at: IsoTime, scenario: Type.String() })),
  // Extensions: who caused a dispatcher transition, and its text (comment or resolve note).
  by: Type.Optional(Type.String()),
  text: Type.Optional(Type.String()),
  // Deal (second release, CONTRACT.md "Deal").
  workOrders: Type.Optional(Type.Array(WorkOrderSchema())),
  /** Resolved by a dispatcher with `when: "cleared"`, waiting for the last evidence alarm to clear. */
  resolvePending: Type.Optional(Type.Boolean()),
  /** A resolve that judged these evidence alarms unrelated, and why. */
  unrelated: Type.Optional(Type.Array(Type.String())),
  reason: Type.Optional(Type.String()),
  /** deferred: the seed's reason. */
  deferReason: Type.Optional(literals(DEFER_REASONS)),
  /** A complaint event opened by a dissatisfied answer about this (resolved) event. */
  reopenOf: Type.Optional(Type.String()),
  /** Handed over from the grid's team (absent: the grid owns it). */
  owner: Type.Optional(literals(OWNERS)),
  /** Incidents (second release): the incident this event is part of. */
  incident: Type.Optional(Type.String()),
  /** The level of the event's previous transition, when it rose since (a lift or an escalation). */
  levelFrom: Type.Optional(LevelSchema),
});
export type EventTransition = Static<typeof EventTransitionSchema>;

export const INCIDENT_TRANSITIONS = [
  'opened',
  'updated',
  'escalated',
  'acknowledged',
  'assigned',
  'commented',
  'resolved',
  'cleared',
] as const;
export type IncidentTransitionName = (typeof INCIDENT_TRANSITIONS)[number];

/**
 * Incidents (CONTRACT.md "Incidents"): one cause, many grids — the events of several grids explained
 * by one failed upstream element (or, where the topology says nothing, outages of one code in one
 * district opened within `incidents.window`). On NATS `cadre.incident.<city>`.
 */
export const IncidentTransitionSchema = Type.Object({
  kind: Type.Literal('incident'),
  id: Type.String(),
  seq: Type.Integer({ minimum: 1 }),
  transition: literals(INCIDENT_TRANSITIONS),
  city: Type.String(),
  level: LevelSchema,
  state: literals(['open', 'acknowledged', 'resolved', 'cleared'] as const),
  title: Type.String(),
  openedAt: IsoTime,
  at: IsoTime,
  ackDeadline: IsoTime,
  deadline: IsoTime,
  escalationStep: Type.Integer({ minimum: 0 }),
  root: Type.Object({ alarms: Type.Array(Type.String()), elements: Type.Array(Type.String()) }),
  grids: Type.Array(Type.String()),
  events: Type.Array(Type.String()),
  // Extensions: how it was grouped, and the title's parts for screens in other languages.
  cause: literals(['upstream', 'district'] as const),
  titleParts: Type.Object({
    area: Type.String(),
    grids: Type.Integer({ minimum: 0 }),
    element: Type.Optional(Type.Object({ id: Type.String(), kind: Type.String() })),
    code: Type.Optional(Type.String()),
  }),
  assignee: Type.Optional(Type.String()),
  by: Type.Optional(Type.String()),
  text: Type.Optional(Type.String()),
  levelFrom: Type.Optional(LevelSchema),
});
export type IncidentTransition = Static<typeof IncidentTransitionSchema>;
