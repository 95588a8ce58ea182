/**
 * A complaint as its customer sees it (CONTRACT.md "Deal"): the status page's answer, which needs no
 * login but the last four digits of the customer's phone and says nothing else; and the customer's
 * satisfaction answer (the SMS gateway's reply callback, or a dispatcher), which may reopen it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { CadreError } from '../shared/errors.js';
import type { EventDoc } from '../shared/views.js';
import type { WorkOrder } from '../shared/schemas.js';
import { bearerToken } from '../config/api_keys.js';
import type { GatewayContext } from './context.js';
import { canRead } from './principal.js';
import { act } from './routes_events.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) });
const StatusQuery = Type.Object({ phone4: Type.Optional(Type.String({ pattern: '^[0-9]{4}$' })) });
const SatisfactionBody = Type.Object({
  satisfied: Type.Boolean(),
  note: Type.Optional(Type.String({ maxLength: 4000 })),
});

export type CustomerStatus = 'received' | 'in-progress' | 'planned' | 'resolved';

export async function complaintRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const { rules, cadre } = ctx.config;
  const local = new Intl.DateTimeFormat('zh-CN', {
    timeZone: cadre.timeZone,
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof StatusQuery> }>(
    '/api/complaints/:id/status',
    {
      schema: { params: IdParams, querystring: StatusQuery },
      // Per client address: four digits are guessed in 10,000 tries, not in a minute.
      config: { rateLimit: { max: rules.deal.statusRateLimit, timeWindow: 60_000 } },
    },
    async (request) => {
      const id = request.params.id;
      const found = findOrder(ctx, id);
      const reader = isReader(app, request);
      // A wrong or missing phone4 reads exactly like an unknown complaint: nothing to learn from it.
      if (!found || (!reader && (!request.query.phone4 || found.order.phone4 !== request.query.phone4)))
        throw new CadreError('CADRE_ERR_NOT_FOUND', `No complaint ${id} is known`);
      const { event, order } = found;
      const status = statusOf(event, order);
      const plannedAt = order.promise?.at;
      return {
        complaint: id,
        status,
        ...(plannedAt ? { plannedAt } : {}),
        updatedAt: event.at,
        text: textOf(status, plannedAt && local.format(new Date(plannedAt))),
      };
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof SatisfactionBody> }>(
    '/api/complaints/:id/satisfaction',
    {
      schema: { params: IdParams, body: SatisfactionBody },
      preHandler: app.requireRole('ingest', 'dispatcher', 'admin'),
    },
    async (request) => {
      const found = findOrder(ctx, request.params.id);
      if (!found) throw new CadreError('CADRE_ERR_NOT_FOUND', `No complaint ${request.params.id} is known`);
      const { satisfied, note } = request.body;
      const event = await act(ctx, request, found.event, 'satisfaction', {
        complaint: request.params.id,
        satisfied,
        ...(note ? { text: note } : {}),
      });
      return { event };
    },
  );
}

/** The newest event holding the complaint's work order. */
function findOrder(
  ctx: GatewayContext,
  complaint: string,
): { event: EventDoc; order: WorkOrder } | undefined {
  const event = ctx.model.eventOfComplaint(complaint);
  const order = event?.workOrders?.find((o) => o.complaint === complaint);
  return event && order ? { event, order } : undefined;
}

function isReader(app: FastifyInstance, request: FastifyRequest): boolean {
  const credential = bearerToken(request.headers.authorization);
  if (!credential) return false;
  const found = app.authenticator.resolve(credential, true);
  return found.ok && !found.principal.anonymous && canRead(found.principal);
}

export function statusOf(event: EventDoc, order: WorkOrder): CustomerStatus {
  if (event.state === 'resolved' || event.state === 'cleared') return 'resolved';
  if (order.promise) return 'planned';
  if (order.contactedAt || event.state === 'acknowledged') return 'in-progress';
  return 'received';
}

/** Plain Chinese, as the customer is spoken to (受理 / 处理中 / 已预约 / 已解决). */
function textOf(status: CustomerStatus, plannedAt: string | undefined): string {
  switch (status) {
    case 'received':
      return '您的投诉已受理，我们会尽快与您联系。';
    case 'in-progress':
      return '您的投诉正在处理中。';
    case 'planned':
      return `您的问题已预约在 ${plannedAt ?? ''} 前解决。`;
    case 'resolved':
      return '您的问题已解决。如仍有问题，请回复短信告诉我们。';
  }
}
