/**
 * What every HTTP response gets: security headers (set by hand: @fastify/helmet is not installed) and
 * errors as `{error, message}` with the registry's status, whatever raised them.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CadreError, ERRORS, type ErrorCode } from '../shared/errors.js';

/**
 * The built Svelte app loads its own scripts and styles; Svelte and uPlot set inline style
 * attributes, hence 'unsafe-inline' for styles only. Socket.IO is same-origin ('self' covers ws/wss of
 * the same host in CSP3 browsers).
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export interface ErrorBody {
  error: ErrorCode;
  message: string;
  [extra: string]: unknown;
}

/** Any thrown thing → status and `{error, message}` (plus a CadreError's details, e.g. `alarms`). */
export function errorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof CadreError) {
    const extra = err.statusCode < 500 && isPlainObject(err.details) ? err.details : {};
    return { status: err.statusCode, body: { ...extra, error: err.code, message: err.message } };
  }
  const e = err as FastifyError;
  if (e.validation) return coded('CADRE_ERR_BAD_REQUEST', e.message);
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return coded('CADRE_ERR_TOO_LARGE', ERRORS.CADRE_ERR_TOO_LARGE.message);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return coded('CADRE_ERR_BAD_JSON', e.message);
  }
  if (e instanceof SyntaxError) return coded('CADRE_ERR_BAD_JSON', e.message);
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  // Fastify's routing errors quote the URL: a fixed text instead, so no request is echoed back.
  if (status === 414)
    return { status, body: { error: 'CADRE_ERR_TOO_LARGE', message: 'the URL is too long' } };
  if (e.code === 'FST_ERR_BAD_URL') return coded('CADRE_ERR_BAD_REQUEST', 'the URL is malformed');
  if (status >= 400 && status < 500)
    return { status, body: { error: 'CADRE_ERR_BAD_REQUEST', message: e.message } };
  return coded('CADRE_ERR_INTERNAL', ERRORS.CADRE_ERR_INTERNAL.message);
}

/**
 * Fastify's own errors before routing (a malformed URL: FST_ERR_BAD_URL), in cadre's format, for
 * Fastify's `frameworkErrors` option. No hook runs for these replies: the headers are set here.
 */
export function frameworkError(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = errorResponse(err);
  void reply.code(status).headers(SECURITY_HEADERS).send(body);
}

/**
 * Errors Node's HTTP parser meets before Fastify sees a request (headers too large: 431, a URL too
 * long: 414, garbage), for Fastify's `clientErrorHandler`: the same format and headers, and never
 * the request echoed back.
 */
export function clientError(err: NodeJS.ErrnoException & { code?: string }, socket: Socket): void {
  if (!socket.writable) return void socket.destroy();
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'HPE_URI_TOO_LONG' ? 414 : 400;
  const code: ErrorCode = status === 400 ? 'CADRE_ERR_BAD_REQUEST' : 'CADRE_ERR_TOO_LARGE';
  const message =
    status === 431 ? 'request headers too large' : status === 414 ? 'URL too long' : 'malformed request';
  const body = JSON.stringify({ error: code, message });
  const headers = Object.entries({
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  })
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n');
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${headers}\r\n\r\n${body}`);
}

export function httpBasics(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      if (!reply.hasHeader(name)) reply.header(name, value);
    return payload;
  });
  app.setErrorHandler((err, request, reply) => {
    const { status, body } = errorResponse(err);
    if (status >= 500 && body.error === 'CADRE_ERR_INTERNAL') request.log.error({ err }, 'request failed');
    return reply.code(status).send(body);
  });
}

function coded(code: ErrorCode, message: string): { status: number; body: ErrorBody } {
  return { status: ERRORS[code].status, body: { error: code, message } };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
