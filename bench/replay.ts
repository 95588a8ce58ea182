/**
 * The replay part of `npm run bench`: `cadre replay` as a user runs it — a whole child process,
 * stdout to /dev/null — on the processor part's province and day (2,000 grids × 28 elements, 300k
 * messages), against a child that only reads and parses the same file (the baseline; the issue's
 * target is replay ≤ 2× its cost), rounds alternating; then the same traffic over five days, for
 * whether a message costs more in a longer file and how memory grows (once only when it takes
 * minutes). Rejects on stderr are counted by code. The files are written to a fresh temporary
 * folder (~370 MB) and deleted at the end.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/load.js';
import { generateDay } from '../sim/ndjson.js';
import { median, type BenchPart, type BenchRow } from './harness.js';
import { MESSAGES, SEED, largeTopology } from './processor.js';
import { mb } from './nats_fixture.js';

const DAYS = 5;
/** A five-day replay slower than this (seconds) is not repeated, so the part stays within minutes. */
const FIVE_DAYS_ONCE_S = 60;
const CADRE = fileURLToPath(new URL('../bin/cadre.js', import.meta.url));
const BARE_READ = fileURLToPath(new URL('./bare_read.js', import.meta.url));
const MAX_RSS = new URL('./max_rss.js', import.meta.url).href;

export interface DataFile {
  path: string;
  lines: number;
  bytes: number;
}

/** The files of the part: a config folder (topology.json only) and the two NDJSON inputs. */
export interface ReplayDataset {
  config: string;
  day: DataFile;
  five: DataFile;
}

/** Writes the dataset into `dir` (created if needed); also usable on its own to keep the files. */
export async function writeReplayDataset(dir: string): Promise<ReplayDataset> {
  const config = join(dir, 'config');
  mkdirSync(config, { recursive: true });
  writeFileSync(join(config, 'topology.json'), JSON.stringify(largeTopology()));
  const { topology } = loadConfig(config); // as cadre replay will read it
  return {
    config,
    day: await writeLines(join(dir, 'day.ndjson'), generateDay({ topology, messages: MESSAGES, seed: SEED })),
    five: await writeLines(
      join(dir, 'five.ndjson'),
      generateDay({ topology, messages: MESSAGES, seed: SEED, days: DAYS }),
    ),
  };
}

/** Streams `lines` to `path` in chunks of ~64 KB (the five-day file is ~310 MB). */
async function writeLines(path: string, lines: Iterable<string>): Promise<DataFile> {
  const out = createWriteStream(path);
  let count = 0;
  let chunk = '';
  for (const line of lines) {
    chunk += line + '\n';
    count++;
    if (chunk.length < 65_536) continue;
    if (!out.write(chunk)) await once(out, 'drain');
    chunk = '';
  }
  out.end(chunk);
  await once(out, 'finish');
  return { path, lines: count, bytes: statSync(path).size };
}

interface ChildRun {
  seconds: number;
  rssKb: number;
  stderrLines: number;
  /** stderr's JSON lines (rejects) by `code`. */
  codes: Map<string, number>;
}

type Runs = Record<'bare' | 'day' | 'five', ChildRun[]>;

/**
 * `node ARGS` with stdout to /dev/null, timed from spawn to exit; fails unless it exits 0. Its peak
 * RSS comes from bench/max_rss.js, preloaded.
 */
async function runChild(dir: string, args: string[]): Promise<ChildRun> {
  const rssFile = join(dir, 'max_rss');
  rmSync(rssFile, { force: true });
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, ['--import', MAX_RSS, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, BENCH_MAX_RSS_FILE: rssFile },
  });
  const closed = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  const run: ChildRun = { seconds: 0, rssKb: 0, stderrLines: 0, codes: new Map() };
  const tail: string[] = [];
  for await (const line of createInterface({ input: child.stderr, crlfDelay: Infinity })) {
    run.stderrLines++;
    const code = rejectCode(line);
    if (code) run.codes.set(code, (run.codes.get(code) ?? 0) + 1);
    else if (tail.push(line) > 20) tail.shift();
  }
  const [status, signal] = await closed;
  run.seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (status !== 0)
    throw new Error(`bench: node ${args.join(' ')} exited with ${status ?? signal}\n${tail.join('\n')}`);
  run.rssKb = Number(readFileSync(rssFile, 'utf8'));
  return run;
}

function rejectCode(line: string): string | undefined {
  try {
    const code = (JSON.parse(line) as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

const count = (n: number) => n.toLocaleString('en-US');

/** "12,345 lines on stderr (CADRE_ERR_TIME_RANGE 12,000 · …)". */
function stderrNote(run: ChildRun): string {
  const codes = [...run.codes].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${count(n)}`);
  return `exit 0; ${count(run.stderrLines)} lines on stderr${codes.length ? ` (${codes.join(' · ')})` : ''}`;
}

export const replayPart: BenchPart = {
  name: 'replay',
  async run(ctx) {
    const dir = mkdtempSync(join(tmpdir(), 'cadre-bench-replay-'));
    try {
      const started = Date.now();
      const data = await writeReplayDataset(dir);
      ctx.log(
        `  replay: ${count(data.day.lines)} + ${count(data.five.lines)} lines (${mb(data.day.bytes)} + ` +
          `${mb(data.five.bytes)}) written in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      const replayArgs = (file: DataFile) => [CADRE, 'replay', file.path, '--config', data.config];
      const runs: Runs = { bare: [], day: [], five: [] };
      // Rounds alternate as in harness.alternate, by hand: a slow five-day replay runs only once.
      for (let round = 0; round < ctx.rounds; round++) {
        runs.bare.push(await runChild(dir, [BARE_READ, data.day.path]));
        runs.day.push(await runChild(dir, replayArgs(data.day)));
        if (round === 0 || runs.five[0].seconds <= FIVE_DAYS_ONCE_S)
          runs.five.push(await runChild(dir, replayArgs(data.five)));
      }
      return rows(data, runs);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

function rows(data: ReplayDataset, runs: Runs): BenchRow[] {
  const rate = (file: DataFile, list: ChildRun[]) => median(list.map((r) => file.lines / r.seconds));
  const rates = {
    bare: rate(data.day, runs.bare),
    day: rate(data.day, runs.day),
    five: rate(data.five, runs.five),
  };
  const fiveRounds =
    runs.five.length > 1
      ? `median of ${runs.five.length}`
      : runs.bare.length > 1
        ? `1 round (the first took ${runs.five[0].seconds.toFixed(0)} s, over ${FIVE_DAYS_ONCE_S} s)`
        : '1 round';
  const lastDay = runs.day.at(-1);
  const lastFive = runs.five.at(-1);
  if (!lastDay || !lastFive) throw new Error('bench: cadre replay ran no round');
  const bare = { what: 'bare read + JSON.parse, one day', rate: rates.bare };
  const peak = (key: keyof Runs) => mb(Math.max(...runs[key].map((r) => r.rssKb)) * 1024);
  return [
    {
      part: 'replay',
      what: bare.what,
      rate: rates.bare,
      note: `the baseline; child process, readline + JSON.parse; ${count(data.day.lines)} lines, ${mb(data.day.bytes)}`,
    },
    {
      part: 'replay',
      what: 'cadre replay, one day, > /dev/null',
      rate: rates.day,
      baseline: bare,
      note: `cost ×${(rates.bare / rates.day).toFixed(2)} of bare (target ≤ 2×); ${stderrNote(lastDay)}`,
    },
    {
      part: 'replay',
      what: `cadre replay, ${DAYS} days, > /dev/null`,
      rate: rates.five,
      baseline: bare,
      note: `cost ×${(rates.bare / rates.five).toFixed(2)} of bare; ${fiveRounds}; ${count(data.five.lines)} lines, ${mb(data.five.bytes)}; ${stderrNote(lastFive)}`,
    },
    {
      part: 'replay',
      what: `${DAYS} days' per-line cost ÷ one day's`,
      figure: `${(rates.day / rates.five).toFixed(2)}×`,
      note: '1.00× = linear; whole processes, so start-up weighs less in the longer file',
    },
    {
      part: 'replay',
      what: `peak RSS, cadre replay one day / ${DAYS} days`,
      figure: `${peak('day')} / ${peak('five')}`,
      note: `bare read ${peak('bare')}; ru_maxrss of the child`,
    },
  ];
}
