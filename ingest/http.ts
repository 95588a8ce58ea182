/**
 * HTTP ingest (CONTRACT.md, "HTTP API"): `POST /api/ingest/alarms|kpis|complaints` with a JSON array
 * or NDJSON, and `POST /api/ingest/alertmanager` with Alertmanager's webhook payload (ingest/alertmanager.ts). Each item goes through the same gate as every other path (normalize + the time-range
 * check against the wall clock); valid items are stored in CADRE_IN, and the answer — 202 with the
 * rejects by index — is sent only once JetStream has acknowledged every accepted item.
 *
 * If some valid items cannot be stored (NATS down or slow) the answer is 503 with the same body: the
 * client retries the whole request, which is safe because each item's Nats-Msg-Id makes JetStream
 * drop what it already holds.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { NatsConnection } from '@nats-io/transport-node';
import { CadreError, reasonLabel } from '../shared/errors.js';
import { setErrorHandler } from '../shared/http_errors.js';
import type { ProducerType } from '../shared/schemas.js';
import {
  ingestDuplicatesTotal,
  ingestedTotal,
  ingestRequestSeconds,
  ingestStoreFailuresTotal,
  rejectedTotal,
} from '../shared/metrics.js';
import type { Config } from '../config/load.js';
import { alarmsOfWebhook } from './alertmanager.js';
import { mediaTypeOf, screenBatch, splitBatch, type BatchItem, type ScreenedBatch } from './batch.js';
import { parseJson } from '../contract/normalize.js';
import { publishWindowed } from '../broker/publish.js';
import { isBrokerError } from '../broker/broker_waits.js';
import { apiKeyAuthenticator, bearerToken, type Principal } from '../config/api_keys.js';

export interface IngestHttpOptions {
  nc: NatsConnection;
  config: Pick<Config, 'topology' | 'rules' | 'access' | 'cadre'>;
  /** The wall clock for the time-range check (epoch ms); injectable for tests. */
  now?: () => number;
  /**
   * Other credentials than API keys (the gateway's user tokens): asked when the bearer token is no
   * API key. Returns the principal, or undefined when the request is not authenticated.
   */
  authenticate?: (request: FastifyRequest) => Principal | undefined | Promise<Principal | undefined>;
  /** JetStream publishes in flight per request. */
  publishWindow?: number;
}

export interface IngestResponse {
  accepted: number;
  /** The first cadre.yaml http.ingest.maxRejectsListed rejects, by index. */
  rejected: ScreenedBatch['rejected'];
  /** Extension: all the rejects, when more than are listed. */
  rejectedCount?: number;
}

const ROUTES: Record<string, ProducerType> = { alarms: 'alarm', kpis: 'kpi', complaints: 'complaint' };
const ROLES = new Set(['ingest', 'admin']);
const MEDIA = ['application/json', 'application/x-ndjson', 'text/plain'];

/** Registers the ingest routes (encapsulated: its body parsers and error handler stay inside). */
export const ingestHttp: FastifyPluginAsync<IngestHttpOptions> = async (app, options) => {
  const { config } = options;
  const now = options.now ?? Date.now;
  const apiKey = apiKeyAuthenticator(config.access);
  const bodyLimit = config.cadre.http.bodyLimit;
  const limits = config.cadre.http.ingest;

  // The body is split here, not by Fastify: a bad NDJSON line must reject one item, not the request.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(MEDIA, { parseAs: 'string', bodyLimit }, (_request, body, done) =>
    done(null, body),
  );
  setErrorHandler(app, { mediaTypes: MEDIA, isUnavailable: isBrokerError });

  app.addHook('onRequest', async (request) => {
    const token = bearerToken(request.headers.authorization);
    const principal = (token ? apiKey(token) : undefined) ?? (await options.authenticate?.(request));
    if (!principal)
      throw new CadreError('CADRE_ERR_UNAUTHORIZED', 'send an ingest API key as Authorization: Bearer <key>');
    if (!ROLES.has(principal.role))
      throw new CadreError('CADRE_ERR_FORBIDDEN', `role ${principal.role} may not ingest`);
  });

  /** Screens the items as `type`, stores the valid ones, and answers 202 (or 503 when some were not stored). */
  const ingest = async (
    request: FastifyRequest,
    reply: FastifyReply,
    type: ProducerType,
    items: BatchItem[],
  ) => {
    const stopTimer = ingestRequestSeconds.startTimer({ type });
    // Refused before any work: 3M `{}` items once took 40 s and answered a 338 MB list of rejects.
    if (items.length > limits.maxItems)
      throw new CadreError(
        'CADRE_ERR_TOO_LARGE',
        `${items.length} items, more than ${limits.maxItems} a request (cadre.yaml http.ingest.maxItems): send smaller batches`,
      );
    const { valid, rejected } = screenBatch(items, type, config, now(), limits.maxItemBytes);
    for (const r of rejected) rejectedTotal.inc({ type, reason: reasonLabel(r.code) });

    const results = await publishWindowed(
      options.nc,
      valid.map((v) => v.item),
      { window: options.publishWindow },
    );
    let accepted = 0;
    let duplicates = 0;
    let lastError: Error | undefined;
    for (const r of results) {
      if (r.ok) {
        accepted++;
        if (r.duplicate) duplicates++;
      } else lastError = r.error;
    }
    ingestedTotal.inc({ type }, accepted);
    if (duplicates) ingestDuplicatesTotal.inc({ type }, duplicates);
    stopTimer();
    const body: IngestResponse = { accepted, rejected: rejected.slice(0, limits.maxRejectsListed) };
    if (rejected.length > limits.maxRejectsListed) body.rejectedCount = rejected.length;
    if (lastError) {
      const failed = results.length - accepted;
      ingestStoreFailuresTotal.inc({ type }, failed);
      request.log.error({ err: lastError, failed }, 'ingest: items could not be stored in JetStream');
      const message = `${failed} valid item(s) could not be stored (${lastError.message}); retrying the whole request is safe`;
      return reply.code(503).send({ error: 'CADRE_ERR_UNAVAILABLE', message, ...body });
    }
    return reply.code(202).send(body);
  };
  const bodyText = (request: FastifyRequest) => (typeof request.body === 'string' ? request.body : '');

  for (const [path, type] of Object.entries(ROUTES)) {
    app.post(`/api/ingest/${path}`, { bodyLimit }, async (request, reply) =>
      ingest(
        request,
        reply,
        type,
        splitBatch(bodyText(request), mediaTypeOf(request.headers['content-type'])),
      ),
    );
  }

  // Alertmanager's webhook receiver (`http_config.authorization` carries the ingest key as bearer).
  // A 202 even when every alert is rejected: any other answer makes Alertmanager resend it for ever.
  app.post('/api/ingest/alertmanager', { bodyLimit }, async (request, reply) => {
    const parsed = parseJson(bodyText(request));
    if (!parsed.ok) throw new CadreError('CADRE_ERR_BAD_JSON', parsed.reject.reason);
    return ingest(request, reply, 'alarm', alarmsOfWebhook(parsed.value, config.cadre.alertmanager));
  });
};
