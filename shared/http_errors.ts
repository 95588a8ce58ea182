/**
 * Any error an HTTP request meets → a status and cadre's `{error, message}` (CONTRACT.md "HTTP
 * API"), one mapping for every server: the gateway, ingest on its own or inside the gateway, and
 * Fastify's errors before routing. Fastify as types only: shared/ runs no server.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { CadreError, ERRORS, type ErrorCode } from './errors.js';

export interface ErrorBody {
  error: ErrorCode;
  message: string;
  [extra: string]: unknown;
}

export interface ErrorAnswer {
  status: number;
  body: ErrorBody;
}

/** What only the server knows about its errors. */
export interface ErrorContext {
  /** The body limit in force, bytes: named in a 413. */
  bodyLimit?: number;
  /** The media types the routes read: named when a body comes as another. */
  mediaTypes?: readonly string[];
  /** A broker error (NATS not reachable, a request unanswered): 503, worth a retry, not a bug. */
  isUnavailable?: (err: unknown) => boolean;
}

/** Any thrown thing → status and body (plus a CadreError's details under 500, e.g. `alarms`). */
export function errorAnswer(err: unknown, context: ErrorContext = {}): ErrorAnswer {
  if (err instanceof CadreError) {
    const extra = err.statusCode < 500 && isPlainObject(err.details) ? err.details : {};
    return { status: err.statusCode, body: { ...extra, error: err.code, message: err.message } };
  }
  const e: Partial<FastifyError> = typeof err === 'object' && err !== null ? err : {};
  const message = e.message ?? '';
  if (e.validation) return coded('CADRE_ERR_BAD_REQUEST', message);
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return coded(
        'CADRE_ERR_TOO_LARGE',
        context.bodyLimit === undefined
          ? ERRORS.CADRE_ERR_TOO_LARGE.message
          : `the body is larger than the limit of ${context.bodyLimit} bytes (cadre.yaml http.bodyLimit)`,
      );
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return coded('CADRE_ERR_BAD_JSON', message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return coded(
        'CADRE_ERR_BAD_REQUEST',
        context.mediaTypes
          ? `Content-Type must be one of ${context.mediaTypes.join(', ')}`
          : 'the body is of a media type this route does not read',
      );
    // Fastify's routing errors quote the URL: fixed texts instead, so no request is echoed back.
    case 'FST_ERR_BAD_URL':
      return coded('CADRE_ERR_BAD_REQUEST', 'the URL is malformed');
  }
  if (err instanceof SyntaxError) return coded('CADRE_ERR_BAD_JSON', message);
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status === 414)
    return { status, body: { error: 'CADRE_ERR_TOO_LARGE', message: 'the URL is too long' } };
  if (status >= 400 && status < 500) return { status, body: { error: 'CADRE_ERR_BAD_REQUEST', message } };
  if (context.isUnavailable?.(err))
    return coded('CADRE_ERR_UNAVAILABLE', `NATS is not available (${message}); try again`);
  return coded('CADRE_ERR_INTERNAL', ERRORS.CADRE_ERR_INTERNAL.message);
}

/**
 * The error handler of `app` (a server or an encapsulated plugin): errors answered by errorAnswer
 * with the route's body limit, `www-authenticate: Bearer` on every 401 (RFC 9110 asks for a
 * challenge), an internal error logged with its stack, a broker error as a warning.
 */
export function setErrorHandler(app: FastifyInstance, context: Omit<ErrorContext, 'bodyLimit'> = {}): void {
  app.setErrorHandler((err, request, reply) => {
    const { status, body } = errorAnswer(err, { ...context, bodyLimit: request.routeOptions.bodyLimit });
    if (body.error === 'CADRE_ERR_INTERNAL') request.log.error({ err }, 'request failed');
    else if (body.error === 'CADRE_ERR_UNAVAILABLE' && !(err instanceof CadreError))
      request.log.warn({ err }, 'request failed: NATS is not available');
    if (status === 401) reply.header('www-authenticate', 'Bearer');
    return reply.code(status).send(body);
  });
}

function coded(code: ErrorCode, message: string): ErrorAnswer {
  return { status: ERRORS[code].status, body: { error: code, message } };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
