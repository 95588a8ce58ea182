/**
 * The processor part of `npm run bench`: a large generated day (2,000 grids, ~56k elements, 300k
 * mixed messages plus its minute ticks) published into CADRE_IN once, then consumed again and again:
 * by a bare ordered consumer that only parses (the baseline) and by the live processor (intake →
 * core → outbox) until it has caught up. In-memory rows (intake + core, core alone) show where the
 * time goes; memory rows show the peak while consuming and what a grid costs the core.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { loadConfig, type Config } from '../config/load.js';
import type { TopologyFile } from '../config/topology.js';
import { normalize, type Input } from '../contract/normalize.js';
import { createIntake, type RawMessage } from '../processor/intake.js';
import { Core } from '../processor/core/index.js';
import { SeenKeys } from '../processor/core/seen.js';
import { startProcessor } from '../processor/live.js';
import { processedTotal, rejectedTotal } from '../shared/metrics.js';
import { STREAMS } from '../shared/subjects.js';
import { generateDay } from '../sim/ndjson.js';
import { generateTopology } from '../sim/topology_gen.js';
import { alternate, timed, type BenchContext, type BenchPart, type BenchRow } from './harness.js';
import { cpuMeter, perMessage, type CpuSplit } from './cpu.js';
import { logMessages, mb, publishLog, resetOutputs, sampleMemory, type LogMessage } from './nats_fixture.js';

/** The sizes; BENCH_GRIDS / BENCH_MESSAGES change them for other runs. */
const GRIDS = Number(process.env.BENCH_GRIDS ?? 2000);
const ELEMENTS_PER_GRID = 28;
export const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 300_000);
export const SEED = 1;
const STALL_MS = 15_000;

/** A config folder as `cadre start` reads it: the topology plus optional extra files (rules.yaml, …). */
export function benchConfig(
  topology: TopologyFile,
  files: Record<string, string> = {},
): { config: Config; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'cadre-bench-config-'));
  writeFileSync(join(dir, 'topology.json'), JSON.stringify(topology));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { config: loadConfig(dir), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The large province of the processor benchmarks (also used by the latency parts). */
export function largeTopology(): TopologyFile {
  return generateTopology({ grids: GRIDS, elementsPerGrid: ELEMENTS_PER_GRID, seed: SEED });
}

export const processorPart: BenchPart = {
  name: 'processor',
  async run(ctx) {
    const started = Date.now();
    const { config, dispose } = benchConfig(
      largeTopology(),
      process.env.BENCH_CADRE_YAML ? { 'cadre.yaml': process.env.BENCH_CADRE_YAML } : {},
    );
    const lines = [...generateDay({ topology: config.topology, messages: MESSAGES, seed: SEED })];
    const log = logMessages(lines, config.topology);
    ctx.log(
      `  processor: ${config.topology.grids.length} grids, ${config.topology.elements.length} elements, ` +
        `${log.length} lines generated in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    const nc = await connect({ servers: ctx.natsUrl, noAsyncTraces: true }); // as app/app.ts
    try {
      await resetOutputs(nc, { freshInput: true });
      const stored = await publishLog(nc, log);
      ctx.log(`  processor: ${stored} messages stored in ${STREAMS.input.name}`);
      const rows = await throughput(ctx, nc, config, stored);
      return [...rows, ...inMemory(ctx, nc, config, log), ...gridCost(config, log)];
    } finally {
      await resetOutputs(nc, { freshInput: true });
      await nc.close();
      dispose();
    }
  },
};

async function throughput(
  ctx: BenchContext,
  nc: NatsConnection,
  config: Config,
  stored: number,
): Promise<BenchRow[]> {
  const peaks = { rss: 0, heapUsed: 0 };
  const cpu = { bare: new CpuTotal(), processor: new CpuTotal() };
  const rates = await alternate(ctx.rounds, {
    bare: () => bareConsume(nc, stored, config.cadre.processor.batchSize, cpu.bare.meter(ctx, stored)),
    processor: async () => {
      await resetOutputs(nc);
      const stop = sampleMemory();
      const rate = await liveProcessor(ctx, nc, config, stored, cpu.processor.meter(ctx, stored));
      const peak = stop();
      peaks.rss = Math.max(peaks.rss, peak.rss);
      peaks.heapUsed = Math.max(peaks.heapUsed, peak.heapUsed);
      return rate;
    },
  });
  const bare = { what: 'bare ordered consume + JSON.parse', rate: rates.bare };
  return [
    {
      part: 'processor',
      what: bare.what,
      rate: rates.bare,
      note: `the baseline; ${stored} msgs in CADRE_IN`,
    },
    {
      part: 'processor',
      what: 'live processor (intake → core → outbox), to caught up',
      rate: rates.processor,
      baseline: bare,
      note: 'goal ≥ 0.80',
    },
    {
      part: 'processor',
      what: 'CPU per message, bare consume',
      figure: cpu.bare.figure('—'),
      note: 'by thread, mean of the rounds',
    },
    {
      part: 'processor',
      what: 'CPU per message, live processor',
      figure: cpu.processor.figure('feeder'),
      note: `${cpus().length} cores give ${((cpus().length * 1e6) / rates.bare).toFixed(1)} µs/msg at the bare rate`,
    },
    {
      part: 'processor',
      what: 'peak RSS / heap used while the processor consumed',
      figure: `${mb(peaks.rss)} / ${mb(peaks.heapUsed)}`,
      note: 'whole bench process, sampled every 50 ms',
    },
  ];
}

/** CPU time by thread summed over the rounds of one measurement. */
class CpuTotal {
  private sum: CpuSplit | undefined;
  private messages = 0;

  /** Starts one round's meter; call the result when the round's work is done. */
  meter(ctx: BenchContext, messages: number): () => void {
    const stop = cpuMeter(ctx.natsPid);
    return () => {
      const split = stop();
      if (!split) return;
      this.messages += messages;
      this.sum = this.sum
        ? {
            main: this.sum.main + split.main,
            started: this.sum.started + split.started,
            helpers: this.sum.helpers + split.helpers,
            server: this.sum.server + split.server,
          }
        : split;
    };
  }

  figure(startedName: string): string {
    return perMessage(this.sum, this.messages, startedName);
  }
}

/** The baseline: an ordered consumer with a callback that only decodes and parses. */
async function bareConsume(
  nc: NatsConnection,
  total: number,
  batch: number,
  cpuDone: () => void,
): Promise<number> {
  const consumer = await jetstream(nc).consumers.get(STREAMS.input.name);
  const decoder = new TextDecoder();
  let seen = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const rate = await timed(total, async () => {
    const messages = await consumer.consume({
      max_messages: batch,
      callback: (m) => {
        if (JSON.parse(decoder.decode(m.data)) && ++seen === total) done();
      },
    });
    await stallGuard('bare consumer', finished, () => seen);
    cpuDone();
    await messages.close();
  });
  return rate;
}

/** Resolves with `work`, or rejects once `progress` has not moved for STALL_MS (a hung consumer). */
async function stallGuard(what: string, work: Promise<void>, progress: () => number): Promise<void> {
  let last = -1;
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      const now = progress();
      if (now === last)
        reject(new Error(`bench: ${what} made no progress for ${STALL_MS / 1000} s (at ${now})`));
      last = now;
    }, STALL_MS);
  });
  try {
    await Promise.race([work, stalled]);
  } finally {
    clearInterval(timer);
  }
}

/** Inputs consumed so far by any processor of this process (applied or dead-lettered). */
async function consumedSoFar(): Promise<number> {
  const sum = async (c: typeof processedTotal | typeof rejectedTotal) =>
    (await c.get()).values.reduce((n, v) => n + v.value, 0);
  return (await sum(processedTotal)) + (await sum(rejectedTotal));
}

/** The live processor from an empty checkpoint until every stored message is applied and written out. */
async function liveProcessor(
  ctx: BenchContext,
  nc: NatsConnection,
  config: Config,
  total: number,
  cpuDone: () => void,
): Promise<number> {
  const before = await consumedSoFar();
  let processor: Awaited<ReturnType<typeof startProcessor>> | undefined;
  const rate = await timed(total, async () => {
    processor = await startProcessor({ nc, natsUrl: ctx.natsUrl, config, ticks: false, log: () => {} });
    let last = { consumed: 0, at: Date.now() };
    for (;;) {
      await new Promise((r) => setTimeout(r, 5));
      const consumed = (await consumedSoFar()) - before;
      if (consumed >= total && processor.caughtUp()) return cpuDone();
      if (consumed !== last.consumed) last = { consumed, at: Date.now() };
      else if (consumed < total && Date.now() - last.at > STALL_MS)
        throw new Error(
          `bench: live processor made no progress for ${STALL_MS / 1000} s (at ${consumed} of ${total})`,
        );
    }
  });
  if (!processor) throw new Error('bench: the live processor never started');
  await processor.stop();
  return rate;
}

/** The same log without NATS: the processor's per-message work, and the core's share of it. */
function inMemory(ctx: BenchContext, nc: NatsConnection, config: Config, log: LogMessage[]): BenchRow[] {
  const encoder = new TextEncoder();
  const raw: RawMessage[] = log.map((m, seq) => ({
    subject: m.subject,
    seq: seq + 1,
    data: encoder.encode(m.data),
  }));
  const inputs: Input[] = raw.map((_, i) => {
    const result = normalize(JSON.parse(log[i].data), undefined, config.topology);
    if (!result.ok) throw new Error('bench: generated input rejected');
    return result.input;
  });
  const intake = createIntake({ nc, topology: config.topology });
  const newCore = () => new Core({ rules: config.rules, topology: config.topology, clock: 'ticks' });
  let sink = 0;
  const rates = {
    intakeCore: [] as number[],
    core: [] as number[],
  };
  for (let round = 0; round < ctx.rounds; round++) {
    const core1 = newCore();
    rates.intakeCore.push(
      timedSync(raw.length, () => {
        for (const m of raw) {
          const input = intake.accept(m);
          if (input) sink += core1.push(input).transitions.length;
        }
      }),
    );
    const core2 = newCore();
    rates.core.push(
      timedSync(inputs.length, () => {
        for (const input of inputs) sink += core2.push(input).transitions.length;
      }),
    );
  }
  if (!sink) throw new Error('bench: the day produced no transitions');
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
  return [
    {
      part: 'processor',
      what: 'intake.accept + Core.push, in memory',
      rate: median(rates.intakeCore),
      note: 'no NATS',
    },
    {
      part: 'processor',
      what: 'Core.push alone, pre-normalized',
      rate: median(rates.core),
      note: 'no NATS, no parse',
    },
  ];
}

function timedSync(count: number, work: () => void): number {
  const start = process.hrtime.bigint();
  work();
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

/**
 * What a grid costs the core, measured as heap after a forced GC: N cores over the whole topology
 * with no input (the core allocates a grid's state on its first input, so this is the fixed cost of a
 * core, spread over the grids); then the heap one core holds after the whole day (the heap with it
 * alive minus the heap once it is released), and its snapshot, per grid.
 */
function gridCost(config: Config, log: LogMessage[]): BenchRow[] {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const grids = config.topology.grids.length;
  const ctx = { rules: config.rules, topology: config.topology, clock: 'ticks' as const };
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const inputs = log.map((m) => {
    const result = normalize(JSON.parse(m.data), undefined, config.topology);
    if (!result.ok) throw new Error('bench: generated input rejected');
    return result.input;
  });
  const h0 = heap();
  let idle: Core[] | undefined = Array.from({ length: 10 }, () => new Core(ctx));
  const idleBytes = Math.max(0, (heap() - h0) / idle.length / grids); // GC noise can dip below 0
  idle = undefined;
  let fed: Core | undefined = new Core(ctx);
  for (const input of inputs) fed.push(input);
  fed.dirtyGrids();
  const snapshotBytes = JSON.stringify(fed.snapshot()).length / grids;
  const withFed = heap();
  fed = undefined;
  const fedBytes = (withFed - heap()) / grids;
  const keyBytes = seenKeyBytes(config, inputs, heap);
  return [
    {
      part: 'processor',
      what: `core heap per idle grid (${grids} grids, no input)`,
      figure: `${idleBytes.toFixed(0)} B`,
      note: 'heap delta after GC of 10 cores with no input, ÷ grids',
    },
    {
      part: 'processor',
      what: `core heap / snapshot per grid after the day`,
      figure: `${(fedBytes / 1024).toFixed(1)} KB / ${(snapshotBytes / 1024).toFixed(1)} KB`,
      note: `÷ all ${grids} grids; incl. ${log.length} dedup keys`,
    },
    {
      part: 'processor',
      what: `duplicate memory per key (horizon maxAge ${config.rules.maxAge / 3_600_000} h)`,
      figure: `${keyBytes.toFixed(0)} B`,
      note: `the day's keys in SeenKeys, heap delta after GC ÷ keys; at 1,000 msg/s the horizon holds ${((config.rules.maxAge / 1000) * 1000).toLocaleString('en-US')} keys = ${((keyBytes * config.rules.maxAge) / 1e9).toFixed(1)} GB`,
    },
  ];
}

/** Heap per key of the core's duplicate memory, filled with the day's own keys. */
function seenKeyBytes(config: Config, inputs: Input[], heap: () => number): number {
  const keyed = inputs.filter((i) => i.type !== 'tick');
  const before = heap();
  let seen: SeenKeys | undefined = new SeenKeys(config.rules.maxAge);
  // Fresh copies of the inputs: the strings the memory keeps are the parsed message's own.
  for (const i of keyed) seen.check(JSON.parse(JSON.stringify(i)) as typeof i);
  const bytes = (heap() - before) / seen.size;
  seen = undefined;
  return bytes;
}
