/**
 * `cadre processor` on its own port: /healthz, /readyz (the partitions it owns, what it waits for)
 * and /metrics (processed, events, rejects on the NATS path, lag per partition), so a processor
 * host is observable without a gateway beside it.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Ownership } from '../processor/ownership.js';
import { registry } from '../shared/metrics.js';
import { waitingFor } from '../broker/broker_waits.js';
import { beforeRouting, httpBasics } from '../gateway/http_basics.js';
import type { CadreSettings } from '../config/cadre.js';

const PROBE_TIMEOUT_MS = 1000;

export async function processorHttp(
  nc: NatsConnection,
  http: CadreSettings['http'],
  ownership: () => Ownership | undefined,
): Promise<FastifyInstance> {
  const app = Fastify({ logger: { level: 'warn' }, ...beforeRouting(http) });
  await httpBasics(app, http);
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_request, reply) => {
    const running = ownership();
    const nats = !nc.isClosed() && (await answers(nc));
    const waiting = [...waitingFor(), ...(running ? [running.waiting()].filter(Boolean) : ['not started'])];
    const partitions = Object.fromEntries(
      [...(running?.processors() ?? [])].map(([p, processor]) => [p, processor.stats()]),
    );
    // Owning nothing is ready too: a standby that takes over when an owner dies.
    const ok = nats && waiting.length === 0;
    return reply.code(ok ? 200 : 503).send({
      ok,
      nats,
      detail: { owned: running?.owned() ?? [], waiting, partitions },
    });
  });
  app.get('/metrics', async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
  return app;
}

function answers(nc: NatsConnection): Promise<boolean> {
  return Promise.race([
    nc.flush().then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), PROBE_TIMEOUT_MS).unref()),
  ]);
}
