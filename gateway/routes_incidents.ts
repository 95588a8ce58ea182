/**
 * Incidents (CONTRACT.md "Incidents"): lists, one incident with its events and history, and the
 * actions a desk takes on all of its grids at once — one command through the input log, which the
 * processor applies to the incident and to every event in it (each event's history records it).
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { CadreError } from '../shared/errors.js';
import type { Command, IncidentTransition } from '../shared/schemas.js';
import { COMMON_ACTIONS, Note, sendAction } from './actions.js';
import { READERS } from './auth.js';
import type { GatewayContext } from './context.js';
import { readIncidentHistory } from './history.js';
import { notificationsOf } from './notifications.js';

const ListQuery = Type.Object({
  state: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('all')])),
  city: Type.Optional(Type.String()),
});
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) });

/** The actions an incident takes, and how their body becomes the command's fields. */
const ACTIONS = {
  ...COMMON_ACTIONS,
  resolve: {
    body: Type.Object({ note: Note }),
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
        readIncidentHistory(ctx.js, incident, request.log),
        notificationsOf(
          ctx.js,
          [incident.id],
          (err) => request.log.warn({ err }, 'notification log unreadable'),
          request.log,
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
        const ended = isActive(incident) ? undefined : `Incident ${incident.id} is ${incident.state}`;
        const fields = (spec.fields as (b: Record<string, string>) => Partial<Command>)(request.body ?? {});
        const answer = await sendAction(
          ctx,
          request,
          { kind: 'incident', id: incident.id, city: incident.city, ended },
          action,
          fields,
        );
        model.applyIncident(answer);
        return { incident: model.incident(incident.id) ?? answer };
      },
    );
  }
}

function known(ctx: GatewayContext, id: string): IncidentTransition {
  const incident = ctx.model.incident(id);
  if (!incident) throw new CadreError('CADRE_ERR_NOT_FOUND', `No incident ${id}`);
  return incident;
}
