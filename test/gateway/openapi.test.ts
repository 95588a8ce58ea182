/**
 * GET /api/openapi.json: a valid OpenAPI 3 document (checked by @seriousme/openapi-schema-validator
 * against the OpenAPI 3.0 JSON schema) that lists exactly the routes the gateway serves, each with
 * its success answer and its errors — and every answer a route actually gives to a request without
 * credentials, with a bad body or with one over the limit is one the document lists.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestHttp } from '../../ingest/http.js';
import type { Gateway } from '../../gateway/server.js';
import { useNats } from '../helpers/nats.js';
import { ensureCadreStreams, startGateway, testConfig } from './helpers.js';

interface Operation {
  summary?: string;
  responses: Record<string, { description: string }>;
}
type OpenApi = { openapi: string; paths: Record<string, Record<string, Operation>> };

const nats = useNats();
let gw: Gateway;
let doc: OpenApi;

beforeAll(async () => {
  await ensureCadreStreams(nats.nc);
  const config = await testConfig();
  const uiDir = mkdtempSync(join(tmpdir(), 'cadre-ui-'));
  writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>cadre</title>');
  // As `cadre start` wires it: the ingest routes on the gateway's server.
  gw = await startGateway(nats.nc, {
    config,
    uiDir,
    commandTimeoutMs: 200,
    bodyLimit: 64 * 1024,
    register: async (app) => {
      await app.register(ingestHttp, { nc: nats.nc, config });
    },
  });
  const res = await gw.app.inject({ url: '/api/openapi.json' });
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(() => gw?.close());

/** `/api/events/:id` → `/api/events/{id}` */
const openapiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');
const API = /^\/(api\/|healthz$|readyz$|metrics$)/;

describe('/api/openapi.json', () => {
  it('is a valid OpenAPI 3 document', async () => {
    expect(doc.openapi).toMatch(/^3\./);
    const result = await new Validator().validate(doc as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('lists exactly the API routes served (HEAD aside, which Fastify adds to every GET)', () => {
    const served = gw.routes
      .filter((r) => r.method !== 'HEAD' && API.test(r.url))
      .map((r) => `${r.method} ${openapiPath(r.url)}`)
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual([...new Set(served)]);
    expect(documented).toContain('GET /api/reports/{period}');
    expect(documented).toContain('POST /api/ingest/alertmanager');
  });

  it('gives every operation a summary, a success answer and its errors, in cadre format', () => {
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method.toUpperCase()} ${path} (add it to gateway/openapi.ts ROUTE_DOCS)`;
        expect(op.summary, where).toBeTruthy();
        const statuses = Object.keys(op.responses);
        expect(
          statuses.some((s) => s.startsWith('2')),
          where,
        ).toBe(true);
        expect(statuses, where).toContain('500');
        if (
          path.startsWith('/api/') &&
          !['/api/openapi.json', '/api/login'].includes(path) &&
          !path.includes('status')
        )
          expect(statuses, where).toContain('401');
      }
  });

  it('documents every answer the routes give without credentials, to a bad body and to one too large', async () => {
    const bodies = ['{}', 'not json', JSON.stringify({ text: 'x'.repeat(100 * 1024) })];
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops))
        for (const payload of method === 'post' ? bodies : [undefined]) {
          const url = path.replace(/\{(\w+)\}/g, 'x');
          const res = await gw.app.inject({
            method: method.toUpperCase() as 'GET' | 'POST',
            url,
            ...(payload ? { headers: { 'content-type': 'application/json' }, payload } : {}),
          });
          const where = `${method.toUpperCase()} ${url} answered ${res.statusCode} to ${payload?.slice(0, 10)}`;
          expect(Object.keys(op.responses), where).toContain(String(res.statusCode));
        }
  });
});
