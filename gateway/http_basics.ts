/**
 * What every HTTP response gets: security headers (set by hand: @fastify/helmet is not installed) and
 * errors as `{error, message}` with the registry's status, whatever raised them.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
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
  if (status >= 400 && status < 500)
    return { status, body: { error: 'CADRE_ERR_BAD_REQUEST', message: e.message } };
  return coded('CADRE_ERR_INTERNAL', ERRORS.CADRE_ERR_INTERNAL.message);
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
