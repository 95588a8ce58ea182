import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { jetstreamManager } from '@nats-io/jetstream';
import { useNats } from '../helpers/nats.js';
import type { Gateway } from '../../gateway/server.js';
import { quietGridDoc, type DayStats, type GridDoc } from '../../shared/views.js';
import { emptyDay } from '../../contract/scorecard.js';
import {
  ensureCadreStreams,
  loginToken,
  publishTransitions,
  putEventDoc,
  putGridDoc,
  standInProcessor,
  startGateway,
  testConfig,
  transition,
  until,
} from './helpers.js';

const nats = useNats();
let gw: Gateway;
let admin: string;
let xtDispatcher: string;
const auditLines: string[] = [];
const NOW = Date.parse('2025-03-10T12:00:00Z');
const BIG_ASSET = 'console.log("cadre");\n'.repeat(500);

async function login(username: string): Promise<string> {
  return loginToken(gw, username);
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function day(fields: Partial<DayStats>): DayStats {
  return { ...emptyDay(), ...fields };
}

function gridDoc(id: string, city: string, days: Record<string, DayStats>): GridDoc {
  return { ...quietGridDoc(id, city, new Date(NOW).toISOString()), days };
}

// State written before the gateway starts: it must come from the KV load.
const complaintEvent = transition({
  id: 'ev-complaint',
  rule: 'complaint',
  level: 'yellow',
  grid: 'XT-YT-0010',
  evidence: { alarms: ['A-1', 'A-2'], complaints: ['C-77'], elements: [] },
  openedAt: '2025-03-10T11:00:00.000Z',
  at: '2025-03-10T11:00:00.000Z',
});
// A complaint with a promise, for the status page (no test acts on it); deferred, so off the active lists.
const statusEvent = transition({
  id: 'ev-status',
  state: 'deferred',
  transition: 'deferred',
  rule: 'complaint',
  grid: 'XT-YT-0010',
  evidence: { alarms: [], complaints: ['C-88'], elements: [] },
  workOrders: [
    {
      complaint: 'C-88',
      customer: 'k88',
      tier: 3,
      receivedAt: '2025-03-10T11:00:00.000Z',
      ackDeadline: '2025-03-11T11:00:00.000Z',
      contactDeadline: '2025-03-10T12:00:00.000Z',
      promise: { at: '2025-03-11T02:00:00.000Z', moves: 0 },
    },
  ],
  at: '2025-03-10T11:00:00.000Z',
});
const hyEvent = transition({ id: 'ev-hy', city: 'HY', grid: 'HY-ZH-0002', level: 'red' });

beforeAll(async () => {
  await ensureCadreStreams(nats.nc);
  await publishTransitions(nats.nc, [complaintEvent, statusEvent, hyEvent]);
  await putEventDoc(nats.nc, complaintEvent);
  await putEventDoc(nats.nc, statusEvent);
  await putEventDoc(nats.nc, hyEvent);
  await putGridDoc(
    nats.nc,
    gridDoc('XT-YH-0003', 'XT', {
      '2025-03-10': day({
        complaints: 13,
        repeats: 1,
        byCategory: { voice: 3, data: 10, sms: 0, coverage: 0, wlan: 0, other: 0 },
        acked: 2,
        ackMinutes: 30,
        slaDue: 4,
        slaMet: 3,
        events: { red: 1, orange: 0, yellow: 2, blue: 0 },
      }),
      '2025-03-05': day({
        complaints: 13,
        repeats: 3,
        resolved: 1,
        resolveMinutes: 120,
        degradedElements: 2,
      }),
      '2025-02-01': day({ complaints: 100 }),
    }),
  );
  await putGridDoc(
    nats.nc,
    gridDoc('HY-SG-0005', 'HY', {
      '2025-03-10': day({ complaints: 14, events: { red: 2, orange: 0, yellow: 0, blue: 0 } }),
    }),
  );
  const uiDir = mkdtempSync(join(tmpdir(), 'cadre-ui-'));
  mkdirSync(join(uiDir, 'assets'));
  writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>cadre</title>');
  writeFileSync(join(uiDir, 'assets', 'app-1234.js'), 'console.log(1)');
  writeFileSync(join(uiDir, 'assets', 'big-5678.js'), BIG_ASSET);
  gw = await startGateway(nats.nc, {
    config: await testConfig(),
    now: () => NOW,
    uiDir,
    commandTimeoutMs: 300,
    bodyLimit: 64 * 1024,
    logger: { level: 'info', stream: { write: (line: string) => auditLines.push(line) } },
  });
  admin = await login('admin');
  xtDispatcher = await login('xt-dispatcher');
});

afterAll(async () => {
  await gw?.close();
});

describe('events', () => {
  it('lists the active events loaded from KV, filtered', async () => {
    const all = await gw.app.inject({ url: '/api/events', headers: bearer(admin) });
    expect(
      all
        .json()
        .events.map((e: { id: string }) => e.id)
        .sort(),
    ).toEqual(['ev-complaint', 'ev-hy']);
    const hy = await gw.app.inject({ url: '/api/events?city=HY&level=red', headers: bearer(admin) });
    expect(hy.json().events.map((e: { id: string }) => e.id)).toEqual(['ev-hy']);
    const bad = await gw.app.inject({ url: '/api/events?level=purple', headers: bearer(admin) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('CADRE_ERR_BAD_REQUEST');
  });

  it('gives one event with its transitions history from the stream', async () => {
    const acked = {
      ...complaintEvent,
      seq: 2,
      transition: 'acknowledged' as const,
      state: 'acknowledged' as const,
    };
    await publishTransitions(nats.nc, [acked]);
    await until(() => gw.model.event('ev-complaint')?.seq === 2);
    const res = await gw.app.inject({ url: '/api/events/ev-complaint', headers: bearer(admin) });
    expect(res.statusCode).toBe(200);
    expect(res.json().event.seq).toBe(2);
    expect(res.json().history.map((t: { seq: number; transition: string }) => [t.seq, t.transition])).toEqual(
      [
        [1, 'opened'],
        [2, 'acknowledged'],
      ],
    );
  });

  it('finds the whole history even when event time is far from publish time (a replayed feed)', async () => {
    const future = transition({
      id: 'ev-future',
      grid: 'XT-YT-0010',
      openedAt: '2030-01-01T00:00:00.000Z',
      at: '2030-01-01T00:00:00.000Z',
    });
    await publishTransitions(nats.nc, [
      future,
      { ...future, seq: 2, transition: 'cleared', state: 'cleared' },
    ]);
    await until(() => gw.model.event('ev-future')?.seq === 2);
    const res = await gw.app.inject({ url: '/api/events/ev-future', headers: bearer(admin) });
    expect(res.json().history.map((t: { seq: number }) => t.seq)).toEqual([1, 2]);
  });

  it('answers 404 for an unknown event, on read and on action', async () => {
    expect((await gw.app.inject({ url: '/api/events/nope', headers: bearer(admin) })).statusCode).toBe(404);
    const res = await gw.app.inject({
      method: 'POST',
      url: '/api/events/nope/ack',
      headers: bearer(admin),
      payload: {},
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toBe('CADRE_ERR_UNKNOWN_EVENT');
  });

  it('resolves through the processor: 409 with the uncleared alarms, then 200 once allowed', async () => {
    let cleared = false;
    const processor = standInProcessor(nats.nc, (cmd) =>
      cleared
        ? {
            ok: true,
            event: {
              ...complaintEvent,
              seq: 3,
              transition: 'resolved',
              state: 'resolved',
              by: cmd.by,
              text: cmd.text,
            },
          }
        : {
            ok: false,
            code: 'CADRE_ERR_CONFLICT',
            message: 'evidence alarms not cleared',
            alarms: ['A-1', 'A-2'],
          },
    );
    try {
      const refused = await gw.app.inject({
        method: 'POST',
        url: '/api/events/ev-complaint/resolve',
        headers: bearer(xtDispatcher),
        payload: { note: 'fixed the feeder' },
      });
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ error: 'CADRE_ERR_CONFLICT', alarms: ['A-1', 'A-2'] });
      expect(processor.seen[0]).toMatchObject({
        type: 'command',
        action: 'resolve',
        event: 'ev-complaint',
        by: 'xt-dispatcher',
        text: 'fixed the feeder',
        time: new Date(NOW).toISOString(),
      });

      cleared = true;
      const done = await gw.app.inject({
        method: 'POST',
        url: '/api/events/ev-complaint/resolve',
        headers: bearer(xtDispatcher),
        payload: {},
      });
      expect(done.statusCode).toBe(200);
      expect(done.json().event).toMatchObject({ id: 'ev-complaint', state: 'resolved', seq: 3 });
      // The read model holds the new state at once: the event is no longer active, and a second resolve is a conflict.
      const active = await gw.app.inject({ url: '/api/events', headers: bearer(admin) });
      expect(active.json().events.map((e: { id: string }) => e.id)).toEqual(['ev-hy']);
      const again = await gw.app.inject({
        method: 'POST',
        url: '/api/events/ev-complaint/ack',
        headers: bearer(xtDispatcher),
        payload: {},
      });
      expect(again.statusCode).toBe(409);
      // Every action is audited with who, what and the outcome.
      const audit = auditLines.map((l) => JSON.parse(l)).filter((l) => l.audit?.action === 'resolve');
      expect(audit.map((l) => [l.audit.by, l.audit.outcome])).toEqual([
        ['xt-dispatcher', 'CADRE_ERR_CONFLICT'],
        ['xt-dispatcher', 'applied'],
      ]);
    } finally {
      processor.stop();
    }
  });

  it('answers 503 when no processor replies in time', async () => {
    const res = await gw.app.inject({
      method: 'POST',
      url: '/api/events/ev-hy/ack',
      headers: bearer(admin),
      payload: {},
    });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toBe('CADRE_ERR_UNAVAILABLE');
  });

  it('validates action bodies', async () => {
    const res = await gw.app.inject({
      method: 'POST',
      url: '/api/events/ev-hy/assign',
      headers: bearer(admin),
      payload: {},
    });
    expect(res.statusCode).toBe(400);
    const plan = await gw.app.inject({
      method: 'POST',
      url: '/api/events/ev-hy/plan',
      headers: bearer(admin),
      payload: { at: 'tomorrow', scenario: 'x' },
    });
    expect(plan.statusCode).toBe(400);
  });
});

describe('grids, topology, scorecards, complaints', () => {
  it('shows a grid with its status and events', async () => {
    const res = await gw.app.inject({ url: '/api/grids/HY-ZH-0002', headers: bearer(admin) });
    expect(res.statusCode).toBe(200);
    expect(res.json().grid).toMatchObject({ id: 'HY-ZH-0002', city: 'HY', tier: 'key' });
    expect(res.json().events.map((e: { id: string }) => e.id)).toEqual(['ev-hy']);
    expect((await gw.app.inject({ url: '/api/grids/none', headers: bearer(admin) })).statusCode).toBe(404);
  });

  it('serves the topology with an ETag and answers 304 to a matching If-None-Match', async () => {
    const first = await gw.app.inject({ url: '/api/topology', headers: bearer(admin) });
    expect(first.statusCode).toBe(200);
    expect(first.json().grids).toHaveLength(4);
    expect(first.json().elements).toBeUndefined();
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^".+"$/);
    const again = await gw.app.inject({
      url: '/api/topology',
      headers: { ...bearer(admin), 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('gives one grid its scorecard line (the grid page)', async () => {
    const res = await gw.app.inject({
      url: '/api/scorecards?period=P7D&grid=HY-SG-0005',
      headers: bearer(admin),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().scorecards).toEqual([expect.objectContaining({ grid: 'HY-SG-0005', complaints: 14 })]);
  });

  it('sums the days of the period into scorecard lines, worst first', async () => {
    const week = await gw.app.inject({
      url: '/api/scorecards?period=P7D&sort=worst',
      headers: bearer(admin),
    });
    expect(week.statusCode).toBe(200);
    const body = week.json();
    expect(body.from).toBe('2025-03-03T16:00:00.000Z'); // local midnight in Asia/Shanghai
    expect(body.to).toBe('2025-03-10T12:00:00.000Z');
    const [first, second] = body.scorecards;
    // XT-YH-0003: 26 complaints / 26,000 subscribers = 10 per 10k; HY-SG-0005: 14 / 7,000 = 20 per 10k.
    expect(first).toMatchObject({ grid: 'HY-SG-0005', complaints: 14, complaintsPer10k: 20 });
    expect(second).toMatchObject({
      grid: 'XT-YH-0003',
      city: 'XT',
      subscribers: 26000,
      complaints: 26,
      complaintsPer10k: 10,
      repeatRate: Math.round((4 / 26) * 1e6) / 1e6,
      events: { red: 1, orange: 0, yellow: 2, blue: 0 },
      mttaMinutes: 15,
      mttrMinutes: 120,
      slaMetPct: 0.75,
    });
    expect(second.byCategory).toEqual({ voice: 3, data: 10, sms: 0, coverage: 0, wlan: 0, other: 0 });
    expect(body.scorecards).toHaveLength(4);
    const today = await gw.app.inject({
      url: '/api/scorecards?period=P1D&city=XT&limit=1&sort=worst',
      headers: bearer(admin),
    });
    expect(today.json().scorecards).toEqual([
      expect.objectContaining({ grid: 'XT-YH-0003', complaints: 13, mttrMinutes: null }),
    ]);
  });

  it('gives the customer-facing status of a complaint to a reader, in plain Chinese', async () => {
    const res = await gw.app.inject({ url: '/api/complaints/C-88/status', headers: bearer(admin) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      complaint: 'C-88',
      status: 'planned',
      plannedAt: '2025-03-11T02:00:00.000Z',
      updatedAt: '2025-03-10T11:00:00.000Z',
      text: '您的问题已预约在 3月11日 10:00 前解决。',
    });
    expect(
      (await gw.app.inject({ url: '/api/complaints/C-0/status', headers: bearer(admin) })).statusCode,
    ).toBe(404);
    const deferred = await gw.app.inject({ url: '/api/events?state=deferred', headers: bearer(admin) });
    expect(deferred.json().events.map((e: { id: string }) => e.id)).toEqual(['ev-status']);
  });
});

describe('maintenance', () => {
  it('publishes a window into the input log and lists it', async () => {
    const window = {
      id: 'mw-1',
      grids: ['HY-SG-0005'],
      start: '2025-03-11T01:00:00Z',
      end: '2025-03-11T03:00:00Z',
      reason: 'cutover',
    };
    const seen: string[] = [];
    const sub = nats.nc.subscribe('cadre.in.maintenance.>', {
      callback: (_e, m) => {
        seen.push(m.subject);
      },
    });
    const res = await gw.app.inject({
      method: 'POST',
      url: '/api/maintenance',
      headers: bearer(admin),
      payload: window,
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ id: 'mw-1' });
    await until(() => seen.length === 1);
    expect(seen).toEqual(['cadre.in.maintenance.HY']);
    sub.unsubscribe();
    await until(
      async () =>
        (await gw.app.inject({ url: '/api/maintenance', headers: bearer(admin) })).json().windows.length ===
        1,
    );
    const bad = await gw.app.inject({
      method: 'POST',
      url: '/api/maintenance',
      headers: bearer(admin),
      payload: { ...window, grids: ['nowhere'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('CADRE_ERR_UNKNOWN_GRID');
  });
});

describe('HTTP basics', () => {
  it('sets security headers', async () => {
    const res = await gw.app.inject({ url: '/healthz' });
    expect(res.json()).toEqual({ ok: true });
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('compresses what is worth it for clients that accept it', async () => {
    const big = await gw.app.inject({
      url: '/assets/big-5678.js',
      headers: { 'accept-encoding': 'br, gzip' },
    });
    expect(big.statusCode).toBe(200);
    expect(big.headers['content-encoding']).toBe('br');
    expect(big.headers['cache-control']).toContain('immutable');
    expect(brotliDecompressSync(big.rawPayload).toString()).toBe(BIG_ASSET);
    const gzip = await gw.app.inject({
      url: '/api/topology',
      headers: { ...bearer(admin), 'accept-encoding': 'gzip' },
    });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(gzip.rawPayload).toString()).cities.length).toBeGreaterThan(0);
    const plain = await gw.app.inject({ url: '/assets/big-5678.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(BIG_ASSET);
  });

  it('maps bad JSON and too-large bodies to {error, message}', async () => {
    const badJson = await gw.app.inject({
      method: 'POST',
      url: '/api/login',
      headers: { 'content-type': 'application/json' },
      payload: '{nope',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error).toBe('CADRE_ERR_BAD_JSON');
    const big = await gw.app.inject({
      method: 'POST',
      url: '/api/maintenance',
      headers: { ...bearer(admin), 'content-type': 'application/json' },
      payload: JSON.stringify({ reason: 'x'.repeat(70 * 1024) }),
    });
    expect(big.statusCode).toBe(413);
    // The limit in force is named, as ingest names it (shared/http_errors.ts).
    expect(big.json()).toEqual({
      error: 'CADRE_ERR_TOO_LARGE',
      message: expect.stringContaining('65536 bytes'),
    });
    // A body the routes cannot read: 400 naming what they read (was 415 'Unsupported Media Type').
    const xml = await gw.app.inject({
      method: 'POST',
      url: '/api/maintenance',
      headers: { ...bearer(admin), 'content-type': 'application/xml' },
      payload: '<window/>',
    });
    expect(xml.statusCode).toBe(400);
    expect(xml.json()).toEqual({
      error: 'CADRE_ERR_BAD_REQUEST',
      message: 'Content-Type must be one of application/json',
    });
    // Every 401 carries the challenge (RFC 9110), as ingest's did.
    const anonymous = await gw.app.inject({ method: 'POST', url: '/api/maintenance', payload: {} });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer');
    const unknown = await gw.app.inject({ url: '/api/nothing-here' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toBe('CADRE_ERR_NOT_FOUND');
  });

  it('serves the UI with the single-page fallback, and nothing outside its folder', async () => {
    for (const path of ['/', '/wall', '/desk', '/grid/XT-YH-0003', '/login']) {
      const res = await gw.app.inject({ url: path });
      expect(res.statusCode, path).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('<title>cadre</title>');
    }
    const asset = await gw.app.inject({ url: '/assets/app-1234.js' });
    expect(asset.headers['cache-control']).toContain('immutable');
    expect(asset.headers['content-length']).toBe(String('console.log(1)'.length));
    const head = await gw.app.inject({ method: 'HEAD', url: '/assets/app-1234.js' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-length']).toBe(String('console.log(1)'.length));
    expect(head.body).toBe('');
    const index = await gw.app.inject({ url: '/wall' });
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect((await gw.app.inject({ url: '/assets/../../etc/passwd' })).statusCode).toBe(404);
    expect((await gw.app.inject({ url: '/%2e%2e/%2e%2e/etc/passwd' })).statusCode).toBe(404);
    expect((await gw.app.inject({ url: '/random-page' })).statusCode).toBe(404);
  });
});

describe('health and metrics', () => {
  it('is not ready until a processor reports itself caught up', async () => {
    const notYet = await gw.app.inject({ url: '/readyz' });
    expect(notYet.statusCode).toBe(503);
    expect(notYet.json()).toMatchObject({ ok: false, nats: true, streams: true, processor: false });

    const report = (pending: number, lagSeconds: number) =>
      nats.nc.publish(
        'cadre.stats.processor.all',
        JSON.stringify({
          partition: 'all',
          at: new Date(NOW).toISOString(),
          rates: { alarm: 5 },
          lagSeconds,
          pending,
          active: { red: 1, orange: 0, yellow: 0, blue: 0 },
        }),
      );
    report(50_000, 120);
    await until(() => gw.model.processorView().partitions === 1);
    expect((await gw.app.inject({ url: '/readyz' })).json()).toMatchObject({
      ok: false,
      processor: false,
      detail: { pending: 50_000 },
    });

    report(3, 0.2);
    await until(() => gw.model.processorView().pending === 3);
    const ready = await gw.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ ok: true, nats: true, streams: true, processor: true });
  });

  it('is not ready while a stream is missing, and names it', async () => {
    const jsm = await jetstreamManager(nats.nc);
    await jsm.streams.delete('CADRE_DLQ');
    try {
      const res = await gw.app.inject({ url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({
        ok: false,
        nats: true,
        streams: false,
        detail: { missingStreams: ['CADRE_DLQ'] },
      });
    } finally {
      await ensureCadreStreams(nats.nc);
    }
    expect((await gw.app.inject({ url: '/readyz' })).json().streams).toBe(true);
  });

  it('exposes Prometheus text with the socket clients gauge', async () => {
    const res = await gw.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('# TYPE cadre_socket_clients gauge');
  });
});
