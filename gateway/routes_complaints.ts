/** The customer-facing status of a complaint: which event carries it, and where that event stands. */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { CadreError } from '../shared/errors.js';
import { READERS } from './auth.js';
import type { GatewayContext } from './context.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) });

export async function complaintRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/complaints/:id/status',
    { schema: { params: IdParams }, preHandler: app.requireRole(...READERS) },
    async (request) => {
      const event = ctx.model.eventOfComplaint(request.params.id);
      if (!event) throw new CadreError('CADRE_ERR_NOT_FOUND', `No complaint ${request.params.id} is known`);
      const ended = event.state === 'resolved' || event.state === 'cleared';
      return {
        complaint: request.params.id,
        grid: event.grid,
        event: event.id,
        state: event.state,
        level: event.level,
        openedAt: event.openedAt,
        ackDeadline: event.ackDeadline,
        deadline: event.deadline,
        // The customer's question is "has someone taken it up": any state past `open` says yes.
        acknowledged: event.state !== 'open',
        ...(ended ? { resolvedAt: event.at } : {}),
        ...(event.plan ? { plan: event.plan } : {}),
      };
    },
  );
}
