/**
 * Events: lists, one event with its history, and the dispatcher actions. An action is a `command`
 * input (gateway/commands.ts); the answer is the event as the processor left it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Role } from '../config/access.js';
import { Type, type Static } from '@sinclair/typebox';
import { CadreError } from '../shared/errors.js';
import { LEVELS } from '../shared/levels.js';
import {
  CONTACT_CHANNELS,
  CONTACT_OUTCOMES,
  DEFER_REASONS,
  OWNERS,
  RULES,
  type Action,
  type Command,
} from '../shared/schemas.js';
import type { EventDoc } from '../shared/views.js';
import { COMMON_ACTIONS, Note, sendAction } from './actions.js';
import { READERS } from './auth.js';
import type { GatewayContext } from './context.js';
import { readHistory } from './history.js';
import { notificationsOf } from './notifications.js';
import { isActive } from './state.js';
import { uiRoutes } from './routes_ui.js';

const ListQuery = Type.Object({
  // deferred (Deal): events that may wait, off the active list until new evidence brings them back.
  state: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('all'), Type.Literal('deferred')])),
  city: Type.Optional(Type.String()),
  grid: Type.Optional(Type.String()),
  level: Type.Optional(Type.Union(LEVELS.map((l) => Type.Literal(l)))),
  rule: Type.Optional(Type.Union(RULES.map((r) => Type.Literal(r)))),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
});
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) });
const IsoTime = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:?\\d{2})$',
});

const Reason = Type.String({ minLength: 1, maxLength: 4000 });

/** The body of each event action, and how it becomes the command's fields. */
const ACTION_BODIES = {
  ...COMMON_ACTIONS,
  // Deal: the first plan of a complaint is its promise; moving one needs a reason (the core says 400).
  plan: {
    body: Type.Object({
      at: IsoTime,
      scenario: Type.String({ minLength: 1, maxLength: 1000 }),
      complaint: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
      reason: Type.Optional(Reason),
    }),
    fields: (b: { at: string; scenario: string; complaint?: string; reason?: string }) => ({
      plan: { at: b.at, scenario: b.scenario },
      ...(b.complaint ? { complaint: b.complaint } : {}),
      ...(b.reason ? { reason: b.reason } : {}),
    }),
  },
  resolve: {
    body: Type.Object({
      note: Note,
      when: Type.Optional(Type.Literal('cleared')),
      unrelated: Type.Optional(
        Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 500 }),
      ),
      reason: Type.Optional(Reason),
    }),
    fields: (b: { note?: string; when?: 'cleared'; unrelated?: string[]; reason?: string }) => ({
      ...(b.note ? { text: b.note } : {}),
      ...(b.when ? { when: b.when } : {}),
      ...(b.unrelated ? { unrelated: b.unrelated } : {}),
      ...(b.reason ? { reason: b.reason } : {}),
    }),
  },
  contact: {
    body: Type.Object({
      complaint: Type.String({ minLength: 1, maxLength: 256 }),
      channel: Type.Union(CONTACT_CHANNELS.map((c) => Type.Literal(c))),
      outcome: Type.Union(CONTACT_OUTCOMES.map((o) => Type.Literal(o))),
      note: Note,
    }),
    fields: (b: { complaint: string; channel: string; outcome: string; note?: string }) =>
      ({
        complaint: b.complaint,
        channel: b.channel,
        outcome: b.outcome,
        ...(b.note ? { text: b.note } : {}),
      }) as Partial<Command>,
  },
  // Grid first, then up: the event goes to the city's or the province's desk, with a reason.
  handover: {
    body: Type.Object({ owner: Type.Union(OWNERS.map((o) => Type.Literal(o))), reason: Reason }),
    fields: (b: { owner: string; reason: string }) =>
      ({ owner: b.owner, reason: b.reason }) as Partial<Command>,
  },
  defer: {
    body: Type.Object({ reason: Type.Union(DEFER_REASONS.map((r) => Type.Literal(r))), note: Note }),
    fields: (b: { reason: string; note?: string }) => ({
      reason: b.reason,
      ...(b.note ? { text: b.note } : {}),
    }),
  },
} as const;
type EventAction = keyof typeof ACTION_BODIES;

export async function eventRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const { model } = ctx;
  // The screens' own routes (settings, activity, an event's "why") live beside the events'.
  await uiRoutes(app, ctx);

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/events',
    { schema: { querystring: ListQuery }, preHandler: app.requireRole(...READERS) },
    async (request) => {
      const q = request.query;
      const pool =
        q.state === 'all'
          ? [...model.activeEvents(), ...model.deferredEvents(), ...model.endedEvents()]
          : q.state === 'deferred'
            ? [...model.deferredEvents()]
            : [...model.activeEvents()];
      const events = pool
        .filter(
          (e) =>
            (!q.city || e.city === q.city) &&
            (!q.grid || e.grid === q.grid) &&
            (!q.level || e.level === q.level) &&
            (!q.rule || e.rule === q.rule),
        )
        .sort(newestFirst)
        .slice(0, q.limit ?? 1000);
      return { events };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/events/:id',
    { schema: { params: IdParams }, preHandler: app.requireRole(...READERS) },
    async (request) => {
      const event = knownEvent(ctx, request.params.id);
      const [history, notifications] = await Promise.all([
        readHistory(ctx.js, event, request.log),
        notificationsOf(
          ctx.js,
          [event.id, event.incident],
          (err) => request.log.warn({ err }, 'notification log unreadable'),
          request.log,
        ),
      ]);
      return { event, history, notifications };
    },
  );

  const unrelatedRoles: readonly Role[] = ctx.config.access.unrelatedResolve;
  for (const [action, spec] of Object.entries(ACTION_BODIES) as [
    EventAction,
    (typeof ACTION_BODIES)[EventAction],
  ][]) {
    app.post<{ Params: Static<typeof IdParams>; Body: Record<string, unknown> }>(
      `/api/events/:id/${action}`,
      { schema: { params: IdParams, body: spec.body }, preHandler: app.requireRole('dispatcher', 'admin') },
      async (request, reply) => {
        const fields = (spec.fields as (b: Record<string, unknown>) => Partial<Command>)(request.body ?? {});
        if (fields.unrelated && !unrelatedRoles.includes(request.principal.role))
          throw new CadreError(
            'CADRE_ERR_FORBIDDEN',
            `Role ${request.principal.role} may not judge evidence alarms unrelated (access.yaml unrelatedResolve)`,
          );
        const event = await act(ctx, request, knownEvent(ctx, request.params.id), action, fields);
        // Accepted, not done: the event resolves itself when its last evidence alarm clears.
        if (event.resolvePending) reply.code(202);
        return { event };
      },
    );
  }
}

/** Sends one action on `event` as a command through the input log; the event as the processor left it. */
export async function act(
  ctx: GatewayContext,
  request: FastifyRequest,
  event: EventDoc,
  action: Action,
  fields: Partial<Command>,
): Promise<EventDoc> {
  // A deferred event is still the dispatcher's; the customer's answer comes after the end.
  const ended =
    !isActive(event) && event.state !== 'deferred' && action !== 'satisfaction'
      ? `Event ${event.id} has ended (${event.state})`
      : undefined;
  const answer = await sendAction(
    ctx,
    request,
    { kind: 'event', id: event.id, city: event.city, ended },
    action,
    fields,
  );
  ctx.model.applyEvent(answer);
  return ctx.model.event(event.id) ?? answer;
}

function knownEvent(ctx: GatewayContext, id: string): EventDoc {
  const event = ctx.model.event(id);
  if (!event) throw new CadreError('CADRE_ERR_UNKNOWN_EVENT', `No event ${id}`);
  return event;
}

function newestFirst(a: EventDoc, b: EventDoc): number {
  return a.at < b.at ? 1 : a.at > b.at ? -1 : 0;
}
