/**
 * `npm run bench`: starts a private nats-server, runs the benchmark parts and prints one table, each
 * figure beside the bare baseline it was measured against in the same run, with the machine's load.
 *
 *   node dist/bench/run.js [part...] [--count N] [--rounds R]
 *
 * A new part is one module exporting a BenchPart, added to PARTS.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { findNatsServer, startNatsServer } from '../broker/nats_server.js';
import { generateTopology } from './dataset.js';
import type { BenchContext, BenchPart, BenchRow } from './harness.js';
import { ingestPart } from './ingest.js';
import { processorPart } from './processor.js';
import { latencyPart, screenPart } from './latency.js';
import { replayPart } from './replay.js';
import { haPart } from './ha.js';
import { soakPart } from './soak.js';

const PARTS: BenchPart[] = [ingestPart, processorPart, latencyPart, screenPart, replayPart, soakPart, haPart];

interface Args {
  parts: string[];
  count: number;
  rounds: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { parts: [], count: 30_000, rounds: 3 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--count') args.count = Number(argv[++i]);
    else if (arg === '--rounds') args.rounds = Number(argv[++i]);
    else args.parts.push(arg);
  }
  if (!(args.count > 0) || !(args.rounds > 0)) throw new Error('--count and --rounds take positive numbers');
  const unknown = args.parts.filter((p) => !PARTS.some((part) => part.name === p));
  if (unknown.length)
    throw new Error(`unknown part(s) ${unknown.join(', ')}; parts: ${PARTS.map((p) => p.name).join(', ')}`);
  return args;
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function formatRate(rate: number): string {
  return rate >= 10_000 ? `${(rate / 1000).toFixed(1)}k` : rate.toFixed(0);
}

function table(rows: BenchRow[]): string {
  const cells = [
    ['part', 'what', 'msg/s or figure', 'vs baseline', 'ratio', 'note'],
    ...rows.map((r) => [
      r.part,
      r.what,
      r.figure ?? (r.rate === undefined ? '—' : formatRate(r.rate)),
      r.baseline ? `${r.baseline.what} (${formatRate(r.baseline.rate)})` : '—',
      r.baseline && r.rate !== undefined
        ? (r.rate / r.baseline.rate).toFixed(2)
        : r.rate === undefined
          ? ''
          : '1.00',
      r.note ?? '',
    ]),
  ];
  const widths = cells[0].map((_, c) => Math.max(...cells.map((row) => row[c].length)));
  const line = (row: string[]) => '| ' + row.map((cell, c) => cell.padEnd(widths[c])).join(' | ') + ' |';
  return [
    line(cells[0]),
    '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|',
    ...cells.slice(1).map(line),
  ].join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const parts = args.parts.length ? PARTS.filter((p) => args.parts.includes(p.name)) : PARTS;
  const bin = findNatsServer();
  const version = bin
    ? spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim()
    : 'nats-server (to be installed)';
  console.log(
    `cadre bench — node ${process.version}, ${version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`,
  );
  console.log(
    `${args.count} messages a measurement, median of ${args.rounds} rounds; load average before: ${load()}`,
  );

  const server = await startNatsServer();
  const rows: BenchRow[] = [];
  try {
    const ctx: BenchContext = {
      natsUrl: server.url,
      natsPid: server.process.pid,
      topology: generateTopology(),
      now: Date.now(),
      count: args.count,
      rounds: args.rounds,
      log: (line) => console.error(line),
    };
    for (const part of parts) {
      const started = Date.now();
      rows.push(...(await part.run(ctx)));
      console.error(`  ${part.name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  } finally {
    await server.stop();
  }
  console.log('\n' + table(rows));
  console.log(`\nload average after: ${load()} (1, 5, 15 min; ${cpus().length} cores)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
