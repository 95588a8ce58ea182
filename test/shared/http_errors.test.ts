/**
 * The one mapping of HTTP errors (shared/http_errors.ts), with Fastify's and nats.js's own error
 * classes: what the gateway and ingest both answer.
 */
import { describe, expect, it } from 'vitest';
import { errorCodes } from 'fastify';
import { errors as natsErrors } from '@nats-io/transport-node';
import { CadreError } from '../../shared/errors.js';
import { errorAnswer } from '../../shared/http_errors.js';
import { isBrokerError } from '../../broker/broker_waits.js';

const context = { bodyLimit: 4096, mediaTypes: ['application/json'], isUnavailable: isBrokerError };

describe('errorAnswer', () => {
  it('keeps a CadreError, with its details below 500 only', () => {
    const conflict = new CadreError('CADRE_ERR_CONFLICT', 'alarms still raised', { alarms: ['a1'] });
    expect(errorAnswer(conflict, context)).toEqual({
      status: 409,
      body: { error: 'CADRE_ERR_CONFLICT', message: 'alarms still raised', alarms: ['a1'] },
    });
    const late = new CadreError('CADRE_ERR_UNAVAILABLE', 'no processor answered', { secret: 1 });
    expect(errorAnswer(late, context)).toEqual({
      status: 503,
      body: { error: 'CADRE_ERR_UNAVAILABLE', message: 'no processor answered' },
    });
  });

  it("maps Fastify's errors, naming the limit and the media types when it knows them, never the URL", () => {
    expect(errorAnswer(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(), context)).toEqual({
      status: 413,
      body: { error: 'CADRE_ERR_TOO_LARGE', message: expect.stringContaining('4096 bytes') },
    });
    expect(errorAnswer(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE()).body.message).toBe(
      'Body is larger than the configured limit',
    );
    expect(errorAnswer(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE('application/xml'), context)).toEqual({
      status: 400,
      body: { error: 'CADRE_ERR_BAD_REQUEST', message: 'Content-Type must be one of application/json' },
    });
    expect(errorAnswer(new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY()).body.error).toBe('CADRE_ERR_BAD_JSON');
    const badUrl = errorAnswer(new errorCodes.FST_ERR_BAD_URL('/secret%zz'));
    expect(badUrl).toEqual({
      status: 400,
      body: { error: 'CADRE_ERR_BAD_REQUEST', message: 'the URL is malformed' },
    });
    const long = errorAnswer(Object.assign(new Error('/secret'.repeat(100)), { statusCode: 414 }));
    expect(long).toEqual({
      status: 414,
      body: { error: 'CADRE_ERR_TOO_LARGE', message: 'the URL is too long' },
    });
    const validation = Object.assign(new Error('body/text must be string'), {
      validation: [],
      statusCode: 400,
    });
    expect(errorAnswer(validation).body).toEqual({
      error: 'CADRE_ERR_BAD_REQUEST',
      message: 'body/text must be string',
    });
    const method = Object.assign(new Error('not allowed'), { statusCode: 405 });
    expect(errorAnswer(method).status).toBe(405);
    expect(errorAnswer(method).body.error).toBe('CADRE_ERR_BAD_REQUEST');
  });

  it('answers a broker error 503 when the caller says it is one, anything else 500', () => {
    const closed = new natsErrors.ClosedConnectionError();
    expect(errorAnswer(closed, context)).toEqual({
      status: 503,
      body: {
        error: 'CADRE_ERR_UNAVAILABLE',
        message: 'NATS is not available (closed connection); try again',
      },
    });
    expect(errorAnswer(closed).status).toBe(500);
    for (const err of [new Error('bug'), new TypeError('x is undefined'), null, 'thrown text'])
      expect(errorAnswer(err, context)).toEqual({
        status: 500,
        body: { error: 'CADRE_ERR_INTERNAL', message: 'Internal error' },
      });
  });
});
