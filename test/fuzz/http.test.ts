/**
 * Fuzz of every HTTP input path with fast-check against a real gateway (its ingest routes on the same
 * server, a real processor behind its commands, a real nats-server): HTTP ingest as JSON and NDJSON,
 * and every REST route's params, query and body, with and without a login. Whatever comes in: no 5xx,
 * no crash, no unhandled rejection; every answer of 400 and up is cadre's `{error, message}`, and
 * every reject names its field (a JSON pointer) or the value it refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { useNats } from '../helpers/nats.js';
import { ensureStreams } from '../../broker/streams.js';
import { ingestHttp } from '../../ingest/http.js';
import { startProcessor, type RunningProcessor } from '../../processor/live.js';
import type { Gateway } from '../../gateway/server.js';
import { bearerToken } from '../../config/api_keys.js';
import { INGEST_KEY, loginToken, startGateway, testConfig } from '../gateway/helpers.js';
import { sample } from '../ingest/helpers.js';
import { LONG } from '../faults/stack.js';
import { fuzzCounts, rejectNamesItsField, useUnhandledRejections } from './counts.js';

const nats = useNats();
const unhandled = useUnhandledRejections();
let gateway: Gateway;
let processor: RunningProcessor;
let token: string;
const RUNS = LONG ? 3 : 1;
const TIME = new Date().toISOString();

beforeAll(async () => {
  const config = await testConfig();
  await ensureStreams(nats.nc, config);
  processor = await startProcessor({ nc: nats.nc, natsUrl: nats.url, config, log: () => {} });
  gateway = await startGateway(nats.nc, {
    config,
    register: async (scope) => {
      await scope.register(ingestHttp, {
        nc: nats.nc,
        config,
        authenticate: (request) => {
          const found = gateway.app.authenticator.resolve(bearerToken(request.headers.authorization), false);
          return found.ok ? found.principal : undefined;
        },
      });
    },
  });
  token = await loginToken(gateway, 'admin');
  // A few real events for the routes that take an id.
  const seeded = await ingest(
    'complaints',
    JSON.stringify([0, 1, 2].map((i) => sample.complaint(`fz-${i}`, TIME))),
  );
  expect(seeded.statusCode).toBe(202);
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await processor?.stop();
});

function ingest(path: string, payload: string, type = 'application/json') {
  return gateway.app.inject({
    method: 'POST',
    url: `/api/ingest/${path}`,
    payload,
    headers: { authorization: `Bearer ${INGEST_KEY}`, 'content-type': type },
  });
}

/** No 5xx; an error is cadre's; a 202's rejects each name their field. */
function expectAnswered(
  res: { statusCode: number; body: string; headers: Record<string, unknown> },
  what: string,
) {
  expect(res.statusCode, `${what}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
  if (res.statusCode >= 400 && String(res.headers['content-type']).includes('json')) {
    const body = JSON.parse(res.body) as { error?: string; message?: string };
    expect(body.error, what).toMatch(/^CADRE_ERR_[A-Z_]+$/);
    expect(typeof body.message, what).toBe('string');
  }
}

const ITEM = { alarms: sample.alarm, kpis: sample.kpi, complaints: sample.complaint } as const;
type Path = keyof typeof ITEM;

/** A valid item of `path` with one field replaced, removed or added: what a clumsy producer sends. */
const mutated = (path: Path) =>
  fc
    .tuple(
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.oneof(fc.constant('replace'), fc.constant('remove'), fc.constant('add')),
      fc.anything(),
      fc.nat(),
    )
    .map(([tag, how, value, pick]) => {
      const item = ITEM[path](tag, TIME) as Record<string, unknown>;
      const keys = Object.keys(item);
      const k = keys[pick % keys.length]!;
      if (how === 'remove') delete item[k];
      else if (how === 'replace') item[k] = value;
      else item[['__proto__', 'constructor', 'extra', 'type'][pick % 4]!] = value;
      return item;
    });

const bodies = (path: Path) =>
  fc.oneof(
    fc
      .array(fc.oneof(mutated(path), fc.jsonValue()), { maxLength: 20 })
      .map((items) => JSON.stringify(items)),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
    fc.constant('['.repeat(50_000) + ']'.repeat(50_000)),
  );

describe('fuzz: HTTP ingest', () => {
  for (const path of Object.keys(ITEM) as Path[]) {
    it(
      `${path}, JSON: no 5xx, every reject names its field`,
      async () => {
        await fc.assert(
          fc.asyncProperty(bodies(path), async (payload) => {
            const res = await ingest(path, payload);
            expectAnswered(res, payload.slice(0, 200));
            if (res.statusCode === 202)
              for (const r of res.json<{ rejected: { reason: string; code: string }[] }>().rejected)
                expect(rejectNamesItsField(r), JSON.stringify(r)).toBe(true);
            fuzzCounts.add('HTTP ingest (JSON)', res.statusCode);
          }),
          { numRuns: 700 * RUNS },
        );
      },
      120_000 * RUNS,
    );
  }

  it(
    'NDJSON: no 5xx, every reject names its field',
    async () => {
      const line = fc.oneof(
        mutated('alarms').map((v) => JSON.stringify(v)),
        fc.jsonValue().map((v) => JSON.stringify(v)),
        fc.string({ maxLength: 80 }).filter((s) => !s.includes('\n')),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(line, { maxLength: 30 }),
          fc.constantFrom('\n', '\r\n'),
          async (lines, eol) => {
            const res = await ingest('alarms', lines.join(eol), 'application/x-ndjson');
            expectAnswered(res, lines.join(eol).slice(0, 200));
            if (res.statusCode === 202)
              for (const r of res.json<{ rejected: { reason: string; code: string }[] }>().rejected)
                expect(rejectNamesItsField(r), JSON.stringify(r)).toBe(true);
            fuzzCounts.add('HTTP ingest (NDJSON)', res.statusCode);
          },
        ),
        { numRuns: 1000 * RUNS },
      );
    },
    120_000 * RUNS,
  );
});

describe('fuzz: every REST route', () => {
  it(
    'params, query and body of each: no 5xx, errors in cadre format',
    async () => {
      const routes = gateway.routes.filter(
        (r) => r.method !== 'HEAD' && r.url.startsWith('/api/') && !r.url.startsWith('/api/ingest/'),
      );
      expect(routes.length).toBeGreaterThan(15);
      const ids = [
        'HY-ZH-0002',
        'fz-0',
        'CRM-fz-0',
        'XT-YH-0003',
        ...[...gateway.model.activeEvents()].map((e) => e.id),
      ];
      const param = fc.oneof(
        fc.constantFrom(...ids),
        fc.string({ maxLength: 40 }),
        fc.string({ unit: 'binary', maxLength: 10 }),
        fc.constant('x'.repeat(5000)),
      );
      const query = fc.dictionary(
        fc.constantFrom(
          'state',
          'city',
          'level',
          'date',
          'format',
          'period',
          'phone4',
          'limit',
          'from',
          'to',
          'level',
          'x',
        ),
        fc.oneof(
          fc.string({ maxLength: 20 }),
          fc.constantFrom('active', 'all', 'CS', 'red', '2026-10-15', 'csv', '1', '-1', '1e309'),
        ),
      );
      const body = fc.oneof(
        fc.jsonValue(),
        fc.record(
          {
            to: fc.string(),
            text: fc.string(),
            note: fc.string(),
            at: fc.string(),
            scenario: fc.string(),
            reason: fc.string(),
            satisfied: fc.anything(),
            when: fc.string(),
          },
          { requiredKeys: [] },
        ),
        fc.string(),
      );
      const auth = fc.constantFrom('admin', 'none', 'garbage');
      for (const route of routes) {
        await fc.assert(
          fc.asyncProperty(
            fc.array(param, { minLength: 3, maxLength: 3 }),
            query,
            body,
            auth,
            async (params, q, b, who) => {
              let i = 0;
              const path = route.url.replace(/:[a-zA-Z]+/g, () => encodeURIComponent(params[i++ % 3]!));
              const search = new URLSearchParams(q as Record<string, string>).toString();
              const res = await gateway.app.inject({
                method: route.method as 'GET',
                url: search ? `${path}?${search}` : path,
                headers:
                  who === 'none'
                    ? {}
                    : { authorization: who === 'admin' ? `Bearer ${token}` : 'Bearer x.y.z' },
                ...(route.method === 'GET'
                  ? {}
                  : {
                      payload: typeof b === 'string' ? b : JSON.stringify(b),
                      headers: {
                        'content-type': 'application/json',
                        ...(who === 'admin' ? { authorization: `Bearer ${token}` } : {}),
                      },
                    }),
              });
              expectAnswered(res, `${route.method} ${path}?${search}`);
              if (res.statusCode >= 400)
                expect(res.headers['content-type'], `${route.method} ${path}`).toMatch(/json/);
              fuzzCounts.add('REST routes', res.statusCode);
            },
          ),
          { numRuns: 150 * RUNS },
        );
      }
    },
    300_000 * RUNS,
  );

  it('left no unhandled rejection behind', () => {
    expect(unhandled).toEqual([]);
    fuzzCounts.print();
  });
});
