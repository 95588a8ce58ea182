/**
 * What every benchmark part shares: its interface, the run context, and measuring a subject against
 * a baseline in the same run (rounds alternate between them, so machine noise hits both alike).
 */
import type { Topology } from '../config/topology.js';

export interface BenchContext {
  /** A private nats-server started for this run. */
  natsUrl: string;
  /** Its process id (for its CPU time). */
  natsPid?: number;
  topology: Topology;
  /** Wall clock at the start of the run (epoch ms): input times are generated around it. */
  now: number;
  /** Messages per measurement (a part may scale it for cheap in-memory figures). */
  count: number;
  rounds: number;
  log(line: string): void;
}

export interface BenchRow {
  part: string;
  what: string;
  /** Median messages per second (absent on rows that report another figure). */
  rate?: number;
  /** The figure itself when it is not a rate (latency percentiles, memory). */
  figure?: string;
  /** The bare baseline this figure is compared with, measured in the same run. */
  baseline?: { what: string; rate: number };
  note?: string;
}

export interface BenchPart {
  name: string;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

/** Messages per second of `work`, which handles `count` messages (preparation stays outside). */
export async function timed(count: number, work: () => Promise<unknown> | unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return count / seconds;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs each measurement once per round, in turn (A B C, A B C, …), and returns the median rate of
 * each. A measurement gets its round number, so it can use fresh ids.
 */
export async function alternate<K extends string>(
  rounds: number,
  measurements: Record<K, (round: number) => Promise<number>>,
): Promise<Record<K, number>> {
  const rates = Object.fromEntries(
    Object.keys(measurements).map((k) => [k, [] as number[]]),
  ) as unknown as Record<K, number[]>;
  for (let round = 0; round < rounds; round++)
    for (const key of Object.keys(measurements) as K[]) rates[key].push(await measurements[key](round));
  return Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, median(v as number[])])) as Record<
    K,
    number
  >;
}
