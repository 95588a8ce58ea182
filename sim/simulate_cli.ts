/**
 * `cadre simulate`: a simulated Hunan province, three ways.
 *   live (default)   publish on NATS with event times = the clock, until --duration or Ctrl-C
 *   --out FILE       write replay NDJSON of a simulated span, as fast as possible
 *   --topology FILE  write a generated topology.json
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { loadConfig } from '../config/load.js';
import { DEFAULT_NATS_URL, readEnv } from '../config/env.js';
import { Topology } from '../config/topology.js';
import { parseDuration, parseTime, HOUR } from '../shared/time.js';
import { STREAMS, subjects } from '../shared/subjects.js';
import { SCENARIOS } from './scenarios.js';
import { replayLines } from './ndjson.js';
import { startSimulation } from './simulate.js';
import { generateTopology, serializeTopology } from './topology_gen.js';
import { DEFAULT_RATE } from './traffic.js';
import { natsAuth } from '../broker/nats_auth.js';

const USAGE = `usage: cadre simulate [options]

Publishes a simulated Hunan province (alarms, 15-minute KPIs, complaints) on NATS, or writes it.

  --nats URL             NATS server (default $NATS_URL or ${DEFAULT_NATS_URL})
  --config DIR           config folder with topology.json (default $CADRE_CONFIG or ./config)
  --rate N               mean background messages per second (default ${DEFAULT_RATE}; KPIs are a floor)
  --seed N               random seed (default 1): the same seed, the same traffic
  --scenario NAME[@T]    run a scripted scenario, optionally T after the start (e.g. storm@10m);
                         repeatable. --list-scenarios shows them
  --duration D           how long to run (e.g. 10m, 2h); live default: until Ctrl-C, --out default 1h
  --start ISO            simulated start time (default now)
  --speed X              live: simulated seconds per wall second (default 1)
  --out FILE             write replay NDJSON instead of publishing ("-" = stdout)
  --topology FILE        write a generated topology.json instead ("-" = stdout);
                         with --grids N and --elements-per-grid N for a large synthetic province
`;

const OPTIONS = {
  nats: { type: 'string' },
  config: { type: 'string' },
  rate: { type: 'string' },
  seed: { type: 'string' },
  scenario: { type: 'string', multiple: true },
  duration: { type: 'string' },
  start: { type: 'string' },
  speed: { type: 'string' },
  out: { type: 'string' },
  topology: { type: 'string' },
  grids: { type: 'string' },
  'elements-per-grid': { type: 'string' },
  'list-scenarios': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; args: string[] }>>['values'];
  try {
    args = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false }).values;
  } catch (err) {
    console.error(`cadre simulate: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (args['list-scenarios']) {
    for (const s of Object.values(SCENARIOS)) console.log(`${s.name.padEnd(16)} ${s.description}`);
    return 0;
  }
  try {
    if (args.topology !== undefined) return writeTopology(args.topology, args);
    const env = readEnv();
    const topology = loadConfig(args.config ?? env.configDir).topology;
    const seed = integer(args.seed, 'seed') ?? 1;
    const rate = number(args.rate, 'rate');
    const start = args.start === undefined ? Date.now() : time(args.start);
    const durationMs = args.duration === undefined ? undefined : duration(args.duration);
    const scenarios = (args.scenario ?? []).map((s) => scenarioAt(s, start));
    if (args.out !== undefined)
      return await writeReplay(args.out, {
        topology,
        seed,
        rate,
        start,
        durationMs: durationMs ?? HOUR,
        scenarios,
      });
    return await live({
      url: args.nats ?? env.natsUrl ?? DEFAULT_NATS_URL,
      topology,
      seed,
      rate,
      start: args.start === undefined ? undefined : start,
      durationMs,
      scenarios,
      speed: number(args.speed, 'speed') ?? 1,
    });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`cadre simulate: ${err.message}`);
    return 2;
  }
}

function writeTopology(
  out: string,
  args: { seed?: string; grids?: string; 'elements-per-grid'?: string },
): number {
  const text = serializeTopology(
    generateTopology({
      seed: integer(args.seed, 'seed') ?? 1,
      grids: integer(args.grids, 'grids'),
      elementsPerGrid: integer(args['elements-per-grid'], 'elements-per-grid'),
    }),
  );
  if (out === '-') process.stdout.write(text);
  else writeFileSync(out, text);
  return 0;
}

async function writeReplay(out: string, options: Parameters<typeof replayLines>[0]): Promise<number> {
  const stream = out === '-' ? process.stdout : createWriteStream(out);
  for (const line of replayLines(options)) {
    if (!stream.write(`${line}\n`)) await once(stream, 'drain');
  }
  if (stream !== process.stdout)
    await new Promise<void>((resolve, reject) =>
      stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
  return 0;
}

interface LiveOptions {
  url: string;
  topology: Topology;
  seed: number;
  rate: number | undefined;
  start: number | undefined;
  durationMs: number | undefined;
  scenarios: { name: string; at: number }[];
  speed: number;
}

async function live(o: LiveOptions): Promise<number> {
  // A producer like any other: the producer user when CADRE_NATS_PRODUCER_PASSWORD is set.
  const nc = await connect({ servers: o.url, name: 'cadre-simulate', ...natsAuth('producer') });
  try {
    await jetstreamManager(nc).then((jsm) => jsm.streams.find(subjects.input('alarm', 'CS')));
  } catch {
    console.error(
      `cadre simulate: warning: no JetStream stream holds cadre.in.> on ${o.url} yet (${STREAMS.input.name} is created by cadre start); messages published now are not stored`,
    );
  }
  const sim = startSimulation({
    nc,
    topology: o.topology,
    seed: o.seed,
    rate: o.rate,
    start: o.start,
    speed: o.speed,
  });
  const t0 = Date.now();
  const timers = o.scenarios.map((s) =>
    setTimeout(() => sim.trigger(s.name), Math.max(0, (s.at - (o.start ?? t0)) / o.speed)),
  );
  const report = setInterval(() => console.error(JSON.stringify(sim.stats())), 10_000);
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (o.durationMs !== undefined) setTimeout(done, o.durationMs / o.speed).unref();
  });
  timers.forEach(clearTimeout);
  clearInterval(report);
  await sim.stop();
  console.error(JSON.stringify(sim.stats()));
  await nc.close();
  return 0;
}

function scenarioAt(spec: string, start: number): { name: string; at: number } {
  const [name, offset] = spec.split('@') as [string, string | undefined];
  if (!SCENARIOS[name])
    throw new UsageError(`unknown scenario ${name} (one of ${Object.keys(SCENARIOS).join(', ')})`);
  return { name, at: start + (offset === undefined ? 0 : duration(offset)) };
}

function number(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError(`--${name} must be a non-negative number, not ${text}`);
  return n;
}

function integer(text: string | undefined, name: string): number | undefined {
  const n = number(text, name);
  if (n !== undefined && !Number.isInteger(n))
    throw new UsageError(`--${name} must be an integer, not ${text}`);
  return n;
}

function duration(text: string): number {
  const ms = parseDuration(text);
  if (Number.isNaN(ms)) throw new UsageError(`${text} is not a duration (e.g. 90s, 10m, 2h)`);
  return ms;
}

function time(text: string): number {
  const ms = parseTime(text);
  if (Number.isNaN(ms)) throw new UsageError(`--start ${text} is not an ISO time with a zone`);
  return ms;
}
