/**
 * The parts fault tests share: the province's config, its simulated input, cadre roles as real
 * child processes (`dist/bin/cadre.js`, so SIGKILL and SIGSTOP hit a whole process), pacing input
 * into CADRE_IN while a fault runs, and recovery stopwatches. `CADRE_FAULTS=long` (npm run
 * test:faults) runs each fault at full length; without it each runs a short version that fits
 * `npm test`.
 */
import { afterAll, type afterEach } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { io as connectIo, type Socket } from 'socket.io-client';
import type { EventTransition } from '../../shared/schemas.js';
import { loadConfig, type Config } from '../../config/load.js';
import { replayLines } from '../../sim/ndjson.js';
import { startNatsServer, type RunningNatsServer } from '../../broker/nats_server.js';
import { ensureStreams } from '../../broker/streams.js';
import { STREAMS, subjects } from '../../shared/subjects.js';
import { newCommandKey } from '../../shared/command_signature.js';
import { publishLines, streamCount, waitFor } from '../processor/live_helpers.js';

export const LONG = process.env.CADRE_FAULTS === 'long';
/**
 * One command key for every role of the file (each has a data folder of its own, whose generated
 * key would differ) and for the checker's gate, through the environment the children inherit.
 */
process.env.CADRE_COMMAND_KEY ??= newCommandKey();

/**
 * A copy of dist/ for this test file, which the roles under test and the checker's replay both run:
 * a build while the test runs (several people share this tree) would otherwise have the children
 * run other code than the reference. Beside node_modules so that packages resolve as from dist/.
 * CADRE_FAULTS_DIST names another build to copy (e.g. of a clean checkout of a commit).
 */
function snapshotDist(): string {
  const cache = new URL('../../node_modules/.cache/', import.meta.url).pathname;
  mkdirSync(cache, { recursive: true });
  // Copies of test processes that were killed (a timeout ends a worker without its exit hook).
  for (const old of readdirSync(cache).filter((d) => d.startsWith('cadre-faults-')))
    if (Date.now() - statSync(join(cache, old)).mtimeMs > 3_600_000)
      rmSync(join(cache, old), { recursive: true, force: true });
  const root = mkdtempSync(join(cache, 'cadre-faults-'));
  const from = process.env.CADRE_FAULTS_DIST ?? new URL('../../dist/', import.meta.url).pathname;
  cpSync(from, join(root, 'dist'), { recursive: true });
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  return join(root, 'dist');
}
export const DIST = snapshotDist();
const CADRE = join(DIST, 'bin/cadre.js');
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
 * The test's own nats-server (ownNats) with the streams of a province config holding `files`
 * (faultConfig); the caller stops `nats` (it is stopped here only if the streams fail).
 */
export async function faultBroker(files: Record<string, string> = {}): Promise<{
  nats: Awaited<ReturnType<typeof ownNats>>;
  dir: string;
  config: Config;
}> {
  const nats = await ownNats();
  try {
    const { dir, config } = faultConfig(files);
    await ensureStreams(nats.nc, config);
    return { nats, dir, config };
  } catch (err) {
    await nats.stop();
    throw err;
  }
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

export interface PaceOptions {
  /** Messages published along with lines [from, to) (poison input). */
  extra?: (from: number, to: number) => RawItem[];
  /**
   * The broker goes away meanwhile: a publish then may be lost, so wait until CADRE_IN stops growing
   * instead of for every line (the checker compares with what was stored either way).
   */
  lossy?: boolean;
  /** Partitions own their cities' clocks (`cadre.in.tick.<city>`): each tick goes to each of these. */
  tickCities?: readonly string[];
}

const isTick = (line: string) => line.startsWith('{"type":"tick"');

/** Publishes `lines` in chunks, `perSecond` at most, while the caller runs its fault; resolves once stored. */
export async function paceInput(
  nc: NatsConnection,
  config: Config,
  lines: readonly string[],
  perSecond: number,
  options: PaceOptions = {},
): Promise<void> {
  const before = await streamCount(nc, STREAMS.input.name);
  const chunk = Math.max(1, Math.round(perSecond / 10));
  let extra = 0;
  for (let i = 0; i < lines.length; i += chunk) {
    const started = Date.now();
    const more = [...(options.extra?.(i, Math.min(i + chunk, lines.length)) ?? [])];
    let part = lines.slice(i, i + chunk);
    if (options.tickCities) {
      const ticks = part.filter(isTick);
      for (const t of ticks)
        for (const city of options.tickCities) more.push({ subject: subjects.tick(city), text: t });
      part = part.filter((l) => !isTick(l));
      extra -= ticks.length;
    }
    extra += more.length;
    const sent = publishLines(nc, config.topology, part).then(() => publishRaw(nc, more));
    // With the broker away the flush fails; what was lost is not in CADRE_IN, which is the reference.
    await (options.lossy ? sent.catch(() => {}) : sent);
    await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - started))));
  }
  if (options.lossy) {
    let last = -1;
    await waitFor(
      'CADRE_IN to stop growing',
      async () => {
        const n = await streamCount(nc, STREAMS.input.name).catch(() => -1);
        const still = n === last && n >= 0;
        last = n;
        if (!still) await new Promise((r) => setTimeout(r, 1000));
        return still || undefined;
      },
      60_000,
    );
    return;
  }
  await waitFor(
    'the input stored',
    async () => (await streamCount(nc, STREAMS.input.name)) - before >= lines.length + extra || undefined,
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

  /** Resolves once this processor said its run started (RUN_STARTED), `runs` times in all. */
  async running(timeoutMs = 30_000, runs = 1): Promise<this> {
    await waitFor('the processor started', () => this.count(RUN_STARTED) >= runs || undefined, timeoutMs);
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

/**
 * What a test file starts, ended after all its tests (or after each, with `after` afterEach): the
 * roles in `roles` killed, then `stop` (its broker's) called and forgotten.
 */
export function useStarted(after: typeof afterAll | typeof afterEach = afterAll): {
  stop?: () => Promise<void>;
  roles: Role[];
} {
  const open: { stop?: () => Promise<void>; roles: Role[] } = { roles: [] };
  after(async () => {
    for (const r of open.roles.splice(0)) await r.kill();
    await open.stop?.();
    open.stop = undefined;
  });
  return open;
}

/** A processor child that re-runs a stored log (`--no-ticks`: its clock is the log's ticks). */
export function processorRole(natsUrl: string, configDir: string, extra: Record<string, string> = {}): Role {
  return new Role(['processor', '--no-ticks'], {
    NATS_URL: natsUrl,
    CADRE_CONFIG: configDir,
    CADRE_DATA: mkdtempSync(join(tmpdir(), 'cadre-faults-data-')),
    // Its health port, if it has one: any free one (tests run side by side).
    PORT: '0',
    ...extra,
  });
}

export const RUN_STARTED = /resuming after stream sequence \d+|starting from the beginning/;

/** Resolves with the ms from now until CADRE_EVENTS holds more than `count` messages. */
export async function untilGrows(
  nc: NatsConnection,
  count: number,
  timeoutMs = 60_000,
  role?: Role,
): Promise<number> {
  const from = performance.now();
  let probe = 'not asked';
  await waitFor(
    'new transitions',
    // A probe during a broker restart fails: it is asked again.
    async () => {
      const now = await streamCount(nc, STREAMS.events.name).catch((err: Error) => err);
      probe = now instanceof Error ? `failing (${now.message})` : `${now} stored`;
      return (typeof now === 'number' && now > count) || undefined;
    },
    timeoutMs,
  ).catch((err: Error) => {
    throw new Error(
      `${err.message} (CADRE_EVENTS: ${count} before, probe ${probe})${role ? `; the role said:\n${role.log}` : ''}`,
    );
  });
  return performance.now() - from;
}

/**
 * Waits until the processor has caught up — its stats say nothing is pending and, for a processor of
 * every city, that it applied all CADRE_IN held when this was called — and CADRE_EVENTS has not
 * grown for `quietMs` since (a processor that is reconnecting is quiet but not done). "Pending" alone
 * is the feed's count at its last fetch: on a starved machine a processor that has not fetched the
 * newest input yet says 0 for seconds.
 */
export async function settle(nc: NatsConnection, quietMs = 1500, timeoutMs = 40_000): Promise<number> {
  let pending = Infinity;
  let applied = 0;
  const sub = nc.subscribe('cadre.stats.processor.>', {
    callback: (_err, m) => {
      try {
        const stats = m.json<{ partition: string; pending: number; appliedSeq?: number }>();
        pending = stats.pending;
        if (stats.partition === 'all') applied = stats.appliedSeq ?? Infinity;
        else applied = Infinity; // a partition applies only its cities' part of the stream
      } catch {
        // not stats: ignored
      }
    },
  });
  try {
    const deadline = Date.now() + timeoutMs;
    const jsm = await jetstreamManager(nc);
    const input = (await jsm.streams.info(STREAMS.input.name)).state.last_seq;
    let last = -1;
    let since = Date.now();
    for (;;) {
      const n = await streamCount(nc, STREAMS.events.name).catch(() => -1);
      if (n !== last || n < 0 || pending > 0 || applied < input) {
        last = n;
        since = Date.now();
      } else if (Date.now() - since >= quietMs) return n;
      if (Date.now() > deadline) {
        // What the broker says of the input's consumers: a stuck feed and a stale count differ here.
        const consumers = [];
        for await (const c of jsm.consumers.list(STREAMS.input.name))
          consumers.push(
            `${c.name}: delivered ${c.delivered.stream_seq}, pending ${c.num_pending}, ack pending ${c.num_ack_pending}`,
          );
        const state = (await jsm.streams.info(STREAMS.input.name)).state;
        throw new Error(
          `CADRE_EVENTS never settled (processor pending ${pending}, applied ${applied} of ${input}); ` +
            `CADRE_IN last ${state.last_seq}, ${state.messages} messages; consumers: ${consumers.join('; ') || 'none'}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    sub.unsubscribe();
  }
}

/** A message as published, whatever it holds (poison input is published this way). */
export interface RawItem {
  subject: string;
  text: string;
}

export async function publishRaw(nc: NatsConnection, items: readonly RawItem[]): Promise<void> {
  for (const { subject, text } of items) nc.publish(subject, text);
  await nc.flush();
}

/** A nats-server of one test (restartable on its port and store), with a client that rides restarts. */
export async function ownNats(): Promise<{
  server: RunningNatsServer;
  nc: NatsConnection;
  restart(): Promise<void>;
  stop(): Promise<void>;
}> {
  const storeDir = mkdtempSync(join(tmpdir(), 'cadre-faults-store-'));
  let server = await startNatsServer({ storeDir });
  const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  return {
    get server() {
      return server;
    },
    nc,
    async restart() {
      const { port } = server;
      await server.stop();
      server = await startNatsServer({ storeDir, port });
    },
    async stop() {
      await nc.close().catch(() => {});
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/** A free TCP port on 127.0.0.1 (for a role or receiver that must come back on the same one). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The gateway role (REST, Socket.IO, the notifier) as its own process on `port`. */
export function gatewayRole(natsUrl: string, configDir: string, port: number): Role {
  return new Role(['gateway'], {
    NATS_URL: natsUrl,
    CADRE_CONFIG: configDir,
    CADRE_DATA: mkdtempSync(join(tmpdir(), 'cadre-faults-gw-')),
    PORT: String(port),
    HOST: '127.0.0.1',
  });
}

/** The gateway role on a free port of 127.0.0.1, started; it answers on `url` once `healthy(url)`. */
export async function gatewayOnFreePort(
  natsUrl: string,
  configDir: string,
): Promise<{ gateway: Role; url: string }> {
  const port = await freePort();
  return { gateway: gatewayRole(natsUrl, configDir, port).start(), url: `http://127.0.0.1:${port}` };
}

/** Resolves once `url`/healthz answers 200. */
export async function healthy(url: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `${url}/healthz`,
    async () =>
      (await fetch(`${url}/healthz`)
        .then((r) => r.ok)
        .catch(() => false)) || undefined,
    timeoutMs,
  );
}

/**
 * A webhook receiver on a fixed port that can be taken down and brought back; `answer(id, n)` gives
 * the status (and headers) of the n-th request of one webhook-id, after `delayMs`. A request whose
 * sender went away before the answer is recorded with status 0: nobody was told it was taken.
 */
export class WebhookReceiver {
  readonly notices: { headers: IncomingHttpHeaders; status: number; body: string; at: number }[] = [];
  inFlight = 0;
  private server: Server | undefined;
  private readonly attempts = new Map<string, number>();

  constructor(
    readonly port: number,
    private readonly answer: (n: number) => { status: number; headers?: Record<string, string> } = () => ({
      status: 200,
    }),
    private readonly delayMs = 0,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async up(): Promise<void> {
    this.server = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.inFlight++;
        const id = String(req.headers['webhook-id']);
        const n = (this.attempts.get(id) ?? 0) + 1;
        this.attempts.set(id, n);
        const { status, headers } = this.answer(n);
        setTimeout(() => {
          this.inFlight--;
          const gone = req.socket.destroyed;
          this.notices.push({
            headers: req.headers,
            status: gone ? 0 : status,
            body: Buffer.concat(chunks).toString(),
            at: Date.now(),
          });
          if (!gone) res.writeHead(status, headers).end();
        }, this.delayMs);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    server?.closeAllConnections();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * A wall screen on the gateway's Socket.IO `/live`: what it shows is its last snapshot with every
 * `events` batch applied by seq (an older seq of an event is ignored, as the UI does).
 */
export class Screen {
  readonly events = new Map<string, { seq: number; active: boolean }>();
  snapshots = 0;
  readonly socket: Socket;

  constructor(
    readonly name: string,
    url: string,
  ) {
    this.socket = connectIo(`${url}/live`, {
      transports: ['websocket'],
      reconnectionDelay: 100,
      reconnectionDelayMax: 500,
      forceNew: true,
    });
    this.socket.on('snapshot', (s: { events: EventTransition[] }) => {
      this.snapshots++;
      this.events.clear();
      for (const e of s.events) this.apply(e);
    });
    this.socket.on('events', (batch: EventTransition[]) => batch.forEach((t) => this.apply(t)));
  }

  private apply(t: EventTransition): void {
    if (t.kind !== 'event' || (this.events.get(t.id)?.seq ?? 0) >= t.seq) return;
    this.events.set(t.id, { seq: t.seq, active: t.state === 'open' || t.state === 'acknowledged' });
  }

  digest(): string[] {
    return [...this.events]
      .filter(([, e]) => e.active)
      .map(([id, e]) => `${id}:${e.seq}`)
      .sort();
  }

  close(): void {
    this.socket.close();
  }
}
