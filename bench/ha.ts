/**
 * The high-availability part of `npm run bench` (`node dist/bench/run.js ha`): a 3-node JetStream
 * cluster of its own (streams replicated 3 times), the shipped province's seven cities as partitions,
 * and `cadre processor` instances as child processes. It measures
 *   - CPU per message with one instance and with two sharing the cities (the processes' own CPU time,
 *     every thread, over the same published input; nats-server's beside it), and
 *   - failover: SIGKILL one of two instances while input flows, until the survivor owns the moved
 *     cities (lease ttl + start-up) and until a moved city's next transition is stored.
 * BENCH_HA_MESSAGES sets the input (default 20,000 lines).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { loadConfig, type Config } from '../config/load.js';
import { ensureStreams } from '../broker/streams.js';
import { normalize } from '../contract/normalize.js';
import { freePorts, startNatsCluster, type NatsCluster } from '../broker/nats_cluster.js';
import { BUCKETS, HEADERS, STREAMS, messageId, subjects } from '../shared/subjects.js';
import { replayLines } from '../sim/ndjson.js';
import type { BenchPart, BenchRow } from './harness.js';

const MESSAGES = Number(process.env.BENCH_HA_MESSAGES ?? 20_000);
const CADRE = new URL('../bin/cadre.js', import.meta.url).pathname;
const TOPOLOGY = new URL('../../config/topology.json', import.meta.url).pathname;
const TICK_MS = 10; // USER_HZ

export const haPart: BenchPart = {
  name: 'ha',
  async run(ctx) {
    const cluster = await startNatsCluster();
    const nc = await connect({ servers: cluster.urls.split(','), maxReconnectAttempts: -1 });
    const dir = mkdtempSync(join(tmpdir(), 'cadre-bench-ha-'));
    copyFileSync(TOPOLOGY, join(dir, 'topology.json'));
    writeFileSync(
      join(dir, 'cadre.yaml'),
      'nats:\n  replicas: 3\nprocessor:\n  partitions: cities\nleases:\n  ttl: 5s\n  renewInterval: 0.5s\n',
    );
    const config = loadConfig(dir);
    const lines = input(config, MESSAGES);
    const children: ChildProcess[] = [];
    try {
      const rows: BenchRow[] = [];
      for (const instances of [1, 2]) {
        await fresh(nc, config);
        const procs = await Promise.all(
          Array.from({ length: instances }, async () => start(cluster, dir, children)),
        );
        await untilOwned(procs, config.topology.cities.length);
        const cpuBefore = procs.map((p) => cpuMs(pidOf(p.child)));
        const serverBefore = serverCpu(cluster);
        const started = Date.now();
        const published = await publish(nc, config, lines);
        await untilProcessed(procs, published);
        const seconds = (Date.now() - started) / 1000;
        const cpu = procs.reduce((sum, p, i) => sum + cpuMs(pidOf(p.child)) - cpuBefore[i], 0);
        const server = serverCpu(cluster) - serverBefore;
        rows.push({
          part: 'ha',
          what: `${instances} processor instance${instances > 1 ? 's' : ''}, 7 cities, R3 cluster`,
          rate: published / seconds,
          figure: `${((cpu * 1000) / published).toFixed(1)} µs/msg processors + ${((server * 1000) / published).toFixed(1)} µs/msg 3× nats-server`,
          note: `${published} msgs in ${seconds.toFixed(1)} s`,
        });
        if (instances === 2) rows.push(await failover(nc, config, procs, lines));
        for (const p of procs) p.child.kill('SIGKILL');
      }
      return rows;
    } finally {
      for (const c of children) c.kill('SIGKILL');
      await nc.close();
      await cluster.stop();
      ctx.log('  ha: cluster stopped');
    }
  },
};

interface Instance {
  child: ChildProcess;
  url: string;
}

async function start(cluster: NatsCluster, dir: string, children: ChildProcess[]): Promise<Instance> {
  const [port] = (await freePorts(1)) as [number];
  const child = spawn(process.execPath, [CADRE, 'processor', '--no-ticks'], {
    env: {
      ...process.env,
      NATS_URL: cluster.urls,
      CADRE_CONFIG: dir,
      CADRE_DATA: mkdtempSync(join(tmpdir(), 'cadre-bench-ha-data-')),
      PORT: String(port),
    },
    stdio: 'ignore',
  });
  children.push(child);
  return { child, url: `http://127.0.0.1:${port}` };
}

async function readyz(p: Instance): Promise<{ owned: string[]; pending: number }> {
  try {
    const body = (await (await fetch(`${p.url}/readyz`)).json()) as {
      detail: { owned: string[]; partitions: Record<string, { pending: number }> };
    };
    const pending = Object.values(body.detail.partitions).reduce((s, x) => s + x.pending, 0);
    return { owned: body.detail.owned, pending };
  } catch {
    return { owned: [], pending: 0 };
  }
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`bench ha: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const untilOwned = (procs: Instance[], cities: number) =>
  until('the cities owned', async () => {
    const owned = await Promise.all(procs.map(readyz));
    return owned.every((o) => o.owned.length > 0) && owned.reduce((s, o) => s + o.owned.length, 0) === cities;
  });

/** Every published message applied or rejected, as the instances' /metrics count them. */
const untilProcessed = (procs: Instance[], count: number) =>
  until(
    'the input processed',
    async () => {
      let done = 0;
      for (const p of procs) {
        const text = await (await fetch(`${p.url}/metrics`)).text().catch(() => '');
        for (const m of text.matchAll(/^cadre_(?:processed|rejected)_total\{[^}]*\} (\d+)/gm))
          done += Number(m[1]);
      }
      return done >= count;
    },
    600_000,
  );

/** SIGKILL one of two instances while input flows: until its cities are owned again, and transition again. */
async function failover(
  nc: NatsConnection,
  config: Config,
  procs: Instance[],
  lines: string[],
): Promise<BenchRow> {
  const [victim, survivor] = procs as [Instance, Instance];
  const moved = (await readyz(victim)).owned;
  /** The first transition of a moved city from `after` on: only its new owner can store one then. */
  const nextAfter = (after: number) =>
    new Promise<number>((resolve) => {
      const subs = moved.map((city) =>
        nc.subscribe(subjects.eventFilter(city), {
          callback: () => {
            if (Date.now() < after) return;
            subs.forEach((s) => s.unsubscribe());
            resolve(Date.now());
          },
        }),
      );
      setTimeout(() => resolve(NaN), 60_000);
    });
  // Input keeps flowing (the same day again, shifted by a day so nothing is a duplicate).
  let flowing = true;
  const later = lines.map((l) => shiftDay(l));
  const flow = (async () => {
    for (let i = 0; flowing && i < later.length; i += 200) {
      await publish(nc, config, later.slice(i, i + 200), false);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  await new Promise((r) => setTimeout(r, 1000));
  victim.child.kill('SIGKILL');
  const killedAt = Date.now();
  // What the victim had in its socket may still land in the first moments.
  const next = nextAfter(killedAt + 200);
  await until(
    'the survivor to own every city',
    async () => (await readyz(survivor)).owned.length === 7,
    60_000,
  );
  const ownedMs = Date.now() - killedAt;
  const transitionMs = (await next) - killedAt;
  flowing = false;
  await flow;
  return {
    part: 'ha',
    what: 'failover: SIGKILL one of 2 instances (lease ttl 5 s)',
    figure: `cities owned again after ${(ownedMs / 1000).toFixed(1)} s; a moved city's next transition after ${(transitionMs / 1000).toFixed(1)} s`,
    note: `moved: ${moved.join(', ')}`,
  };
}

/** One simulated province day slice, with its ticks; about `count` lines. */
function pidOf(child: ChildProcess): number {
  if (child.pid === undefined) throw new Error('bench: a processor child has no pid (it did not start)');
  return child.pid;
}

function input(config: Config, count: number): string[] {
  const start = Date.parse('2026-10-15T00:00:00Z');
  const lines: string[] = [];
  for (const line of replayLines({
    topology: config.topology,
    seed: 3,
    start,
    durationMs: 24 * 60 * 60_000,
    rate: 20,
    scenarios: [{ name: 'storm', at: start + 10 * 60_000 }],
    traffic: { complaintsPerHour: 400 },
  })) {
    lines.push(line);
    if (lines.length >= count) break;
  }
  return lines;
}

function shiftDay(line: string): string {
  const raw = JSON.parse(line) as Record<string, unknown>;
  const shift = (t: unknown) => new Date(Date.parse(t as string) + 86_400_000).toISOString();
  raw.time = shift(raw.time);
  if (typeof raw.id === 'string') raw.id = `${raw.id}+1d`;
  return JSON.stringify(raw);
}

/** Publishes lines on their cities' subjects (a tick to every city); returns the messages stored. */
async function publish(
  nc: NatsConnection,
  config: Config,
  lines: readonly string[],
  wait = true,
): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const before = (await jsm.streams.info(STREAMS.input.name)).state.messages;
  let sent = 0;
  for (const line of lines) {
    const raw = JSON.parse(line) as Record<string, unknown>;
    if (raw.type === 'tick') {
      for (const city of config.topology.cities) nc.publish(subjects.tick(city.id), line);
      sent += config.topology.cities.length;
      continue;
    }
    const n = normalize(raw, undefined, config.topology);
    if (!n.ok || !('city' in n.input)) continue;
    const h = headers();
    h.set(HEADERS.msgId, messageId(n.input.type as 'alarm', raw));
    nc.publish(subjects.input(n.input.type as 'alarm', n.input.city), line, { headers: h });
    sent++;
    if (sent % 2000 === 0) await nc.flush();
  }
  await nc.flush();
  if (!wait) return sent;
  await until(
    'the input stored',
    async () => (await jsm.streams.info(STREAMS.input.name)).state.messages - before >= sent,
  );
  return sent;
}

/** Empty streams and buckets (replicated as configured), no leases or checkpoints left. */
async function fresh(nc: NatsConnection, config: Config): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const name of [
    STREAMS.input.name,
    STREAMS.events.name,
    STREAMS.dlq.name,
    `KV_${BUCKETS.events}`,
    `KV_${BUCKETS.grids}`,
    `KV_${BUCKETS.leases}`,
    `OBJ_${BUCKETS.checkpoints}`,
  ])
    await jsm.streams.delete(name).catch(() => false);
  await ensureStreams(nc, config);
}

/** utime + stime of a process (all its threads), ms. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

function serverCpu(cluster: NatsCluster): number {
  return cluster.nodes.reduce((sum, n) => sum + (n.pid ? cpuMs(n.pid) : 0), 0);
}
