/**
 * Errors raised before cadre's routes see a request — a malformed URL or an over-long route
 * parameter (Fastify), headers or a URL too large (Node's parser) — answer in cadre's `{error, message}` with the security headers, and
 * never echo the request: on the gateway, the ingest role alone and a processor's health port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { useNats } from '../helpers/nats.js';
import type { Gateway } from '../../gateway/server.js';
import { ensureCadreStreams, startGateway, testConfig } from './helpers.js';
import { startTestApp } from '../helpers/app.js';

const nats = useNats();
let gw: Gateway;
let port: number;

beforeAll(async () => {
  await ensureCadreStreams(nats.nc);
  gw = await startGateway(nats.nc, { config: await testConfig() });
  port = Number(new URL(await gw.start(0)).port);
});
afterAll(() => gw.close());

/** Sends raw bytes and returns the whole raw answer. */
function raw(request: string, to = port): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(to, '127.0.0.1', () => socket.end(request));
    let answer = '';
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

const parse = (answer: string) => {
  const [head, body] = answer.split('\r\n\r\n');
  return {
    status: Number(head!.split(' ')[1]),
    head: head!.toLowerCase(),
    body: JSON.parse(body!) as unknown,
  };
};

describe('errors before routing', () => {
  it('a malformed URL: 400 in cadre format with the security headers', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/%E0%A4%A`);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.json()).toMatchObject({ error: 'CADRE_ERR_BAD_REQUEST' });
  });

  it('headers or a URL too large: 431, a route parameter too long: in cadre format, none echoed', async () => {
    const big = await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(parse(big)).toMatchObject({ status: 431, body: { error: 'CADRE_ERR_TOO_LARGE' } });
    expect(parse(big).head).toContain('content-security-policy');
    const path = `/${'p'.repeat(100_000)}`;
    const long = await raw(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(parse(long).status).toBe(431); // Node counts the request line into the header limit
    expect(long).not.toContain('pppppppppp');
    // A route parameter longer than Fastify's maxParamLength.
    const param = await fetch(`http://127.0.0.1:${port}/api/events/${'e'.repeat(500)}`);
    expect(param.headers.get('x-content-type-options')).toBe('nosniff');
    const text = await param.text();
    expect(text).not.toContain('eeeeeeeeee');
    expect(JSON.parse(text)).toHaveProperty('error');
  });
});

describe.each([['ingest'], ['processor']] as const)('errors before routing, `cadre %s` alone', (role) => {
  it('a malformed URL and headers too large: in cadre format with the security headers', async () => {
    const app = await startTestApp({
      natsUrl: nats.url,
      name: `bad-url-${role}`,
      files: {},
      roles: new Set([role]),
    });
    try {
      const res = await fetch(`${app.url}/%E0%A4%A`);
      expect(res.status).toBe(400);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.json()).toMatchObject({ error: 'CADRE_ERR_BAD_REQUEST' });
      const big = await raw(
        `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        Number(new URL(app.url).port),
      );
      expect(parse(big)).toMatchObject({ status: 431, body: { error: 'CADRE_ERR_TOO_LARGE' } });
    } finally {
      await app.stop();
    }
  });
});
