/**
 * A real 3-node JetStream cluster per test file (broker/nats_cluster.ts), and cadre roles as child
 * processes of the built CLI pointed at it — what the HA and fault tests kill, pause and restart.
 * The cluster runs with the shipped users and permissions (deploy/nats-auth.conf): every role
 * started here connects as its own NATS user, and all of them share one command key.
 */
import { afterAll, beforeAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { startNatsCluster, type ClusterOptions, type NatsCluster } from '../../broker/nats_cluster.js';
import { isListening } from '../../broker/nats_server.js';
import { loadOrCreatePasswords, natsAuth } from '../../broker/nats_auth.js';
import { newCommandKey } from '../../shared/command_signature.js';
import { watchJetStream } from '../../broker/js_watch.js';

export interface ClusterFixture {
  cluster: NatsCluster;
  /** A client connection to every node (as the admin user), closed in afterAll. */
  nc: NatsConnection;
}

/**
 * What every role process of this file gets in its environment: the NATS passwords of the
 * cluster's users and the command key (gateways sign with it, processors verify).
 */
const roleEnv: Record<string, string> = {
  // The fault suite's checker judges commands with the same key (test/faults/checker.ts).
  CADRE_COMMAND_KEY: (process.env.CADRE_COMMAND_KEY ??= newCommandKey()),
};

/** That environment, for roles started otherwise (test/faults/stack.ts's processorRole); after beforeAll. */
export const clusterRoleEnv = (): Record<string, string> => ({ ...roleEnv });

/** Registers beforeAll/afterAll hooks; the returned object is filled in before the first test runs. */
export function useCluster(options: ClusterOptions = {}): ClusterFixture {
  const fixture = {} as ClusterFixture;
  beforeAll(async () => {
    Object.assign(roleEnv, loadOrCreatePasswords(undefined, {}));
    // The shipped users: a node restarted in the cluster answers 'jetstream is not enabled' for a
    // while (tens of seconds); a role's connection that landed on it moves on (broker/js_watch.ts).
    fixture.cluster = await startNatsCluster({ auth: { passwords: roleEnv }, ...options });
    fixture.nc = await connect({
      servers: fixture.cluster.urls.split(','),
      ...natsAuth('admin', roleEnv),
      maxReconnectAttempts: -1,
      waitOnFirstConnect: true,
    });
    // As the roles' connections: off a node restarted into the cluster that has no JetStream yet, or
    // every probe of the test would fail there (and read as "nothing new") for as long as it lasts.
    watchJetStream(fixture.nc, { servers: fixture.cluster.urls.split(',') });
  }, 90_000);
  afterAll(async () => {
    await fixture.nc?.close();
    await fixture.cluster?.stop();
  });
  return fixture;
}

/**
 * Resolves once every stream of the cluster (cadre's, the KV buckets' and the object store's) has a
 * leader and every replica is current: a node started again has caught up. Until then a second node
 * lost leaves the R3 streams without a quorum — a cluster-wide outage, not a fault a role can ride.
 */
export async function untilCurrent(nc: NatsConnection, timeoutMs = 120_000): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const deadline = Date.now() + timeoutMs;
  let behind = 'not asked';
  for (;;) {
    try {
      const lagging: string[] = [];
      for await (const info of jsm.streams.list()) {
        const cluster = info.cluster;
        if (!cluster?.leader) lagging.push(`${info.config.name}: no leader`);
        for (const r of cluster?.replicas ?? [])
          if (!r.current || r.offline)
            lagging.push(`${info.config.name}: ${r.name} ${r.offline ? 'offline' : 'behind'}`);
      }
      if (lagging.length === 0) return;
      behind = lagging.join(', ');
    } catch (err) {
      behind = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`the cluster's streams not current: ${behind}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const CADRE = new URL('../../dist/bin/cadre.js', import.meta.url).pathname;

export interface RoleProcess {
  name: string;
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Its HTTP base URL (every role serves /healthz, /readyz and /metrics). */
  url: string;
  /** Exited (by itself or killed)? */
  readonly exited: boolean;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface RoleOptions {
  /** The `cadre` sub-command and its arguments, e.g. ['processor', '--no-ticks']. */
  args: string[];
  natsUrl: string;
  configDir: string;
  port: number;
  name?: string;
  /** CADRE_DATA; gateways behind one address share one (its `secret` signs their login tokens). */
  dataDir?: string;
}

/** Starts `node dist/bin/cadre.js …` (npm run build first) and resolves once its HTTP port listens. */
export async function startRole(options: RoleOptions): Promise<RoleProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cadre-role-data-'));
  const child = spawn(process.execPath, [CADRE, ...options.args], {
    env: {
      ...process.env,
      ...roleEnv,
      NATS_URL: options.natsUrl,
      CADRE_CONFIG: options.configDir,
      CADRE_DATA: dataDir,
      PORT: String(options.port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const keep = (d: Buffer) => (text = (text + d.toString()).slice(-200_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const role: RoleProcess = {
    name: options.name ?? options.args[0]!,
    child,
    output: () => text,
    url: `http://127.0.0.1:${options.port}`,
    get exited() {
      return child.exitCode !== null || child.signalCode !== null;
    },
    async kill(signal = 'SIGKILL') {
      if (role.exited) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      await exited;
    },
  };
  for (let i = 0; !(await isListening('127.0.0.1', options.port, 200)); i++) {
    if (role.exited || i > 600) throw new Error(`${role.name} did not listen on ${options.port}:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return role;
}

/** GET a role's /readyz: its status and body. */
export async function readyz(role: RoleProcess): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${role.url}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const PROVINCE_TOPOLOGY = new URL('../../config/topology.json', import.meta.url).pathname;

/**
 * A config folder for roles on the cluster: the shipped province (7 cities), streams replicated 3
 * times, short leases so failover is quick, plus `files` (name → text) on top.
 */
export function clusterConfigDir(cadreYaml: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'cadre-cluster-config-'));
  copyFileSync(PROVINCE_TOPOLOGY, join(dir, 'topology.json'));
  writeFileSync(
    join(dir, 'cadre.yaml'),
    `nats:\n  replicas: 3\nleases:\n  ttl: 5s\n  renewInterval: 0.5s\n${cadreYaml}`,
  );
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
