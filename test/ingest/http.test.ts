import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { useNats } from '../helpers/nats.js';
import { ensureStreams } from '../../broker/streams.js';
import { ingestHttp } from '../../ingest/http.js';
import { hashApiKey } from '../../shared/passwords.js';
import { registry } from '../../shared/metrics.js';
import { fixtureConfig, sample } from './helpers.js';
import type { Role } from '../../config/access.js';

const NOW = Date.parse('2026-10-15T09:05:00+08:00');
const TIME = '2026-10-15T09:00:00+08:00';
const INGEST_KEY = 'k-ingest-0123456789';
const ADMIN_KEY = 'k-admin-0123456789';

const access = `apiKeys:
  - {name: omc, keyHash: ${hashApiKey(INGEST_KEY)}, role: ingest}
  - {name: ops, keyHash: ${hashApiKey(ADMIN_KEY)}, role: admin}
`;

async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
  const { values } = await registry.getSingleMetric(name)!.get();
  return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
}

describe('HTTP ingest', () => {
  const nats = useNats();
  const config = fixtureConfig({ 'access.yaml': access, 'cadre.yaml': 'http: {bodyLimit: 4096}\n' });
  let app: FastifyInstance;

  beforeAll(async () => {
    await ensureStreams(nats.nc, config);
    app = Fastify();
    // A stand-in for the gateway's user tokens: "user-<role>".
    const authenticate = (request: { headers: { authorization?: string } }) => {
      const m = /^Bearer user-(\w+)$/.exec(request.headers.authorization ?? '');
      return m ? { name: 'someone', role: m[1] as Role, cities: [] } : undefined;
    };
    await app.register(ingestHttp, { nc: nats.nc, config, now: () => NOW, authenticate });
    // A route of the host app: the plugin's body parsers, auth and error handler must stay inside it.
    app.post('/api/echo', async (request) => request.body);
  });
  afterAll(() => app.close());

  const post = (path: string, payload: string, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: `/api/ingest/${path}`,
      payload,
      headers: { authorization: `Bearer ${INGEST_KEY}`, 'content-type': 'application/json', ...headers },
    });

  const streamMessages = async () =>
    (await (await jetstreamManager(nats.nc)).streams.info('CADRE_IN')).state.messages;

  it('answers 202 once the accepted items are in the input log, and counts them', async () => {
    const before = await streamMessages();
    const counted = await metricValue('cadre_ingested_total', { type: 'complaint' });
    const res = await post(
      'complaints',
      JSON.stringify([sample.complaint('a', TIME), sample.complaint('b', TIME)]),
    );
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 2, rejected: [] });
    expect(await streamMessages()).toBe(before + 2);
    const jsm = await jetstreamManager(nats.nc);
    const last = (await jsm.streams.getMessage('CADRE_IN', { last_by_subj: 'cadre.in.complaint.HY' }))!;
    expect(last.json()).toEqual(sample.complaint('b', TIME));
    expect(await metricValue('cadre_ingested_total', { type: 'complaint' })).toBe(counted + 2);
  });

  it('rejects bad items by index with a reason and a code, and stores the rest', async () => {
    const before = await streamMessages();
    const schemaBefore = await metricValue('cadre_rejected_total', { type: 'alarm', reason: 'schema' });
    const items = [
      sample.alarm('ok1', TIME),
      { ...sample.alarm('sev', TIME), severity: 9 },
      { ...sample.alarm('ne', TIME), ne: 'NO-SUCH-NE' },
      sample.alarm('old', '2026-09-01T00:00:00Z'),
      sample.alarm('future', '2026-10-16T09:00:00+08:00'),
      'not an object',
      sample.alarm('ok2', TIME),
    ];
    const res = await post('alarms', JSON.stringify(items));
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((r: { index: number; code: string }) => [r.index, r.code])).toEqual([
      [1, 'CADRE_ERR_SCHEMA'],
      [2, 'CADRE_ERR_UNKNOWN_ELEMENT'],
      [3, 'CADRE_ERR_TIME_RANGE'],
      [4, 'CADRE_ERR_TIME_RANGE'],
      [5, 'CADRE_ERR_SCHEMA'],
    ]);
    expect(body.rejected[0].reason).toContain('/severity');
    expect(body.rejected[1].reason).toContain('NO-SUCH-NE');
    expect(await streamMessages()).toBe(before + 2);
    expect(await metricValue('cadre_rejected_total', { type: 'alarm', reason: 'schema' })).toBe(
      schemaBefore + 2,
    );
  });

  it('takes NDJSON, where a bad line is one rejected item (its line number) and the rest go on', async () => {
    const lines = [
      JSON.stringify(sample.kpi('n1', TIME)),
      '{oops',
      '',
      JSON.stringify(sample.kpi('n22', '2026-10-15T09:01:00+08:00')),
    ];
    for (const type of ['application/x-ndjson', 'text/plain; charset=utf-8']) {
      const res = await post('kpis', lines.join('\n') + '\n', { 'content-type': type });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toMatchObject({ accepted: 2, rejected: [{ index: 1, code: 'CADRE_ERR_BAD_JSON' }] });
    }
  });

  it("leaves the host app's other routes alone", async () => {
    const res = await app.inject({ method: 'POST', url: '/api/echo', payload: { a: 1 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ a: 1 });
  });

  it('reads a body that starts with a byte-order mark', async () => {
    const res = await post('alarms', '\uFEFF' + JSON.stringify([sample.alarm('bom', TIME)]));
    expect(res.json()).toEqual({ accepted: 1, rejected: [] });
  });

  it('stores a resent item once (its message id is the dedup key) and still accepts it', async () => {
    const payload = JSON.stringify([sample.alarm('dup', TIME)]);
    expect((await post('alarms', payload)).json()).toEqual({ accepted: 1, rejected: [] });
    const before = await streamMessages();
    expect((await post('alarms', payload)).json()).toEqual({ accepted: 1, rejected: [] });
    expect(await streamMessages()).toBe(before);
  });

  it('answers 400 to a body that is not JSON, and to a media type it cannot read', async () => {
    const bad = await post('alarms', '[{"id": ');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'CADRE_ERR_BAD_JSON' });
    const xml = await post('alarms', '<alarm/>', { 'content-type': 'application/xml' });
    expect(xml.statusCode).toBe(400);
    expect(xml.json()).toMatchObject({ error: 'CADRE_ERR_BAD_REQUEST' });
  });

  it('answers 413 above the configured body limit', async () => {
    const items = Array.from({ length: 40 }, (_, i) => sample.alarm(`big${i}`, TIME));
    const res = await post('alarms', JSON.stringify(items));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: 'CADRE_ERR_TOO_LARGE', message: expect.stringContaining('4096') });
  });

  it('answers 401 without or with a wrong key, 403 to a role that may not ingest, and lets admins in', async () => {
    const payload = JSON.stringify([sample.alarm('auth', TIME)]);
    const none = await app.inject({
      method: 'POST',
      url: '/api/ingest/alarms',
      payload,
      headers: { 'content-type': 'application/json' },
    });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ error: 'CADRE_ERR_UNAUTHORIZED' });
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect((await post('alarms', payload, { authorization: 'Bearer wrong' })).statusCode).toBe(401);
    const viewer = await post('alarms', payload, { authorization: 'Bearer user-viewer' });
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json()).toMatchObject({ error: 'CADRE_ERR_FORBIDDEN' });
    expect((await post('alarms', payload, { authorization: `Bearer ${ADMIN_KEY}` })).statusCode).toBe(202);
    expect((await post('alarms', payload, { authorization: 'Bearer user-admin' })).statusCode).toBe(202);
  });

  it('answers 503 with the rejects when valid items cannot be stored', async () => {
    const jsm = await jetstreamManager(nats.nc);
    await jsm.streams.delete('CADRE_IN');
    const res = await post('alarms', JSON.stringify([sample.alarm('lost', TIME), { bad: true }]));
    await ensureStreams(nats.nc, config);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      error: 'CADRE_ERR_UNAVAILABLE',
      accepted: 0,
      rejected: [{ index: 1 }],
    });
  });
});

describe('HTTP ingest without NATS', () => {
  const nats = useNats();
  const config = fixtureConfig({ 'access.yaml': access });

  it('answers 503 when its connection is gone (a broker error, not a bug: 500)', async () => {
    const nc = await connect({ servers: nats.url });
    await nc.close();
    const app = Fastify();
    await app.register(ingestHttp, { nc, config, now: () => NOW });
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/api/ingest/alarms',
        payload: JSON.stringify([sample.alarm('gone', TIME)]),
        headers: { authorization: `Bearer ${INGEST_KEY}`, 'content-type': 'application/json' },
      });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({
        error: 'CADRE_ERR_UNAVAILABLE',
        message: 'NATS is not available (closed connection); try again',
      });
    } finally {
      await app.close();
    }
  });
});

describe('HTTP ingest limits per request', () => {
  const nats = useNats();
  const config = fixtureConfig({
    'access.yaml': access,
    'cadre.yaml': 'http: {ingest: {maxItems: 50, maxItemBytes: 2048, maxRejectsListed: 3}}\n',
  });
  let app: FastifyInstance;
  beforeAll(async () => {
    await ensureStreams(nats.nc, config);
    app = Fastify();
    await app.register(ingestHttp, { nc: nats.nc, config, now: () => NOW });
  });
  afterAll(() => app.close());
  const post = (payload: string) =>
    app.inject({
      method: 'POST',
      url: '/api/ingest/alarms',
      payload,
      headers: { authorization: `Bearer ${INGEST_KEY}`, 'content-type': 'application/x-ndjson' },
    });
  const lines = (items: unknown[]) => items.map((i) => JSON.stringify(i)).join('\n');

  it('rejects an item too large to store by its index and stores the rest (it failed the whole batch, for good)', async () => {
    const big = { ...sample.alarm('big', TIME), extra: 'x'.repeat(3000) };
    const res = await post(lines([sample.alarm('s1', TIME), big, sample.alarm('s2', TIME)]));
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({
      accepted: 2,
      rejected: [{ index: 1, code: 'CADRE_ERR_TOO_LARGE', reason: expect.stringContaining('maxItemBytes') }],
    });
  });

  it('refuses more items than a request may carry at once, and lists only the first rejects with their count', async () => {
    const many = await post(lines(Array.from({ length: 51 }, () => ({}))));
    expect(many.statusCode).toBe(413);
    expect(many.json()).toMatchObject({
      error: 'CADRE_ERR_TOO_LARGE',
      message: expect.stringContaining('maxItems'),
    });
    const bad = await post(lines(Array.from({ length: 10 }, () => ({}))));
    expect(bad.statusCode).toBe(202);
    expect(bad.json()).toMatchObject({ accepted: 0, rejectedCount: 10 });
    expect(bad.json().rejected).toHaveLength(3);
  });
});
