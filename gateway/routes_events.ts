/**
 * Events: lists, one event with its history, and the dispatcher actions. An action is a `command`
 * input (gateway/commands.ts); the answer is the event as the processor left it.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { CadreError, ERRORS, type ErrorCode } from '../shared/errors.js';
import { LEVELS } from '../shared/levels.js';
import { RULES, type Action, type Command } from '../shared/schemas.js';
import { formatTime } from '../shared/time.js';
import type { EventDoc } from '../shared/views.js';
import { READERS } from './auth.js';
import { sendCommand } from './commands.js';
import type { GatewayContext } from './context.js';
import { readHistory } from './history.js';
import { canActOn } from './principal.js';
import { isActive } from './state.js';
import { uiRoutes } from './routes_ui.js';

const ListQuery = Type.Object({
  state: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('all')])),
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

/** The body of each action, and how it becomes the command's fields. */
const ACTION_BODIES = {
  ack: { body: Type.Object({}), fields: () => ({}) },
  assign: {
    body: Type.Object({ to: Type.String({ minLength: 1, maxLength: 256 }) }),
    fields: (b: { to: string }) => ({ to: b.to }),
  },
  comment: {
    body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 4000 }) }),
    fields: (b: { text: string }) => ({ text: b.text }),
  },
  plan: {
    body: Type.Object({ at: IsoTime, scenario: Type.String({ minLength: 1, maxLength: 1000 }) }),
    fields: (b: { at: string; scenario: string }) => ({ plan: { at: b.at, scenario: b.scenario } }),
  },
  resolve: {
    body: Type.Object({ note: Type.Optional(Type.String({ maxLength: 4000 })) }),
    fields: (b: { note?: string }) => (b.note ? { text: b.note } : {}),
  },
} as const;

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
        q.state === 'all' ? [...model.activeEvents(), ...model.endedEvents()] : [...model.activeEvents()];
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
      return { event, history: await readHistory(ctx.js, event) };
    },
  );

  for (const [action, spec] of Object.entries(ACTION_BODIES) as [Action, (typeof ACTION_BODIES)[Action]][]) {
    app.post<{ Params: Static<typeof IdParams>; Body: Record<string, string> }>(
      `/api/events/:id/${action}`,
      { schema: { params: IdParams, body: spec.body }, preHandler: app.requireRole('dispatcher', 'admin') },
      async (request) => {
        const fields = (spec.fields as (b: Record<string, string>) => Partial<Command>)(request.body ?? {});
        return { event: await act(ctx, request, action, fields) };
      },
    );
  }
}

async function act(
  ctx: GatewayContext,
  request: FastifyRequest<{ Params: { id: string } }>,
  action: Action,
  fields: Partial<Command>,
): Promise<EventDoc> {
  const event = knownEvent(ctx, request.params.id);
  const who = request.principal;
  if (!canActOn(who, event.city))
    throw new CadreError('CADRE_ERR_FORBIDDEN', `${who.name} may not act on events of ${event.city}`);
  const command: Command = {
    type: 'command',
    id: randomUUID(),
    action,
    event: event.id,
    by: who.name,
    time: formatTime(ctx.now()),
    ...fields,
  };
  const audit = { by: who.name, role: who.role, action, event: event.id, command: command.id };
  if (!isActive(event)) {
    request.log.info({ audit: { ...audit, outcome: 'conflict' } }, 'event action refused: event has ended');
    throw new CadreError('CADRE_ERR_CONFLICT', `Event ${event.id} has ended (${event.state})`, {
      alarms: [],
    });
  }
  const reply = await sendCommand(ctx.nc, ctx.js, command, event.city, ctx.commandTimeoutMs).catch(
    (err: unknown) => {
      request.log.info({ audit: { ...audit, outcome: 'unanswered' } }, 'event action not answered');
      throw err;
    },
  );
  if (!reply.ok) {
    request.log.info({ audit: { ...audit, outcome: reply.code } }, 'event action refused by the processor');
    const code: ErrorCode = reply.code in ERRORS ? (reply.code as ErrorCode) : 'CADRE_ERR_CONFLICT';
    throw new CadreError(code, reply.message, reply.alarms ? { alarms: reply.alarms } : undefined);
  }
  ctx.model.applyEvent(reply.event);
  request.log.info({ audit: { ...audit, outcome: 'applied', seq: reply.event.seq } }, 'event action');
  return ctx.model.event(event.id) ?? reply.event;
}

function knownEvent(ctx: GatewayContext, id: string): EventDoc {
  const event = ctx.model.event(id);
  if (!event) throw new CadreError('CADRE_ERR_UNKNOWN_EVENT', `No event ${id}`);
  return event;
}

function newestFirst(a: EventDoc, b: EventDoc): number {
  return a.at < b.at ? 1 : a.at > b.at ? -1 : 0;
}
