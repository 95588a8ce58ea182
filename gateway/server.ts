/**
 * The gateway: Fastify (REST + the built UI) and Socket.IO on one HTTP server, over the read model.
 * `createGateway` loads the read model and readies the routes; `start` listens; `close` stops it all.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
} from 'fastify';
import { Server as SocketServer } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../shared/live_protocol.js';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Config } from '../config/load.js';
import { auth, type AccessUser } from './auth.js';
import type { GatewayContext } from './context.js';
import { commandKeysOf } from '../shared/command_signature.js';
import { beforeRouting, httpBasics } from './http_basics.js';
import { attachLive, originCheck } from './live.js';
import { complaintRoutes } from './routes_complaints.js';
import { incidentRoutes } from './routes_incidents.js';
import { eventRoutes } from './routes_events.js';
import { gridRoutes } from './routes_grids.js';
import { healthRoutes } from './routes_health.js';
import { maintenanceRoutes } from './routes_maintenance.js';
import { reportRoutes } from './routes_reports.js';
import { ReadModel } from './state.js';
import { staticUi } from './static_ui.js';
import swagger from '@fastify/swagger';
import { swaggerOptions } from './openapi.js';
import { DayCalendar } from '../shared/calendar.js';
import { CadreError } from '../shared/errors.js';
import { loadOrCreateSecret } from './tokens.js';

export interface GatewayOptions {
  config: Config;
  nc: NatsConnection;
  /** CADRE_DATA: holds `secret`, the token signing key (created 0600 on first start). */
  dataDir: string;
  /** The built UI (ui/dist); without it only the API is served. */
  uiDir?: string;
  now?: () => number;
  /** Fastify logger options, or a ready pino-compatible logger. Default: info level to stdout. */
  logger?: boolean | FastifyServerOptions['logger'] | FastifyBaseLogger;
  /** Users beyond access.yaml (demo users generated at first start). */
  extraUsers?: AccessUser[];
  /** Request body limit in bytes; default 10 MiB. */
  bodyLimit?: number;
  /** Login attempts per IP per window; default 10 a minute. */
  loginRateLimit?: { max: number; windowMs: number };
  /** How long an action waits for the processor; default 5 s. */
  commandTimeoutMs?: number;
  /** Socket.IO origins allowed besides the same origin. */
  allowedOrigins?: string[];
  /** /readyz: the processor is caught up when pending ≤ maxPending and lag ≤ maxLagSeconds. */
  ready?: { maxPending: number; maxLagSeconds: number };
  /** Trust X-Forwarded-For (behind a reverse proxy) for the client IP of the login rate limit. */
  trustProxy?: boolean;
  /** More routes on the same server (the ingest's /api/ingest/* plugin); `app.requireRole` is available. */
  register?: (app: FastifyInstance) => Promise<void> | void;
  /** `events` batches at most once per this interval per client; default 250 ms. */
  batchIntervalMs?: number;
}

export interface Gateway {
  app: FastifyInstance;
  io: SocketServer<ClientToServerEvents, ServerToClientEvents>;
  model: ReadModel;
  /** Every route served (method and URL as registered; HEAD included): what /api/openapi.json is checked against. */
  routes: readonly { method: string; url: string }[];
  /** Listens; resolves to the address (http://host:port). */
  start(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

const MIB = 1024 * 1024;

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const now = options.now ?? Date.now;
  const { config, nc } = options;
  const app = Fastify({
    ...loggerOption(options.logger),
    bodyLimit: options.bodyLimit ?? 10 * MIB,
    trustProxy: options.trustProxy ?? false,
    // A line per request drowns the lines that matter: the audit of logins and actions, and errors.
    logController: new LogController({ disableRequestLogging: true }),
    ...beforeRouting(config.cadre.http),
  }) as unknown as FastifyInstance;
  const commandKeys = commandKeysOf(config.cadre.commands);
  const model = new ReadModel({ nc, now, log: app.log, commandKeys });
  await model.start();

  const ctx: GatewayContext = {
    config,
    nc,
    js: jetstream(nc),
    jsm: await jetstreamManager(nc),
    model,
    now,
    calendar: new DayCalendar(config.cadre.timeZone),
    commandTimeoutMs: options.commandTimeoutMs ?? 5000,
    commandKeys,
    ready: options.ready ?? { maxPending: 1000, maxLagSeconds: 30 },
  };

  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url });
  });
  await httpBasics(app, config.cadre.http);
  // Before every route: swagger collects the routes registered after it.
  await app.register(swagger, swaggerOptions());
  app.get('/api/openapi.json', async () => app.swagger());
  await app.register(auth, {
    access: config.access,
    extraUsers: options.extraUsers,
    secret: loadOrCreateSecret(options.dataDir),
    now,
    loginRateLimit: options.loginRateLimit,
  });
  for (const routes of [
    eventRoutes,
    incidentRoutes,
    gridRoutes,
    complaintRoutes,
    maintenanceRoutes,
    reportRoutes,
    healthRoutes,
  ])
    await app.register(routes, ctx);
  const { register, uiDir } = options;
  if (register) await app.register(async (scope) => register(scope));
  if (uiDir) await app.register(async (scope) => staticUi(scope, uiDir));
  const uiIndex = options.uiDir ? join(options.uiDir, 'index.html') : undefined;
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    // A browser asking for a page that does not exist gets the app (404), which says so in its own
    // words with a way back, instead of a bare JSON error; the API and other clients get the JSON.
    if (uiIndex && wantsPage(request.method, path, request.headers.accept) && existsSync(uiIndex))
      return reply
        .code(404)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(readFileSync(uiIndex));
    throw new CadreError('CADRE_ERR_NOT_FOUND', `No route ${request.method} ${path}`);
  });

  const io = new SocketServer<ClientToServerEvents, ServerToClientEvents>(app.server, {
    path: '/socket.io',
    serveClient: false,
    maxHttpBufferSize: 16 * 1024,
    allowRequest: originCheck(options.allowedOrigins),
  });
  const live = attachLive(io, {
    model,
    authenticator: app.authenticator,
    now,
    batchIntervalMs: options.batchIntervalMs,
    subscribeLimit: {
      max: config.cadre.http.subscribeRateLimit.max,
      windowMs: config.cadre.http.subscribeRateLimit.window,
    },
  });
  // Socket.IO closes the HTTP server it shares with Fastify, after dropping its own connections.
  app.addHook('preClose', async () => {
    live.close();
    await io.close();
  });
  await app.ready();

  let closed: Promise<void> | undefined;
  return {
    app,
    io,
    model,
    routes,
    async start(port, host = '127.0.0.1') {
      return app.listen({ port, host });
    },
    close() {
      closed ??= (async () => {
        await app.close();
        await model.stop();
      })();
      return closed;
    },
  };
}

/** A GET or HEAD from a browser (Accept: text/html) for a path outside the API and Socket.IO. */
function wantsPage(method: string, path: string, accept: string | undefined): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (path === '/api' || path.startsWith('/api/') || path.startsWith('/socket.io')) return false;
  return (accept ?? '').includes('text/html');
}

function loggerOption(
  logger: GatewayOptions['logger'],
): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  if (logger === undefined) return { logger: { level: 'info' } };
  if (
    typeof logger === 'object' &&
    logger !== null &&
    typeof (logger as FastifyBaseLogger).child === 'function'
  )
    return { loggerInstance: logger as FastifyBaseLogger };
  return { logger: logger as FastifyServerOptions['logger'] };
}
