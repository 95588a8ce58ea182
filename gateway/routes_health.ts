/**
 * Liveness, readiness and metrics. /readyz is ready when NATS answers, the streams exist, the read
 * model is loaded and the processor reports itself caught up (pending and lag within bounds).
 */
import type { FastifyInstance } from 'fastify';
import { STREAMS } from '../shared/subjects.js';
import type { GatewayContext } from './context.js';
import { registry as metricsRegistry } from '../shared/metrics.js';
import { waitingFor } from '../broker/broker_waits.js';

const PROBE_TIMEOUT_MS = 1000;

export async function healthRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  app.get('/healthz', async () => ({ ok: true }));

  app.get('/readyz', async (_request, reply) => {
    const nats = await natsAnswers(ctx);
    const missing = nats ? await missingStreams(ctx) : Object.values(STREAMS).map((s) => s.name);
    const view = ctx.model.processorView();
    const processor =
      ctx.model.loaded &&
      view.partitions > 0 &&
      view.pending <= ctx.ready.maxPending &&
      view.lagSeconds <= ctx.ready.maxLagSeconds;
    // What this process waits out on the broker (a cluster electing, a node lost): not ready meanwhile.
    const waiting = waitingFor();
    const ok = nats && missing.length === 0 && processor && waiting.length === 0;
    return reply.code(ok ? 200 : 503).send({
      ok,
      nats,
      streams: missing.length === 0,
      processor,
      detail: {
        missingStreams: missing,
        partitions: view.partitions,
        pending: view.pending,
        lagSeconds: view.lagSeconds,
        waiting,
      },
    });
  });

  app.get('/metrics', async (_request, reply) => {
    return reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });
}

async function natsAnswers(ctx: GatewayContext): Promise<boolean> {
  if (ctx.nc.isClosed()) return false;
  return withTimeout(ctx.nc.flush().then(() => true));
}

async function missingStreams(ctx: GatewayContext): Promise<string[]> {
  const names = Object.values(STREAMS).map((s) => s.name);
  const present = await Promise.all(
    names.map((name) => withTimeout(ctx.jsm.streams.info(name).then(() => true))),
  );
  return names.filter((_, i) => !present[i]);
}

function withTimeout(probe: Promise<boolean>): Promise<boolean> {
  return Promise.race([
    probe.catch(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), PROBE_TIMEOUT_MS).unref()),
  ]);
}
