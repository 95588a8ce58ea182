/**
 * The one place the roles are wired into a process (`cadre start` runs them all; `cadre ingest|
 * processor|gateway` one each). Everything here is IO: connect, ensure streams, start, stop.
 */
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import Fastify from 'fastify';
import type { Config } from '../config/load.js';
import type { Env } from '../config/env.js';
import { ensureStreams } from '../broker/streams.js';
import { ingestHttp } from '../ingest/http.js';
import { startOwnership, type Ownership } from '../processor/ownership.js';
import { createGateway, type Gateway } from '../gateway/server.js';
import { beforeRouting, httpBasics } from '../gateway/http_basics.js';
import { startNotifier } from '../notify/notifier.js';
import { bearerToken } from '../config/api_keys.js';
import type { Simulation } from '../sim/simulate.js';
import { startDemo } from './demo.js';
import { enableProcessMetrics, registry } from '../shared/metrics.js';
import { ensureDemoUsers, type DemoCredentials } from './demo_users.js';
import { resolveNats } from './nats.js';
import { untilDone } from '../broker/broker_waits.js';
import { processorHttp } from './processor_http.js';
import { natsAuth, type NatsRole } from '../broker/nats_auth.js';
import { watchJetStream } from '../broker/js_watch.js';
import { resolveCommandKey } from '../shared/command_signature.js';

export type Role = 'ingest' | 'processor' | 'gateway';

export interface AppOptions {
  env: Env;
  config: Config;
  roles: ReadonlySet<Role>;
  /** Run the simulated province and create the demo users. */
  demo?: { rate?: number; seed?: number };
  /** Processor partition (a city id). */
  partition?: string;
  /** Processor: publish wall-clock ticks (default true). */
  ticks?: boolean;
  /** Only `start` may launch an embedded nats-server. */
  embedNats?: boolean;
  log?: (line: string) => void;
}

export interface RunningApp {
  natsUrl: string;
  url?: string;
  credentials?: DemoCredentials;
  /** The processor role: the partitions this instance owns and their processors. */
  processor?: Ownership;
  gateway?: Gateway;
  simulation?: Simulation;
  stop(): Promise<void>;
}

/** The built UI: next to the package from dist/app/app.js, one level up when run from source (tsx, tests). */
const UI_DIR = ['../../ui/dist', '../ui/dist']
  .map((p) => fileURLToPath(new URL(p, import.meta.url)))
  .find((dir) => existsSync(dir));

export async function startApp(given: AppOptions): Promise<RunningApp> {
  const { env, roles } = given;
  // Every role of a process signs (gateway) or verifies (processor) commands with one key.
  const commandKey = resolveCommandKey(env.commandKey, given.config.cadre.commands.key, env.dataDir, true);
  const config = {
    ...given.config,
    cadre: { ...given.config.cadre, commands: { ...given.config.cadre.commands, key: commandKey } },
  };
  const options = { ...given, config };
  const log = options.log ?? ((line: string) => console.log(line));
  // CPU, memory, event-loop lag of this process beside cadre's own figures on /metrics.
  enableProcessMetrics();
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err: Error) => log(`while stopping: ${err.message}`));
  };
  try {
    const nats = options.embedNats
      ? await resolveNats(env, log)
      : { url: env.natsUrl ?? 'nats://127.0.0.1:4222', embedded: undefined };
    const { embedded } = nats;
    if (embedded) stops.push(() => embedded.stop());
    // One connection per role, each as its own NATS user (broker/nats_auth.ts): in one process too,
    // so that the broker's permissions hold for every role however they are deployed.
    const conns = new Map<NatsRole, Promise<NatsConnection>>();
    const connectAs = (role: NatsRole): Promise<NatsConnection> => {
      let nc = conns.get(role);
      if (!nc) {
        nc = connect({
          // NATS_URL may list several servers of a cluster (comma-separated): any one will do.
          servers: nats.url.split(','),
          name: `cadre-${role}`,
          ...natsAuth(role),
          maxReconnectAttempts: -1,
          // A cluster still coming up is waited for, not a reason to exit.
          waitOnFirstConnect: true,
          // No stack trace captured in advance for every request: it cost ~2% of the processor's time.
          noAsyncTraces: true,
        });
        conns.set(role, nc);
        void nc.then(
          (c) => watchJetStream(c, { servers: nats.url.split(','), log: (m) => log(`nats (${role}): ${m}`) }),
          () => undefined,
        );
        const opened = nc;
        stops.push(async () => (await opened).drain());
      }
      return nc;
    };
    // Streams and buckets are created and reconciled by the processor (its user may); the other roles
    // wait until they exist (broker/streams.ts `check`).
    const managing: NatsRole = roles.has('processor')
      ? 'processor'
      : roles.has('gateway')
        ? 'gateway'
        : 'ingest';
    const nc = await connectAs(managing);
    const app: RunningApp = { natsUrl: nats.url, stop };
    if (roles.has('processor') && !roles.has('gateway')) {
      // Up before anything waits on the broker: /readyz says what the role is waiting for.
      const http = await processorHttp(nc, config.cadre.http, () => app.processor);
      stops.push(() => http.close());
      app.url = await http.listen({ port: env.port, host: env.host });
    }
    // Without cadre users (a server without auth) every role may create them, as before.
    const manage = managing === 'processor' || !('user' in natsAuth(managing));
    await untilDone('streams', () => ensureStreams(nc, config, manage ? 'manage' : 'check'), log);

    if (roles.has('gateway')) {
      // Before the processor: a first start's notifier consumer must exist before the first transition.
      const notifier = await untilDone(
        'notifier',
        async () =>
          startNotifier({ nc: await connectAs('notifier'), config, log: (m) => log(`notify: ${m}`) }),
        log,
      );
      stops.push(() => notifier.stop());
    }
    if (roles.has('processor')) {
      const processor = await untilDone(
        'leases',
        () =>
          startOwnership({
            nc,
            natsUrl: nats.url,
            config,
            partition: options.partition,
            ticks: options.ticks,
            log: (m) => log(`processor: ${m}`),
          }),
        log,
      );
      app.processor = processor;
      stops.push(() => processor.stop());
    }
    if (options.demo) app.credentials = await ensureDemoUsers(env.dataDir, [config.topology.cities[0].id]);
    if (roles.has('gateway')) {
      const ingestNc = roles.has('ingest') ? await connectAs('ingest') : undefined;
      const gatewayNc = await connectAs('gateway');
      const gateway = await untilDone(
        'gateway',
        () => gatewayRole(gatewayNc, ingestNc, options, app.credentials),
        log,
      );
      app.gateway = gateway;
      stops.push(() => gateway.close());
      app.url = await gateway.start(env.port, env.host);
    } else if (roles.has('ingest')) {
      const ingest = await ingestRole(await connectAs('ingest'), config);
      stops.push(() => ingest.close());
      app.url = await ingest.listen({ port: env.port, host: env.host });
    }
    if (options.demo) {
      const simulation = startDemo(await connectAs('producer'), config.topology, options.demo);
      app.simulation = simulation;
      stops.push(() => simulation.stop());
    }
    return app;
  } catch (err) {
    await stop();
    throw err;
  }
}

/** REST, Socket.IO and the UI — with the ingest endpoints on the same port when ingest runs here too. */
async function gatewayRole(
  nc: NatsConnection,
  /** The ingest role's own connection, when ingest runs here too. */
  ingestNc: NatsConnection | undefined,
  options: AppOptions,
  credentials?: DemoCredentials,
): Promise<Gateway> {
  const { config, env } = options;
  const gateway = await createGateway({
    config,
    nc,
    dataDir: env.dataDir,
    uiDir: UI_DIR,
    extraUsers: credentials?.users,
    logger: { level: 'info' },
    bodyLimit: config.cadre.http.bodyLimit,
    loginRateLimit: {
      max: config.cadre.http.loginRateLimit.max,
      windowMs: config.cadre.http.loginRateLimit.window,
    },
    register: ingestNc
      ? async (scope) => {
          await scope.register(ingestHttp, {
            nc: ingestNc,
            config,
            authenticate: (request) => {
              const found = gateway.app.authenticator.resolve(
                bearerToken(request.headers.authorization),
                false,
              );
              return found.ok ? found.principal : undefined;
            },
          });
        }
      : undefined,
  });
  return gateway;
}

/** The ingest role alone: the HTTP ingest endpoints (API keys), health and metrics. */
async function ingestRole(nc: NatsConnection, config: Config) {
  const http = config.cadre.http;
  const app = Fastify({ logger: { level: 'warn' }, bodyLimit: http.bodyLimit, ...beforeRouting(http) });
  await httpBasics(app, http);
  await app.register(ingestHttp, { nc, config });
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  return app;
}
