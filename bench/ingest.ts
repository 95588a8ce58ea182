/**
 * The ingest part of `npm run bench`: messages per second into CADRE_IN by the paths producers use,
 * each as a ratio to bare `js.publish` of the same payloads (window 100) measured in the same run,
 * and the processor intake's gate as a ratio to bare `JSON.parse` of the same bytes.
 */
import Fastify from 'fastify';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { cadreFrom, rulesFrom } from '../config/load.js';
import type { Access } from '../config/access.js';
import { hashApiKey } from '../shared/passwords.js';
import { STREAMS, subjects } from '../shared/subjects.js';
import type { Topology } from '../config/topology.js';
import type { ProducerType } from '../shared/schemas.js';
import { ensureStreams } from '../broker/streams.js';
import { normalize } from '../contract/normalize.js';
import { screenBatch, splitBatch } from '../ingest/batch.js';
import { publishItemOf, publishWindowed, type ProducerInput, type PublishItem } from '../broker/publish.js';
import { ingestHttp } from '../ingest/http.js';
import { createIntake, type RawMessage } from '../processor/intake.js';
import { mixedLines, type MixedLine } from './dataset.js';
import { alternate, timed, type BenchContext, type BenchPart, type BenchRow } from './harness.js';

const BATCH = 1000;
const HTTP_IN_FLIGHT = 4;
const ROUTE = { alarm: 'alarms', kpi: 'kpis', complaint: 'complaints' } as const;
const API_KEY = 'bench-ingest-key';

export const ingestPart: BenchPart = {
  name: 'ingest',
  async run(ctx) {
    const nc = await connect({ servers: ctx.natsUrl });
    try {
      return [...(await natsAndHttp(ctx, nc)), ...(await intakeGate(ctx, nc))];
    } finally {
      await nc.close();
    }
  },
};

async function natsAndHttp(ctx: BenchContext, nc: NatsConnection): Promise<BenchRow[]> {
  const rules = rulesFrom();
  const cadre = cadreFrom();
  const access: Access = {
    users: [],
    apiKeys: [{ name: 'bench', keyHash: hashApiKey(API_KEY), role: 'ingest' }],
    anonymousViewer: false,
    unrelatedResolve: ['dispatcher', 'admin'],
    tokenTtl: 0,
  };
  await ensureStreams(nc, { cadre });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const lines = (tag: string) => mixedLines(ctx.topology, { count: ctx.count, now: ctx.now, tag });
  // Every measurement starts on an empty stream, with ids of its own (no dedup hits).
  const fresh = async (tag: string) => {
    await jsm.streams.purge(STREAMS.input.name);
    return lines(tag);
  };
  const expectAll = (stored: number) => {
    if (stored !== ctx.count) throw new Error(`bench: only ${stored} of ${ctx.count} messages were stored`);
  };

  const app = Fastify({ logger: false });
  await app.register(ingestHttp, { nc, config: { topology: ctx.topology, rules, access, cadre } });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });

  try {
    const rates = await alternate(ctx.rounds, {
      bare100: async (round) => {
        const items = toItems(await fresh(`b${round}`), ctx);
        return timed(ctx.count, async () => expectAll(stored(await jsPublishWindowed(js, items, 100))));
      },
      bare1000: async (round) => {
        const items = toItems(await fresh(`k${round}`), ctx);
        return timed(ctx.count, async () => expectAll(stored(await jsPublishWindowed(js, items, 1000))));
      },
      inboxAcks: async (round) => {
        const items = toItems(await fresh(`x${round}`), ctx);
        return timed(ctx.count, async () => expectAll(stored(await publishWindowed(nc, items))));
      },
      ingestPath: async (round) => {
        const bodies = ndjsonBatches(await fresh(`n${round}`));
        const config = { topology: ctx.topology, rules };
        return timed(ctx.count, async () => {
          let total = 0;
          for (const { type, body } of bodies) {
            const { valid } = screenBatch(splitBatch(body, 'ndjson'), type, config, Date.now(), 256 * 1024);
            total += stored(
              await publishWindowed(
                nc,
                valid.map((v) => v.item),
              ),
            );
          }
          expectAll(total);
        });
      },
      http: async (round) => {
        const bodies = ndjsonBatches(await fresh(`h${round}`));
        return timed(ctx.count, async () => expectAll(await postAll(address, bodies)));
      },
    });
    const bare = { what: 'bare js.publish, window 100', rate: rates.bare100 };
    return [
      { part: 'ingest', what: 'bare js.publish, window 100', rate: rates.bare100, note: 'the baseline' },
      { part: 'ingest', what: 'bare js.publish, window 1000', rate: rates.bare1000, baseline: bare },
      {
        part: 'ingest',
        what: "cadre's publisher (one reply inbox for all PubAcks), window 1000",
        rate: rates.inboxAcks,
        baseline: bare,
        note: 'broker/publish.ts: HTTP ingest and the processor outbox use it',
      },
      {
        part: 'ingest',
        what: `split+screen+publish, NDJSON ${BATCH}/batch, one at a time`,
        rate: rates.ingestPath,
        baseline: bare,
        note: 'HTTP ingest without HTTP',
      },
      {
        part: 'ingest',
        what: `HTTP ingest, NDJSON ${BATCH}/request, ${HTTP_IN_FLIGHT} in flight`,
        rate: rates.http,
        baseline: bare,
        note: 'loopback, client in the same process',
      },
    ];
  } finally {
    await app.close();
  }
}

/** The intake gate on messages already in memory: no NATS in the loop, so the gate's own cost shows. */
async function intakeGate(ctx: BenchContext, nc: NatsConnection): Promise<BenchRow[]> {
  const encoder = new TextEncoder();
  const count = ctx.count * 10;
  const messages: RawMessage[] = mixedLines(ctx.topology, { count, now: ctx.now, tag: 'i' }).map(
    (l, seq) => ({
      // On its city's subject, as producers publish (intake refuses another city's).
      subject: subjects.input(l.type, cityOf(ctx.topology, l)),
      seq,
      data: encoder.encode(l.line),
    }),
  );
  const intake = createIntake({ nc, topology: ctx.topology });
  const decoder = new TextDecoder();
  let sink = 0;
  const rates = await alternate(ctx.rounds, {
    parse: async () =>
      timed(count, () => {
        for (const m of messages) if (JSON.parse(decoder.decode(m.data))) sink++;
      }),
    gate: async () =>
      timed(count, () => {
        for (const m of messages) if (intake.accept(m)) sink++;
      }),
  });
  await intake.settled();
  if (sink !== count * ctx.rounds * 2) throw new Error('bench: intake rejected generated input');
  return [
    { part: 'intake', what: 'bare decode + JSON.parse', rate: rates.parse, note: 'the baseline' },
    {
      part: 'intake',
      what: 'intake.accept (parse + normalize)',
      rate: rates.gate,
      baseline: { what: 'bare decode + JSON.parse', rate: rates.parse },
    },
  ];
}

/** The exact messages the ingest path would publish, prepared outside the timed region. */
function toItems(lines: MixedLine[], ctx: BenchContext): PublishItem[] {
  return lines.map((l) => {
    const result = normalize(JSON.parse(l.line), l.type, ctx.topology);
    if (!result.ok) throw new Error(`bench: generated input rejected: ${result.reject.reason}`);
    return { ...publishItemOf(result.input as ProducerInput), data: l.line };
  });
}

/** The baseline: bare `js.publish` (a request per message) in a sliding window of lanes. */
async function jsPublishWindowed(
  js: JetStreamClient,
  items: readonly PublishItem[],
  window: number,
): Promise<{ ok: boolean }[]> {
  const results = new Array<{ ok: boolean }>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      const item = items[i];
      results[i] = await js.publish(item.subject, item.data, { msgID: item.msgId }).then(
        () => ({ ok: true }),
        () => ({ ok: false }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, items.length) }, lane));
  return results;
}

function stored(results: { ok: boolean }[]): number {
  return results.reduce((n, r) => n + (r.ok ? 1 : 0), 0);
}

interface Batch {
  type: ProducerType;
  path: string;
  body: string;
}

/** NDJSON bodies of up to BATCH lines of one type each (the routes are per type). */
function ndjsonBatches(lines: MixedLine[]): Batch[] {
  const bodies: Batch[] = [];
  for (const type of ['alarm', 'kpi', 'complaint'] as const) {
    const ofType = lines.filter((l) => l.type === type).map((l) => l.line);
    for (let i = 0; i < ofType.length; i += BATCH)
      bodies.push({ type, path: `/api/ingest/${ROUTE[type]}`, body: ofType.slice(i, i + BATCH).join('\n') });
  }
  return bodies;
}

/** Posts every body with HTTP_IN_FLIGHT requests at once; returns the items accepted. */
async function postAll(address: string, bodies: Batch[]): Promise<number> {
  let next = 0;
  let accepted = 0;
  const lane = async () => {
    while (next < bodies.length) {
      const { path, body } = bodies[next++];
      const res = await fetch(address + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/x-ndjson' },
        body,
      });
      const answer = (await res.json()) as { accepted: number };
      if (res.status !== 202) throw new Error(`bench: HTTP ${res.status} ${JSON.stringify(answer)}`);
      accepted += answer.accepted;
    }
  };
  await Promise.all(Array.from({ length: HTTP_IN_FLIGHT }, lane));
  return accepted;
}

function cityOf(topology: Topology, l: MixedLine): string {
  const n = normalize(JSON.parse(l.line), l.type, topology);
  if (!n.ok || !('city' in n.input)) throw new Error('bench: generated input rejected');
  return n.input.city;
}
