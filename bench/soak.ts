/**
 * The soak part of `npm run bench` (issue 10): the live processor over five days of the processor
 * part's province at its daily rate (~1.5M messages, one stream of input as a province sends it, ticks
 * included), from an empty checkpoint to caught up. Throughput and RSS are read at every 100k
 * messages applied: a cost that grows with the length of the run (the dedup set of the first release,
 * 70% of a five-day replay) shows as a last 100k slower than the first, memory that does not level
 * off as RSS still rising at the end. Goal: both within 20% from the first 100k to the last.
 *
 * The input is generated and published as a stream (nothing held but one chunk), so the bench
 * process's own memory is the processor's.
 */
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import type { Topology } from '../config/topology.js';
import { normalize } from '../contract/normalize.js';
import { startProcessor } from '../processor/live.js';
import { processedTotal, rejectedTotal } from '../shared/metrics.js';
import { messageId, subjects } from '../shared/subjects.js';
import { generateDay } from '../sim/ndjson.js';
import type { BenchPart, BenchRow } from './harness.js';
import { mb, resetOutputs } from './nats_fixture.js';
import { benchConfig, largeTopology, MESSAGES, SEED } from './processor.js';

const DAYS = 5;
const STEP = 100_000;
const PUBLISH_CHUNK = 5000;
/** A run that makes no progress for this long is stuck, not slow. */
const STALL_MS = 30_000;

export const soakPart: BenchPart = {
  name: 'soak',
  async run(ctx) {
    const { config, dispose } = benchConfig(largeTopology());
    const nc = await connect({ servers: ctx.natsUrl, noAsyncTraces: true });
    try {
      await resetOutputs(nc, { freshInput: true });
      const started = Date.now();
      const total = await publishDays(nc, config.topology);
      ctx.log(
        `  soak: ${total.toLocaleString('en-US')} messages of ${DAYS} days stored in ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
      return rows(await soak(ctx.natsUrl, nc, config, total), total);
    } finally {
      await resetOutputs(nc, { freshInput: true });
      await nc.close();
      dispose();
    }
  },
};

/** Generates the five days and publishes them chunk by chunk, as producers would; the count stored. */
async function publishDays(nc: NatsConnection, topology: Topology): Promise<number> {
  let n = 0;
  for (const data of generateDay({ topology, messages: MESSAGES, seed: SEED, days: DAYS })) {
    const raw = JSON.parse(data) as Record<string, unknown>;
    if (raw.type === 'tick') nc.publish(subjects.tick(undefined), data);
    else {
      const r = normalize(raw, undefined, topology);
      if (!r.ok || !('city' in r.input)) throw new Error(`bench: generated line rejected: ${data}`);
      const h = headers();
      h.set('Nats-Msg-Id', messageId(r.input.type, raw));
      nc.publish(subjects.input(r.input.type, r.input.city), data, { headers: h });
    }
    if (++n % PUBLISH_CHUNK === 0) await nc.flush();
  }
  await nc.flush();
  return n;
}

interface Mark {
  consumed: number;
  /** Seconds since the processor started. */
  at: number;
  rss: number;
}

interface Soak {
  /** At each whole STEP of messages applied, and at the end. */
  marks: Mark[];
  /** The longest time between two reads of the progress (the processor's thread held them up), s. */
  longestGap: number;
}

async function soak(
  natsUrl: string,
  nc: NatsConnection,
  config: ReturnType<typeof benchConfig>['config'],
  total: number,
): Promise<Soak> {
  const consumed = async () => {
    const sum = async (c: typeof processedTotal | typeof rejectedTotal) =>
      (await c.get()).values.reduce((n, v) => n + v.value, 0);
    return (await sum(processedTotal)) + (await sum(rejectedTotal));
  };
  const before = await consumed();
  const start = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - start) / 1e9;
  const processor = await startProcessor({ nc, natsUrl, config, ticks: false, log: () => {} });
  // Reads of the progress; a step's time is interpolated between the two reads around it (a feed
  // batch applies up to 1,024 messages at once, and reads are ~20 ms apart at best).
  const reads: Mark[] = [{ consumed: 0, at: 0, rss: process.memoryUsage().rss }];
  let last = { n: 0, at: Date.now() };
  try {
    for (;;) {
      await new Promise((r) => setTimeout(r, 20));
      const n = (await consumed()) - before;
      reads.push({ consumed: n, at: seconds(), rss: process.memoryUsage().rss });
      if (n >= total && processor.caughtUp()) break;
      if (n !== last.n) last = { n, at: Date.now() };
      else if (Date.now() - last.at > STALL_MS)
        throw new Error(`bench: soak made no progress for ${STALL_MS / 1000} s (at ${n} of ${total})`);
    }
  } finally {
    await processor.stop();
  }
  const marks: Mark[] = [];
  let longestGap = 0;
  for (let i = 1; i < reads.length; i++) {
    const [a, b] = [reads[i - 1]!, reads[i]!];
    longestGap = Math.max(longestGap, b.at - a.at);
    for (let k = Math.floor(a.consumed / STEP) + 1; k * STEP <= b.consumed; k++) {
      const f = (k * STEP - a.consumed) / (b.consumed - a.consumed);
      marks.push({ consumed: k * STEP, at: a.at + f * (b.at - a.at), rss: b.rss });
    }
  }
  marks.push(reads.at(-1)!);
  return { marks, longestGap };
}

function rows({ marks, longestGap }: Soak, total: number): BenchRow[] {
  // Whole steps only: the last mark is the end, which may fall inside a step.
  const steps = marks.filter((m) => m.consumed % STEP === 0);
  const rateOf = (i: number) => STEP / (steps[i]!.at - (i === 0 ? 0 : steps[i - 1]!.at));
  const first = rateOf(0);
  const lastRate = rateOf(steps.length - 1);
  const end = marks.at(-1)!;
  const rates = steps.map((_, i) => rateOf(i));
  const row = (what: string, figure: string, note: string): BenchRow => ({
    part: 'soak',
    what,
    figure,
    note,
  });
  return [
    {
      part: 'soak',
      what: `live processor, ${DAYS} days (${total.toLocaleString('en-US')} msgs), to caught up`,
      rate: total / end.at,
      note: `${end.at.toFixed(0)} s; rate per 100k: min ${Math.min(...rates).toFixed(0)}, max ${Math.max(...rates).toFixed(0)} msg/s; progress unread for ${longestGap.toFixed(1)} s at most`,
    },
    row(
      'soak: rate of the last 100k ÷ the first',
      (lastRate / first).toFixed(2),
      `${first.toFixed(0)} → ${lastRate.toFixed(0)} msg/s (goal within 20%: 0.80–1.20)`,
    ),
    row(
      'soak: RSS at the last 100k ÷ at the first',
      (steps.at(-1)!.rss / steps[0]!.rss).toFixed(2),
      `${mb(steps[0]!.rss)} → ${mb(steps.at(-1)!.rss)} (whole bench process; goal within 20%)`,
    ),
  ];
}
