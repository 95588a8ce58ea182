/**
 * The parts fault tests share: the province's config, its simulated input, cadre roles as real
 * child processes (`dist/bin/cadre.js`, so SIGKILL and SIGSTOP hit a whole process), pacing input
 * into CADRE_IN while a fault runs, and recovery stopwatches. `CADRE_FAULTS=long` (npm run
 * test:faults) runs each fault at full length; without it each runs a short version that fits
 * `npm test`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { loadConfig, type Config } from '../../config/load.js';
import { replayLines } from '../../sim/ndjson.js';
import { STREAMS } from '../../shared/subjects.js';
import { publishLines, streamCount, waitFor } from '../processor/live_helpers.js';

export const LONG = process.env.CADRE_FAULTS === 'long';
const CADRE = new URL('../../dist/bin/cadre.js', import.meta.url).pathname;
const PROVINCE_TOPOLOGY = new URL('../../config/topology.json', import.meta.url).pathname;
const MINUTE = 60_000;
export const START = Date.parse('2026-10-15T00:00:00Z');

/** A config folder with the shipped province and the given files (cadre.yaml, notify.yaml…). */
export function faultConfig(files: Record<string, string> = {}): { dir: string; config: Config } {
  const dir = mkdtempSync(join(tmpdir(), 'cadre-faults-config-'));
  copyFileSync(PROVINCE_TOPOLOGY, join(dir, 'topology.json'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, config: loadConfig(dir) };
}

/**
 * `minutes` of the province at `rate` messages a second with a storm and the scripted cases, ending
 * in a tick past the end (it releases the reorder buffer, as time going on would live).
 */
export function provinceInput(config: Config, minutes: number, rate = 20): string[] {
  const at = (m: number) => START + m * MINUTE;
  const scenarios = (['storm', 'shuguang', 'vip', 'flapping', 'media'] as const)
    .map((name, i) => ({ name, at: at(((i + 1) * minutes) / 9) }))
    .filter((s) => s.at < at(minutes));
  const lines = [
    ...replayLines({
      topology: config.topology,
      seed: 7,
      start: START,
      durationMs: minutes * MINUTE,
      rate,
      scenarios,
      traffic: { complaintsPerHour: 400 },
    }),
  ];
  lines.push(JSON.stringify({ type: 'tick', time: new Date(at(minutes + 1)).toISOString() }));
  return lines;
}

/**
 * Publishes `lines` in chunks, `perSecond` at most, while the caller runs its fault; resolves once
 * CADRE_IN holds them all (`stored` more than before).
 */
export async function paceInput(
  nc: NatsConnection,
  config: Config,
  lines: readonly string[],
  perSecond: number,
): Promise<void> {
  const before = await streamCount(nc, STREAMS.input.name);
  const chunk = Math.max(1, Math.round(perSecond / 10));
  for (let i = 0; i < lines.length; i += chunk) {
    const started = Date.now();
    await publishLines(nc, config.topology, lines.slice(i, i + chunk));
    await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - started))));
  }
  await waitFor(
    'the input stored',
    async () => (await streamCount(nc, STREAMS.input.name)) - before >= lines.length || undefined,
    60_000,
  );
}

/** One cadre role as its own process; its output is kept for the failure message. */
export class Role {
  child: ChildProcess | undefined;
  readonly output: string[] = [];
  private exited: Promise<unknown> = Promise.resolve();

  constructor(
    readonly args: string[],
    readonly env: Record<string, string>,
  ) {}

  start(): this {
    const child = spawn(process.execPath, [CADRE, ...this.args], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => this.output.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => this.output.push(d.toString()));
    this.exited = new Promise((resolve) => child.once('exit', resolve));
    this.child = child;
    return this;
  }

  /** How often the output says `pattern` so far. */
  count(pattern: RegExp): number {
    return this.output.join('').match(new RegExp(pattern.source, 'g'))?.length ?? 0;
  }

  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  async kill(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  get log(): string {
    return this.output.join('').slice(-4000);
  }
}

/** A processor child that re-runs a stored log (`--no-ticks`: its clock is the log's ticks). */
export function processorRole(natsUrl: string, configDir: string, extra: Record<string, string> = {}): Role {
  return new Role(['processor', '--no-ticks'], {
    NATS_URL: natsUrl,
    CADRE_CONFIG: configDir,
    CADRE_DATA: mkdtempSync(join(tmpdir(), 'cadre-faults-data-')),
    ...extra,
  });
}

export const RUN_STARTED = /resuming after stream sequence \d+|starting from the beginning/;

/** Resolves with the ms from now until CADRE_EVENTS holds more than `count` messages. */
export async function untilGrows(nc: NatsConnection, count: number, timeoutMs = 60_000): Promise<number> {
  const from = performance.now();
  await waitFor(
    'new transitions',
    async () => (await streamCount(nc, STREAMS.events.name)) > count || undefined,
    timeoutMs,
  );
  return performance.now() - from;
}

/** Waits until CADRE_EVENTS stops growing for `quietMs` (the processor has written everything). */
export async function settle(nc: NatsConnection, quietMs = 1500, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let since = Date.now();
  for (;;) {
    const n = await streamCount(nc, STREAMS.events.name);
    if (n !== last) {
      last = n;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return n;
    if (Date.now() > deadline) throw new Error('CADRE_EVENTS never stopped growing');
    await new Promise((r) => setTimeout(r, 100));
  }
}
