/**
 * What every HTTP response gets, from Fastify's own plugins: security headers (@fastify/helmet, with
 * the UI's CSP), compression (@fastify/compress), the login rate limit's machinery
 * (@fastify/rate-limit; routes opt in), and errors as `{error, message}` (shared/http_errors.ts),
 * whatever raised them.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import compress from '@fastify/compress';
import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import helmet, { type HelmetOptions } from 'helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CadreSettings } from '../config/cadre.js';
import { CadreError, type ErrorCode } from '../shared/errors.js';
import { errorAnswer, setErrorHandler } from '../shared/http_errors.js';
import { isBrokerError } from '../broker/broker_waits.js';

/**
 * The built Svelte app loads its own scripts and styles; Svelte and uPlot set inline style
 * attributes, hence 'unsafe-inline' for styles only. Socket.IO is same-origin ('self' covers ws/wss of
 * the same host in CSP3 browsers). No upgrade-insecure-requests: cadre is often reached over plain
 * HTTP inside an operator's network, where that directive would break every asset.
 */
function cspDirectives(frameAncestors: readonly string[]): Record<string, string[]> {
  return {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:', 'blob:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: frameAncestors.length > 0 ? [...frameAncestors] : ["'none'"],
  };
}

/**
 * Errors answered on the bare socket (below) have no request for helmet to work on: they carry the
 * headers that matter for a JSON error, set here.
 */
const BARE_ERROR_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
};

/** The security headers of every response: helmet's, with the UI's CSP. */
export function securityHeaders(http: CadreSettings['http']): HelmetOptions {
  return {
    contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(http.frameAncestors) },
    xFrameOptions: http.frameAncestors.length > 0 ? false : { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // TLS ends at the operator's proxy when there is one: HSTS is its to send, for its domain.
    strictTransportSecurity: false,
  };
}

/**
 * Fastify's own errors before routing (a malformed URL: FST_ERR_BAD_URL), in cadre's format, for
 * Fastify's `frameworkErrors` option. No hook runs for these replies, so @fastify/helmet's did not
 * either: helmet itself sets the same headers here.
 */
export function frameworkError(headers: HelmetOptions) {
  const setHeaders = helmet(headers);
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const { status, body } = errorAnswer(err);
    setHeaders(request.raw, reply.raw, () => void reply.code(status).send(body));
  };
}

/**
 * Errors Node's HTTP parser meets before Fastify sees a request (headers too large: 431, a URL too
 * long: 414, garbage), for Fastify's `clientErrorHandler`: the same format, and never the request
 * echoed back.
 */
export function clientError(err: NodeJS.ErrnoException & { code?: string }, socket: Socket): void {
  if (!socket.writable) return void socket.destroy();
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'HPE_URI_TOO_LONG' ? 414 : 400;
  const code: ErrorCode = status === 400 ? 'CADRE_ERR_BAD_REQUEST' : 'CADRE_ERR_TOO_LARGE';
  const message =
    status === 431 ? 'request headers too large' : status === 414 ? 'URL too long' : 'malformed request';
  const body = JSON.stringify({ error: code, message });
  const headers = Object.entries({
    ...BARE_ERROR_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  })
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n');
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${headers}\r\n\r\n${body}`);
}

/**
 * The Fastify options of every cadre HTTP server (gateway, the ingest role alone, a processor's
 * health port): errors before routing answered in cadre's format with the security headers.
 */
export function beforeRouting(http: CadreSettings['http']) {
  return { frameworkErrors: frameworkError(securityHeaders(http)), clientErrorHandler: clientError };
}

/** Registers the plugins every route shares and the error handler in cadre's format. */
export async function httpBasics(app: FastifyInstance, http: CadreSettings['http']): Promise<void> {
  // The same options object as helmet's own: TypeScript sees helmet's CJS and ESM typings as two types.
  await app.register(fastifyHelmet, securityHeaders(http) as unknown as FastifyHelmetOptions);
  await app.register(compress, { threshold: http.compressThreshold, encodings: ['br', 'gzip', 'deflate'] });
  // Off by default: only routes that say `config.rateLimit` are limited (the login).
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new CadreError('CADRE_ERR_RATE_LIMITED', `Too many requests; try again in ${context.after}`),
  });
  setErrorHandler(app, { mediaTypes: ['application/json'], isUnavailable: isBrokerError });
}
