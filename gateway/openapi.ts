/**
 * The REST API's OpenAPI 3 document (`GET /api/openapi.json`), made by @fastify/swagger from the
 * routes as registered: their paths, methods and request schemas (params, query, body) are the
 * routes' own. What a route answers — its success body and every error it can give — is written
 * here, once per route, and merged in by swagger's `transform`, for the document only: responses
 * are still serialized as they are. test/gateway/openapi.test.ts checks the document against the
 * OpenAPI 3 schema and against every route the server serves, so a route without its entry here
 * fails the build.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SwaggerOptions } from '@fastify/swagger';
import { Type, type TSchema } from '@sinclair/typebox';
import {
  COMPLAINT_CATEGORIES,
  EventTransitionSchema,
  IncidentTransitionSchema,
  MaintenanceSchema,
} from '../shared/schemas.js';

const obj = (properties: Record<string, TSchema>, description?: string) =>
  Type.Object(properties, { additionalProperties: true, ...(description ? { description } : {}) });
const list = (item: TSchema) => Type.Array(item);
const str = Type.String();
const num = Type.Number();
const nullableNum = Type.Union([Type.Number(), Type.Null()]);

const ErrorBody = obj(
  { error: Type.String({ description: 'a CADRE_ERR_* code (docs/errors.md)' }), message: str },
  'cadre error',
);
const ERRORS: Record<number, string> = {
  400: 'Bad input: CADRE_ERR_BAD_REQUEST (query, params or body not what the route takes), CADRE_ERR_BAD_JSON, or a reject code',
  401: 'CADRE_ERR_UNAUTHORIZED: no, expired, forged or revoked credentials',
  403: 'CADRE_ERR_FORBIDDEN: the role or city may not do this',
  404: 'CADRE_ERR_NOT_FOUND or CADRE_ERR_UNKNOWN_EVENT',
  409: 'CADRE_ERR_CONFLICT: conflicts with the current state (`alarms` lists uncleared evidence)',
  413: 'CADRE_ERR_TOO_LARGE: body over cadre.yaml http.bodyLimit, or too many items',
  429: 'CADRE_ERR_RATE_LIMITED (with retry-after)',
  500: 'CADRE_ERR_INTERNAL: a fault of cadre, logged',
  503: 'CADRE_ERR_UNAVAILABLE: NATS or the processor did not answer in time',
};

const Event = EventTransitionSchema;
const Incident = IncidentTransitionSchema;
const Events = obj({ events: list(Event) }, 'events, newest first');
/** One entry of the notification log (notify/log.ts): a notice to one subscriber, its outcome and attempts. */
const Notice = obj(
  {
    task: str,
    kind: Type.Union([Type.Literal('event'), Type.Literal('incident')]),
    id: str,
    subscriber: str,
    channel: Type.Union([Type.Literal('webhook'), Type.Literal('sms')]),
    transition: str,
    seq: num,
    level: str,
    queuedAt: str,
    heldUntil: Type.Optional(str),
    outcome: Type.Union(
      ['queued', 'held', 'retrying', 'sent', 'failed'].map((o) => Type.Literal(o)),
      { description: 'held: waiting for the subscriber’s quiet hours to end' },
    ),
    reason: Type.Optional(str),
    sentAt: Type.Optional(str),
    attemptCount: num,
    attempts: list(obj({ at: str, result: str, retryAt: Type.Optional(str) })),
  },
  'who was told what, when, by which channel, with the outcome and the attempts',
);
const Scorecard = obj(
  { complaints: num, complaintsPer10k: nullableNum, status: obj({}), score: num, trend: nullableNum },
  'a scorecard line',
);
const Figures = obj({
  subscribers: num,
  complaints: num,
  complaintsPer10k: nullableNum,
  byCategory: obj(
    Object.fromEntries(COMPLAINT_CATEGORIES.map((c) => [c, obj({ complaints: num, per10k: nullableNum })])),
  ),
  repeatRate: nullableNum,
  deadlineCompliance: nullableNum,
  status: obj({}),
});
const IngestAnswer = obj(
  {
    accepted: Type.Integer(),
    rejected: list(obj({ index: Type.Integer(), reason: str, code: str })),
    rejectedCount: Type.Optional(Type.Integer()),
  },
  'the items stored (JetStream acknowledged) and the rejects by index',
);
const ingestBody = (what: string) => ({
  description: what,
  content: {
    'application/json': { schema: Type.Array(obj({})) },
    'application/x-ndjson': { schema: Type.String({ description: 'one message a line' }) },
  },
});
const AlertmanagerPayload = obj({
  version: Type.Literal('4'),
  alerts: list(
    obj({
      status: Type.Union([Type.Literal('firing'), Type.Literal('resolved')]),
      labels: obj({}),
      annotations: obj({}),
      startsAt: str,
      endsAt: str,
      fingerprint: str,
    }),
  ),
});

type Access = 'open' | 'reader' | 'login' | 'actor' | 'admin' | 'ingest';

interface RouteDoc {
  summary: string;
  tags: string[];
  access: Access;
  /** Status → body schema; a `{description, content}` for non-JSON answers. */
  ok: Record<number, TSchema | { description: string; content: Record<string, { schema: TSchema }> }>;
  /** The errors besides those every route of its access level can give. */
  errors?: number[];
  body?: object;
}

/** The errors of an access level: reading needs credentials (or anonymous viewing), acting a role. */
const ACCESS_ERRORS: Record<Access, number[]> = {
  open: [],
  reader: [401, 403],
  login: [401],
  actor: [401, 403, 404, 409, 503],
  admin: [401, 403],
  ingest: [400, 401, 403, 413, 503],
};

const ACTION = (summary: string): RouteDoc => ({
  summary,
  tags: ['actions'],
  access: 'actor',
  ok: { 200: obj({ event: Event }, 'the event as the processor left it') },
  errors: [400],
});

const INCIDENT_ACTION = (summary: string): RouteDoc => ({
  summary,
  tags: ['incidents'],
  access: 'actor',
  ok: { 200: obj({ incident: Incident }, 'the incident as the processor left it') },
  errors: [400],
});

/** Every route, by `METHOD url` as Fastify registers it. */
export const ROUTE_DOCS: Record<string, RouteDoc> = {
  'GET /api/openapi.json': {
    summary: 'This document',
    tags: ['meta'],
    access: 'open',
    ok: { 200: obj({ openapi: str }) },
  },
  'POST /api/login': {
    summary: 'Log in: a bearer token for the REST API and the Socket.IO handshake',
    tags: ['auth'],
    access: 'open',
    ok: { 200: obj({ token: str, role: str, cities: list(str), name: str, expiresAt: str }) },
    errors: [400, 401, 429],
  },
  'GET /api/me': {
    summary: 'Who the credential is',
    tags: ['auth'],
    access: 'login',
    ok: { 200: obj({ name: str, role: str, cities: list(str) }) },
  },
  'GET /api/events': {
    summary: 'Events, filtered (active by default)',
    tags: ['events'],
    access: 'reader',
    ok: { 200: Events },
    errors: [400],
  },
  'GET /api/events/:id': {
    summary: 'One event with every transition of its history',
    tags: ['events'],
    access: 'reader',
    ok: { 200: obj({ event: Event, history: list(Event), notifications: list(Notice) }) },
    errors: [400, 404],
  },
  'GET /api/events/:id/why': {
    summary: 'Why the event has its level and deadlines',
    tags: ['events'],
    access: 'reader',
    ok: { 200: obj({ why: obj({}) }) },
    errors: [400, 404],
  },
  'POST /api/events/:id/ack': ACTION('Acknowledge'),
  'POST /api/events/:id/assign': ACTION('Assign to a person or team'),
  'POST /api/events/:id/comment': ACTION('Comment'),
  'POST /api/events/:id/plan': ACTION('Plan the fix (a promise to the customer for a complaint)'),
  'POST /api/events/:id/resolve': {
    ...ACTION('Resolve (409 with the uncleared evidence alarms)'),
    ok: {
      200: obj({ event: Event }, 'resolved'),
      202: obj({ event: Event }, '`when: "cleared"`: resolves itself when its last evidence alarm clears'),
    },
  },
  'POST /api/events/:id/contact': ACTION('Record a contact with a complaint’s customer'),
  'POST /api/events/:id/defer': ACTION('Defer: may wait, with its reason'),
  'POST /api/events/:id/handover': ACTION(
    'Hand up from the grid’s team to the city or the province, with a reason',
  ),
  'GET /api/incidents': {
    summary: 'Incidents (one cause, many grids), active by default',
    tags: ['incidents'],
    access: 'reader',
    ok: { 200: obj({ incidents: list(Incident) }) },
    errors: [400],
  },
  'GET /api/incidents/:id': {
    summary: 'One incident with its grids’ events and its history',
    tags: ['incidents'],
    access: 'reader',
    ok: {
      200: obj({
        incident: Incident,
        events: list(Event),
        history: list(Incident),
        notifications: list(Notice),
      }),
    },
    errors: [400, 404],
  },
  'POST /api/incidents/:id/ack': INCIDENT_ACTION('Acknowledge the incident and every event in it'),
  'POST /api/incidents/:id/assign': INCIDENT_ACTION('Assign the incident and every event in it'),
  'POST /api/incidents/:id/comment': INCIDENT_ACTION('Comment on the incident and every event in it'),
  'POST /api/incidents/:id/resolve': INCIDENT_ACTION(
    'Resolve the incident and every event in it (409 with uncleared alarms)',
  ),
  'GET /api/topology': {
    summary: 'Cities and grids (no elements); ETag',
    tags: ['grids'],
    access: 'reader',
    ok: {
      200: obj({
        cities: list(obj({ id: str, name: str })),
        grids: list(obj({ id: str, name: str, city: str })),
      }),
    },
  },
  'GET /api/grids/:id': {
    summary: 'A grid: status, active events and alarms, KPI series, daily counters, recent history',
    tags: ['grids'],
    access: 'reader',
    ok: { 200: obj({ grid: obj({ id: str }), status: obj({}), events: list(Event), history: list(Event) }) },
    errors: [400, 404],
  },
  'GET /api/scorecards': {
    summary:
      'Scorecard lines of grids, or their district / city / province roll-ups, over P1D, P7D or P30D, with target status, composite score and trend',
    tags: ['evaluate'],
    access: 'reader',
    ok: { 200: obj({ period: str, level: str, from: str, to: str, scorecards: list(Scorecard) }) },
    errors: [400],
  },
  'GET /api/reports/:period': {
    summary: 'Complaint analysis report of a day, week or month (JSON, or CSV for Excel)',
    tags: ['evaluate'],
    access: 'reader',
    ok: {
      200: {
        description: 'the report (docs/reports.md)',
        content: {
          'application/json': {
            schema: obj({
              period: str,
              date: str,
              days: list(str),
              from: str,
              to: str,
              totals: Figures,
              cities: list(Figures),
              grids: list(Figures),
              worstGrids: list(Figures),
              topRepeatCustomers: list(obj({ customer: str, complaints: num })),
              topRepeatLocations: list(obj({ place: str, grid: str, complaints: num })),
              coverage: obj({ counters: Type.Boolean(), complaints: Type.Boolean() }),
            }),
          },
          'text/csv': { schema: Type.String({ description: 'UTF-8 with BOM, CRLF' }) },
        },
      },
    },
    errors: [400, 404],
  },
  'GET /api/complaints/:id/status': {
    summary: 'Where a complaint stands, for its customer',
    tags: ['complaints'],
    access: 'open',
    ok: { 200: obj({ complaint: str, status: str }) },
    // Open with the phone's last four digits; a credential presented and bad is still a 401.
    errors: [400, 401, 404, 429],
  },
  'POST /api/complaints/:id/satisfaction': {
    summary: 'The customer’s satisfaction answer after resolution',
    tags: ['complaints'],
    access: 'actor',
    ok: {
      200: obj({ event: Event }, 'the event answered about (a dissatisfied answer may reopen its grid)'),
    },
    errors: [400],
  },
  'GET /api/maintenance': {
    summary: 'Maintenance windows',
    tags: ['maintenance'],
    access: 'admin',
    ok: { 200: obj({ windows: list(MaintenanceSchema) }) },
  },
  'POST /api/maintenance': {
    summary: 'Announce a maintenance window',
    tags: ['maintenance'],
    access: 'admin',
    ok: { 202: obj({ id: str }) },
    errors: [400, 413, 503],
  },
  'GET /api/settings': {
    summary: 'What screens need: time zone, locale, KPI thresholds, assignees',
    tags: ['screens'],
    access: 'reader',
    ok: { 200: obj({ timeZone: str, locale: str }) },
  },
  'GET /api/activity': {
    summary: 'The wall’s per-minute series',
    tags: ['screens'],
    access: 'reader',
    ok: { 200: obj({ at: str, series: obj({}) }) },
  },
  'POST /api/ingest/alarms': {
    summary: 'Alarms in (JSON array or NDJSON)',
    tags: ['ingest'],
    access: 'ingest',
    ok: { 202: IngestAnswer },
    body: ingestBody('alarm messages (CONTRACT.md "Input messages")'),
  },
  'POST /api/ingest/kpis': {
    summary: 'KPI samples in (JSON array or NDJSON)',
    tags: ['ingest'],
    access: 'ingest',
    ok: { 202: IngestAnswer },
    body: ingestBody('kpi messages'),
  },
  'POST /api/ingest/complaints': {
    summary: 'Complaints in (JSON array or NDJSON)',
    tags: ['ingest'],
    access: 'ingest',
    ok: { 202: IngestAnswer },
    body: ingestBody('complaint messages'),
  },
  'POST /api/ingest/alertmanager': {
    summary: 'Alertmanager webhook receiver: each alert an alarm (docs/ingest.md)',
    tags: ['ingest'],
    access: 'ingest',
    ok: { 202: IngestAnswer },
    body: { content: { 'application/json': { schema: AlertmanagerPayload } } },
  },
  'GET /healthz': {
    summary: 'The process is up',
    tags: ['health'],
    access: 'open',
    ok: { 200: obj({ ok: Type.Boolean() }) },
  },
  'GET /readyz': {
    summary: 'NATS connected, streams there, processor caught up',
    tags: ['health'],
    access: 'open',
    ok: { 200: obj({ ok: Type.Boolean() }) },
    errors: [503],
  },
  'GET /metrics': {
    summary: 'Prometheus metrics (text exposition format)',
    tags: ['health'],
    access: 'open',
    ok: { 200: { description: 'metrics', content: { 'text/plain': { schema: str } } } },
  },
};

/**
 * An event action without an entry of its own: every action is a command through the input log with
 * the same answers and errors, so a new one is described as an action until it gets its own words.
 */
function actionDoc(method: string, url: string): RouteDoc | undefined {
  const action = method === 'POST' ? /^\/api\/events\/:id\/([a-z-]+)$/.exec(url)?.[1] : undefined;
  return action ? ACTION(`The ${action} action on the event (a command through the input log)`) : undefined;
}

/** Paths that are not the API (the UI's files and pages): left out of the document. */
const isApi = (url: string) => url.startsWith('/api/') || ['/healthz', '/readyz', '/metrics'].includes(url);

/** package.json's version: next to the package from dist/gateway/, one level up from source. */
function packageVersion(): string {
  const file = ['../../package.json', '../package.json']
    .map((p) => fileURLToPath(new URL(p, import.meta.url)))
    .find((f) => existsSync(f));
  return file ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : '0.0.0';
}

export function swaggerOptions(version = packageVersion()): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'cadre',
        version,
        description:
          'Customer-first network operations: REST API (Socket.IO `/live` is described in docs/api.md). Errors are `{error, message}`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: ({ schema, url, route }) => {
      const method = Array.isArray(route.method) ? route.method[0] : route.method;
      const doc = ROUTE_DOCS[`${method} ${url}`] ?? actionDoc(method, url);
      if (!isApi(url)) return { schema: { ...schema, hide: true }, url };
      if (!doc) return { schema, url };
      // A body over the limit is refused (413) before anything else looks at the request.
      const tooLarge = schema?.body || doc.body ? [413] : [];
      const errors = [
        ...new Set([...ACCESS_ERRORS[doc.access], ...(doc.errors ?? []), ...tooLarge, 500]),
      ].sort();
      const response: Record<number, unknown> = { ...doc.ok };
      for (const status of errors) response[status] = { ...ErrorBody, description: ERRORS[status] };
      return {
        schema: {
          ...schema,
          summary: doc.summary,
          tags: doc.tags,
          ...(doc.body ? { body: doc.body } : {}),
          // Readers may be anonymous when access.yaml anonymousViewer is on: the token is then optional.
          security:
            doc.access === 'open' ? [] : doc.access === 'reader' ? [{ bearer: [] }, {}] : [{ bearer: [] }],
          response,
        },
        url,
      };
    },
  };
}
