/**
 * Incidents (CONTRACT.md "Incidents"): lists, one incident with its events and history, and the
 * actions a desk takes on all of its grids at once — one command through the input log, which the
 * processor applies to the incident and to every event in it (each event's history records it).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { CadreError, ERRORS, type ErrorCode } from '../shared/errors.js';
import type { Command, IncidentTransition } from '../shared/schemas.js';
import { subjects } from '../shared/subjects.js';
import { formatTime } from '../shared/time.js';
import { READERS } from './auth.js';
import { sendCommand } from './commands.js';
import type { GatewayContext } from './context.js';
import { readTransitions } from './history.js';
import { notificationsOf } from './notifications.js';
import { canActOn } from './principal.js';

const ListQuery = Type.Object({
  state: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('all')])),
  city: Type.Optional(Type.String()),
});
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) });

/** The actions an incident takes, and how their body becomes the command's fields. */
const ACTIONS = {
  ack: { body: Type.Object({}), fields: () => ({}) },
  assign: {
    body: Type.Object({ to: Type.String({ minLength: 1, maxLength: 256 }) }),
    fields: (b: { to: string }) => ({ to: b.to }),
  },
  comment: {
    body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 4000 }) }),
    fields: (b: { text: string }) => ({ text: b.text }),
  },
  resolve: {
    body: Type.Object({ note: Type.Optional(Type.String({ maxLength: 4000 })) }),
    fields: (b: { note?: string }) => (b.note ? { text: b.note } : {}),
  },
} as const;
type IncidentAction = keyof typeof ACTIONS;

const isActive = (i: IncidentTransition) => i.state === 'open' || i.state === 'acknowledged';

export async function incidentRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const { model } = ctx;

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/incidents',
    { schema: { querystring: ListQuery }, preHandler: app.requireRole(...READERS) },
    async (request) => {
      const { state, city } = request.query;
      const incidents = model
        .allIncidents()
        .filter((i) => (state === 'all' || isActive(i)) && (!city || i.city === city));
      return { incidents };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/incidents/:id',
    { schema: { params: IdParams }, preHandler: app.requireRole(...READERS) },
    async (request) => {
      const incident = known(ctx, request.params.id);
      const events = incident.events.map((id) => model.event(id)).filter((e) => e !== undefined);
      const [history, notifications] = await Promise.all([
        readTransitions<IncidentTransition>(ctx.js, incident, subjects.incident(incident.city)),
        notificationsOf(ctx.js, [incident.id], (err) =>
          request.log.warn({ err }, 'notification log unreadable'),
        ),
      ]);
      return { incident, events, history, notifications };
    },
  );

  for (const [action, spec] of Object.entries(ACTIONS) as [
    IncidentAction,
    (typeof ACTIONS)[IncidentAction],
  ][]) {
    app.post<{ Params: Static<typeof IdParams>; Body: Record<string, string> }>(
      `/api/incidents/:id/${action}`,
      { schema: { params: IdParams, body: spec.body }, preHandler: app.requireRole('dispatcher', 'admin') },
      async (request) => {
        const incident = known(ctx, request.params.id);
        const who = request.principal;
        if (!canActOn(who, incident.city))
          throw new CadreError(
            'CADRE_ERR_FORBIDDEN',
            `${who.name} may not act on incidents of ${incident.city}`,
          );
        if (!isActive(incident))
          throw new CadreError('CADRE_ERR_CONFLICT', `Incident ${incident.id} is ${incident.state}`, {
            alarms: [],
          });
        const command: Command = {
          type: 'command',
          id: randomUUID(),
          action,
          event: incident.id,
          by: who.name,
          time: formatTime(ctx.now()),
          ...(spec.fields as (b: Record<string, string>) => Partial<Command>)(request.body ?? {}),
        };
        const audit = { by: who.name, role: who.role, action, incident: incident.id, command: command.id };
        const reply = await sendCommand(
          ctx.nc,
          ctx.js,
          command,
          incident.city,
          ctx.commandTimeoutMs,
          ctx.commandKeys,
        );
        if (!reply.ok) {
          request.log.info({ audit: { ...audit, outcome: reply.code } }, 'incident action refused');
          const code: ErrorCode = reply.code in ERRORS ? (reply.code as ErrorCode) : 'CADRE_ERR_CONFLICT';
          throw new CadreError(code, reply.message, reply.alarms ? { alarms: reply.alarms } : undefined);
        }
        if (!('incident' in reply))
          throw new CadreError('CADRE_ERR_UNAVAILABLE', `${incident.id} was answered as an event`);
        model.applyIncident(reply.incident);
        request.log.info(
          { audit: { ...audit, outcome: 'applied', seq: reply.incident.seq } },
          'incident action',
        );
        return { incident: model.incident(incident.id) ?? reply.incident };
      },
    );
  }
}

function known(ctx: GatewayContext, id: string): IncidentTransition {
  const incident = ctx.model.incident(id);
  if (!incident) throw new CadreError('CADRE_ERR_NOT_FOUND', `No incident ${id}`);
  return incident;
}
