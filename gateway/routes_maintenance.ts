/**
 * Maintenance windows (admin): POST validates through the ingest gate and publishes the window into
 * CADRE_IN (`cadre.in.maintenance.<city>`, deduplicated by id); GET lists the windows seen there.
 */
import type { FastifyInstance } from 'fastify';
import { normalize } from '../contract/normalize.js';
import { CadreError } from '../shared/errors.js';
import { messageId, subjects } from '../shared/subjects.js';
import { signInput } from '../shared/command_signature.js';
import type { Maintenance } from '../shared/schemas.js';
import type { GatewayContext } from './context.js';

export async function maintenanceRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const { topology } = ctx.config;

  app.get('/api/maintenance', { preHandler: app.requireRole('admin') }, async () => ({
    windows: ctx.model.maintenanceWindows().sort((a, b) => (a.start < b.start ? 1 : -1)),
  }));

  app.post<{ Body: unknown }>(
    '/api/maintenance',
    { preHandler: app.requireRole('admin') },
    async (request, reply) => {
      const normalized = normalize(request.body, 'maintenance', topology);
      if (!normalized.ok) throw new CadreError(normalized.reject.code, normalized.reject.reason);
      if (normalized.input.type !== 'maintenance')
        throw new CadreError('CADRE_ERR_SCHEMA', 'not a maintenance window');
      const msg: Maintenance = normalized.input.msg;
      // normalize() has checked every grid and element is known and that there is one at least.
      const [element] = msg.elements ?? [];
      const firstGrid =
        msg.grids?.[0] ?? (element === undefined ? undefined : topology.element(element)?.grid);
      const city = firstGrid === undefined ? undefined : topology.grid(firstGrid)?.city;
      if (city === undefined)
        throw new CadreError('CADRE_ERR_SCHEMA', 'a maintenance window needs grids or elements');
      try {
        // Signed like commands: the processor applies no window a gateway did not post.
        const body = ctx.commandKeys ? signInput('maintenance', msg, ctx.commandKeys) : msg;
        await ctx.js.publish(subjects.input('maintenance', city), JSON.stringify(body), {
          msgID: messageId('maintenance', msg),
        });
      } catch (err) {
        throw new CadreError(
          'CADRE_ERR_UNAVAILABLE',
          `The input log did not take the window: ${(err as Error).message}`,
        );
      }
      request.log.info(
        {
          audit: {
            by: request.principal.name,
            action: 'maintenance',
            id: msg.id,
            city,
            start: msg.start,
            end: msg.end,
          },
        },
        'maintenance window',
      );
      return reply.code(202).send({ id: msg.id });
    },
  );
}
