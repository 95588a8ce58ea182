/**
 * Every message the gateway reads from NATS is checked by the compiled schema of what should be
 * there (issue 10): a malformed KPI sample in CADRE_IN (which holds the input the processor
 * rejected too), grid document, processor stats message, command reply, transition or notification
 * log is logged and skipped — no crash, the API answers 200 (or the 503 of "no answer") without the
 * bad data. And the other way round: what the processor's core writes (grid documents, command
 * replies, transitions) passes the same schemas, so the checks drop nothing real.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { useNats } from '../helpers/nats.js';
import { ensureStreams } from '../../broker/streams.js';
import type { Gateway } from '../../gateway/server.js';
import type { Command } from '../../shared/schemas.js';
import { BUCKETS, subjects } from '../../shared/subjects.js';
import { compile, decodeChecked, TRANSITION_DOC } from '../../shared/validate.js';
import {
  CommandReplySchema,
  GridDocSchema,
  ProcessorStatsSchema,
  emptyKpiSeries,
  quietGridDoc,
  type GridDoc,
} from '../../shared/views.js';
import { notifyConfig } from '../notify/helpers.js';
import { province } from '../processor/generators.js';
import { run, topology } from '../processor/helpers.js';
import {
  loginToken,
  publishTransitions,
  putEventDoc,
  putGridDoc,
  startGateway,
  testConfig,
  transition,
  until,
} from './helpers.js';

const nats = useNats();
let gw: Gateway;
let token: string;
let dispatcher: string;
/** The gateway's log lines (pino JSON). */
const lines: string[] = [];
const skipped = (where: string) =>
  lines
    .map((l) => JSON.parse(l) as { msg?: string; where?: string; problem?: string })
    .filter((l) => l.msg === 'unreadable message skipped' && l.where?.includes(where));

const NE = 'XT-YH-0003-BTS1';
const now = Date.now();
const minutesAgo = (n: number) => new Date(now - n * 60_000).toISOString();
const kpiEvent = transition({
  id: 'ev-kpi',
  rule: 'kpi',
  level: 'yellow',
  at: new Date(now).toISOString(),
  evidence: { alarms: [], complaints: [], elements: [NE] },
});
const grid: GridDoc = {
  ...quietGridDoc('XT-YH-0003', 'XT', new Date(now).toISOString()),
  level: 'yellow',
  active: ['ev-kpi'],
  degraded: [{ ne: NE, metric: 'drop_rate', value: 0.2, critical: false }],
};

beforeAll(async () => {
  await ensureStreams(nats.nc, notifyConfig({}));
  await putEventDoc(nats.nc, kpiEvent);
  await putGridDoc(nats.nc, grid);
  gw = await startGateway(nats.nc, {
    config: await testConfig(),
    commandTimeoutMs: 1500,
    logger: { level: 'warn', stream: { write: (line: string) => lines.push(line) } },
  });
  token = await loginToken(gw, 'admin');
  dispatcher = await loginToken(gw, 'xt-dispatcher');
}, 30_000);

afterAll(async () => {
  await gw?.close();
});

const get = (url: string) => gw.app.inject({ url, headers: { authorization: `Bearer ${token}` } });

describe('the gateway skips what is not what it should be', () => {
  it('a KPI sample the processor rejected (CADRE_IN) is not the why panel’s last sample', async () => {
    const js = jetstream(nats.nc);
    const good = {
      ne: NE,
      time: minutesAgo(3),
      period: 900,
      metrics: { drop_rate: 0.2 },
      competitor: { drop_rate: 0.01 },
    };
    // Newer, so it would be the one shown: a drop rate of 7 and a negative period are not a sample.
    const bad = {
      ne: NE,
      time: minutesAgo(1),
      period: -5,
      metrics: { drop_rate: 7 },
      competitor: { drop_rate: 0.9 },
    };
    await js.publish(subjects.input('kpi', 'XT'), JSON.stringify(good));
    await js.publish(subjects.input('kpi', 'XT'), JSON.stringify(bad));
    await js.publish(subjects.input('kpi', 'XT'), 'not json {');

    const res = await get('/api/events/ev-kpi/why');
    expect(res.statusCode).toBe(200);
    const kpi = (res.json() as { why: { kpi: { ne: string; competitor?: number; sampleAt?: string }[] } }).why
      .kpi;
    expect(kpi).toEqual([expect.objectContaining({ ne: NE, competitor: 0.01, sampleAt: good.time })]);
    expect(skipped('cadre.in.kpi.XT').map((l) => l.problem)).toEqual([
      expect.stringMatching(/^\/(period|metrics\/drop_rate): /),
      expect.stringMatching(/^not JSON/),
    ]);
  });

  it('a grid document of another shape is not served: the grid answers its quiet document', async () => {
    await putGridDoc(nats.nc, {
      id: 'XT-YT-0010',
      city: 'XT',
      level: 'purple',
      alarms: 'none',
    } as unknown as GridDoc);
    await new Promise((r) => setTimeout(r, 300)); // the watcher's delivery
    const res = await get('/api/grids/XT-YT-0010');
    expect(res.statusCode).toBe(200);
    const { status } = res.json() as { status: GridDoc };
    expect(status).toMatchObject({ id: 'XT-YT-0010', level: null, alarms: [] });
    expect(skipped(`${BUCKETS.grids} XT-YT-0010`)).toHaveLength(1);
    // Read again: the same document is not parsed, checked nor logged twice.
    expect((await get('/api/grids/XT-YT-0010')).statusCode).toBe(200);
    expect(skipped(`${BUCKETS.grids} XT-YT-0010`)).toHaveLength(1);
    // The good one beside it is served as written.
    expect(((await get('/api/grids/XT-YH-0003')).json() as { status: GridDoc }).status).toEqual(grid);
  });

  it('a processor stats message of another shape counts no partition', async () => {
    const bad = {
      partition: 'p-bad',
      at: minutesAgo(0),
      rates: 'fast',
      lagSeconds: 0,
      pending: 'lots',
      active: {},
    };
    nats.nc.publish('cadre.stats.processor.p-bad', JSON.stringify(bad));
    nats.nc.publish('cadre.stats.processor.p-bad', 'garbage');
    const good = {
      partition: 'p-good',
      at: minutesAgo(0),
      rates: { alarm: 2 },
      lagSeconds: 0.5,
      pending: 3,
      active: { red: 0, orange: 0, yellow: 1, blue: 0 },
    };
    nats.nc.publish('cadre.stats.processor.p-good', JSON.stringify(good));
    await nats.nc.flush();
    await until(() => gw.model.processorView().partitions > 0);
    await until(() => skipped('cadre.stats.processor.p-bad').length === 2);
    expect(gw.model.processorView()).toEqual({
      partitions: 1,
      pending: 3,
      lagSeconds: 0.5,
      rates: { alarm: 2 },
    });
    const res = await gw.app.inject({ url: '/readyz' });
    expect(res.json()).toMatchObject({ detail: { partitions: 1, pending: 3 } });
  });

  it('a command reply of another shape is skipped: the real one after it is the answer, none is a 503', async () => {
    await putEventDoc(nats.nc, transition({ id: 'ev-cmd' }));
    await until(() => gw.model.event('ev-cmd') !== undefined);
    let answerWell = true;
    const sub = nats.nc.subscribe('cadre.in.command.*', {
      callback: (_err, m) => {
        const command = m.json<Command>();
        const reply = `cadre.reply.command.${command.id}`;
        nats.nc.publish(reply, JSON.stringify({ ok: true })); // neither event nor incident
        nats.nc.publish(reply, JSON.stringify({ ok: false, code: 42 }));
        if (answerWell)
          nats.nc.publish(
            reply,
            JSON.stringify({
              ok: true,
              event: transition({ id: 'ev-cmd', seq: 2, transition: 'commented' }),
            }),
          );
      },
    });
    try {
      const comment = () =>
        gw.app.inject({
          method: 'POST',
          url: '/api/events/ev-cmd/comment',
          headers: { authorization: `Bearer ${dispatcher}` },
          payload: { text: 'on site' },
        });
      const done = await comment();
      expect(done.statusCode).toBe(200);
      expect(done.json()).toMatchObject({ event: { id: 'ev-cmd', seq: 2, transition: 'commented' } });
      expect(skipped('cadre.reply.command.')).toHaveLength(2);

      answerWell = false;
      const unanswered = await comment();
      expect(unanswered.statusCode).toBe(503);
      expect(unanswered.json()).toMatchObject({ error: 'CADRE_ERR_UNAVAILABLE' });
    } finally {
      sub.unsubscribe();
    }
  });

  it('an event’s history and notification log hold no message of another shape', async () => {
    const ev = transition({ id: 'ev-hist', grid: 'HY-SG-0005', city: 'HY' });
    await putEventDoc(nats.nc, ev);
    await publishTransitions(nats.nc, [ev]);
    const js = jetstream(nats.nc);
    await js.publish(
      subjects.event('HY', 'HY-SG-0005'),
      JSON.stringify({ id: 'ev-hist', seq: 2, transition: 'bogus' }),
    );
    const logKv = await new Kvm(js).open(BUCKETS.notifyLog);
    await logKv.put('ev-hist', JSON.stringify({ id: 'ev-hist', entries: [{ task: 'x', outcome: 'lost' }] }));
    await until(() => gw.model.event('ev-hist') !== undefined);

    const res = await get('/api/events/ev-hist');
    expect(res.statusCode).toBe(200);
    const body = res.json() as { history: { seq: number }[]; notifications: unknown[] };
    expect(body.history.map((t) => t.seq)).toEqual([1]);
    expect(body.notifications).toEqual([]);
    expect(skipped('cadre.event.HY.HY-SG-0005').length).toBeGreaterThan(0);
    expect(skipped(`${BUCKETS.notifyLog} ev-hist`)).toHaveLength(1);
  });
});

describe('decodeChecked', () => {
  const GRID = compile(GridDocSchema);
  it('never throws, and answers only what the schema accepts (any bytes, any JSON)', () => {
    const log: string[] = [];
    const anyJson = fc.oneof(
      fc.json(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .record({ alarms: fc.jsonValue(), kpi: fc.jsonValue(), days: fc.jsonValue(), level: fc.jsonValue() })
        .map((over) => JSON.stringify({ ...quietGridDoc('g', 'c', minutesAgo(0)), ...over })),
      fc.uint8Array().map((b) => Buffer.from(b).toString('latin1')),
    );
    fc.assert(
      fc.property(anyJson, (text) => {
        const m = { subject: 's', seq: 1, json: () => JSON.parse(text) as never };
        const doc = decodeChecked(m, GRID, (line) => log.push(line));
        if (doc !== undefined) expect(GRID.check(doc)).toBe(true);
      }),
      { numRuns: 500, seed: 1 },
    );
  });
});

describe('what the processor writes passes the schemas its readers check', () => {
  const GRID = compile(GridDocSchema);
  const REPLY = compile(CommandReplySchema);
  const STATS = compile(ProcessorStatsSchema);
  const round = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
  const problem = (c: { check(v: unknown): boolean; explain(v: unknown): string }, v: unknown) =>
    c.check(v) ? undefined : c.explain(v);

  it('grid documents, command replies and transitions of generated province input (fast-check)', () => {
    fc.assert(
      fc.property(province({ gapTicks: 'sometimes' }), (p) => {
        const r = run(p.lines);
        for (const g of topology.grids) {
          const doc = round(r.core.gridDoc(g.id));
          expect(problem(GRID, doc), `grid ${g.id}`).toBeUndefined();
        }
        for (const o of r.outputs) {
          for (const { reply } of o.replies) expect(problem(REPLY, round(reply))).toBeUndefined();
          for (const t of [...o.transitions, ...o.incidents])
            expect(problem(TRANSITION_DOC, round(t)), `${t.id}#${t.seq}`).toBeUndefined();
        }
        const stats = {
          partition: '0',
          at: minutesAgo(0),
          rates: { alarm: 1.5 },
          lagSeconds: 0,
          pending: 0,
          active: r.core.activeByLevel(),
          clock: { at: null, aheadSeconds: 0, jumped: false, refusedTicks: 0 },
        };
        expect(problem(STATS, round(stats))).toBeUndefined();
      }),
      { numRuns: 30, seed: 1 },
    );
  });

  it('a grid day written before the Deal counters (absent, read as 0) is still a grid document', () => {
    const day = {
      complaints: 1,
      byCategory: { voice: 1 },
      repeats: 0,
      events: { red: 0, orange: 1, yellow: 0, blue: 0 },
    };
    const doc = {
      ...quietGridDoc('XT-YH-0003', 'XT', minutesAgo(0)),
      days: { '2026-10-15': day },
      kpi: emptyKpiSeries(),
    };
    expect(problem(GRID, doc)).toBeUndefined();
  });
});
