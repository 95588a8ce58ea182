/** Shared pieces of the live-processor tests: temporary config folders, a live processor on a test's nats-server, publishing input lines, reading streams. */
import { afterAll, beforeAll } from 'vitest';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { loadConfig, type Config } from '../../config/load.js';
import type { Topology } from '../../config/topology.js';
import { ensureStreams } from '../../broker/streams.js';
import { startProcessor, type RunningProcessor } from '../../processor/live.js';
import { normalize } from '../../contract/normalize.js';
import { HEADERS, messageId, subjects } from '../../shared/subjects.js';
import type { NatsFixture } from '../helpers/nats.js';
import { SCENARIOS } from './helpers.js';

/** A config folder holding `files` (name → text). */
export function configDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cadre-live-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The same with the scenarios' topology (test/fixtures/scenarios/topology.json). */
export function scenarioConfigDir(files: Record<string, string>): string {
  const dir = configDir(files);
  copyFileSync(join(SCENARIOS, 'topology.json'), join(dir, 'topology.json'));
  return dir;
}

export interface LiveProcessor {
  /** The scenarios' config with the test's cadre.yaml, loaded in beforeAll. */
  config: Config;
  /** The processor started last (stopped in afterAll). */
  processor: RunningProcessor | undefined;
  /** Starts a processor on the test's nats-server and config (the one before must be stopped or abandoned). */
  start(): Promise<RunningProcessor>;
}

/**
 * Registers beforeAll/afterAll: a config folder with the scenarios' topology and `cadreYaml` as
 * cadre.yaml, its streams on `nats` (useNats, registered before), and with `started` a processor
 * started; the processor of the last `start()` is stopped in afterAll.
 */
export function useLiveProcessor(
  nats: NatsFixture,
  cadreYaml: string,
  options: { started?: boolean } = {},
): LiveProcessor {
  const live: LiveProcessor = {
    config: undefined as unknown as Config,
    processor: undefined,
    async start() {
      live.processor = await startProcessor({
        nc: nats.nc,
        natsUrl: nats.url,
        config: live.config,
        log: () => {},
      });
      return live.processor;
    },
  };
  beforeAll(async () => {
    live.config = loadConfig(scenarioConfigDir({ 'cadre.yaml': cadreYaml }));
    await ensureStreams(nats.nc, live.config);
    if (options.started) await live.start();
  });
  afterAll(async () => {
    await live.processor?.stop();
  });
  return live;
}

/**
 * Publishes replay lines the way producers (and the live processor's ticker) would: each on
 * `cadre.in.<type>.<city>`, producer messages with their Nats-Msg-Id, ticks on `cadre.in.tick.all`
 * (`per-city`: a tick on every city's `cadre.in.tick.<city>`, each partition's clock its own).
 */
export async function publishLines(
  nc: NatsConnection,
  topology: Topology,
  lines: readonly string[],
  ticks: 'shared' | 'per-city' = 'shared',
): Promise<void> {
  for (const line of lines) {
    const raw = JSON.parse(line) as Record<string, unknown>;
    if (raw.type === 'tick') {
      if (ticks === 'shared') nc.publish(subjects.tick(undefined), line);
      else for (const city of topology.cities) nc.publish(subjects.tick(city.id), line);
      continue;
    }
    const normalized = normalize(raw, undefined, topology);
    if (!normalized.ok) throw new Error(`test input does not normalize: ${normalized.reject.reason}`);
    const input = normalized.input as { type: 'alarm' | 'kpi' | 'complaint'; city: string };
    const h = headers();
    h.set(HEADERS.msgId, messageId(input.type, raw));
    nc.publish(subjects.input(input.type, input.city), line, { headers: h });
  }
  await nc.flush();
}

export async function streamCount(nc: NatsConnection, stream: string): Promise<number> {
  return (await (await jetstreamManager(nc)).streams.info(stream)).state.messages;
}

export interface StoredMessage {
  subject: string;
  text: string;
  msgId?: string;
}

/** Every message of a stream, in order, with its subject and dedup id. */
export async function readStream(nc: NatsConnection, stream: string): Promise<StoredMessage[]> {
  const count = await streamCount(nc, stream);
  const out: StoredMessage[] = [];
  if (count === 0) return out;
  const consumer = await jetstream(nc).consumers.get(stream, { deliver_policy: DeliverPolicy.All });
  const messages = await consumer.fetch({ max_messages: count, expires: 10_000 });
  for await (const m of messages) {
    out.push({ subject: m.subject, text: m.string(), msgId: m.headers?.get(HEADERS.msgId) });
    if (out.length === count) break;
  }
  return out;
}

/** Waits until `count` answers the same number twice in a row, `pauseMs` apart: nothing more arrives. */
export async function waitSettled(
  what: string,
  count: () => Promise<number>,
  pauseMs: number,
  timeoutMs: number,
): Promise<void> {
  let last = -1;
  await waitFor(
    what,
    async () => {
      const n = await count();
      const settled = n === last;
      last = n;
      if (!settled) await new Promise((r) => setTimeout(r, pauseMs));
      return settled;
    },
    timeoutMs,
  );
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A complaint of now in the scenarios' grid HY-SG-0005 (a tier-3 customer's data complaint). */
export function complaint(id: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'complaint',
    id,
    time: new Date().toISOString(),
    customer: { id: `cust-${id}`, tier: 3 },
    category: 'data',
    grid: 'HY-SG-0005',
    ...extra,
  };
}
