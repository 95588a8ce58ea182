/**
 * A real JetStream cluster of nats-server processes on loopback ports (tests, the HA bench, fault
 * tests): each node with its own store, routes to the others, a stable client port so a node that is
 * killed and started again is the same member at the same address.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { ensureNatsServer, isListening } from './nats_server.js';
import { NATS_AUTH_CONF, passwordVar } from './nats_auth.js';

export interface ClusterNode {
  name: string;
  url: string;
  port: number;
  /** Running now (false between `kill` and `start`). */
  readonly running: boolean;
  /** Its process id while it runs (for CPU figures). */
  readonly pid: number | undefined;
  /** Ends the process with a signal (default SIGKILL) and waits for its exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again with the same ports and store. */
  start(): Promise<void>;
}

export interface NatsCluster {
  nodes: ClusterNode[];
  /** Every node's client URL, comma-separated (cadre's NATS_URL takes this). */
  urls: string;
  /** Resolves once JetStream answers through the given node (or any): the meta leader is elected. */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  size?: number;
  /** Resolve before JetStream has its meta leader (to start roles while the cluster forms). */
  noWait?: boolean;
  /**
   * cadre's users and permissions (the shipped deploy/nats-auth.conf, included by every node's
   * conf), these password variables in the nodes' environment; `ready()` connects as admin.
   */
  auth?: { passwords: Record<string, string> };
}

export async function startNatsCluster(options: ClusterOptions = {}): Promise<NatsCluster> {
  const size = options.size ?? 3;
  const bin = ensureNatsServer();
  const dir = mkdtempSync(join(tmpdir(), 'cadre-cluster-'));
  const auth = options.auth;
  if (auth) {
    if (!NATS_AUTH_CONF) throw new Error('deploy/nats-auth.conf is missing');
    // An include is read relative to the including file: a copy beside the nodes' confs.
    copyFileSync(NATS_AUTH_CONF, join(dir, 'nats-auth.conf'));
  }
  const env = auth ? { ...process.env, ...auth.passwords } : undefined;
  const admin = auth ? { user: 'admin', pass: auth.passwords[passwordVar('admin')] } : {};
  // One call for both: two calls could each be handed the same port the other had just released.
  const ports = await freePorts(2 * size);
  const clientPorts = ports.slice(0, size);
  const routePorts = ports.slice(size);
  const nodes = clientPorts.map((port, i) => {
    const name = `n${i + 1}`;
    const store = join(dir, name);
    mkdirSync(store, { recursive: true });
    const conf = join(dir, `${name}.conf`);
    const routes = routePorts.filter((_, j) => j !== i).map((p) => `nats://127.0.0.1:${p}`);
    writeFileSync(
      conf,
      [
        `server_name: ${name}`,
        `listen: 127.0.0.1:${port}`,
        `jetstream { store_dir: "${store}", max_memory_store: 64MB, max_file_store: 2GB }`,
        `cluster { name: cadre, listen: 127.0.0.1:${routePorts[i]}, routes: [${routes.join(', ')}] }`,
        ...(auth ? ['include "nats-auth.conf"'] : []),
      ].join('\n'),
    );
    return nodeOf(bin, name, port, conf, env);
  });
  await Promise.all(nodes.map((n) => n.start()));
  const cluster: NatsCluster = {
    nodes,
    urls: nodes.map((n) => n.url).join(','),
    ready: (timeoutMs = 60_000) =>
      jetStreamReady(
        nodes.map((n) => n.url),
        timeoutMs,
        admin,
      ),
    async stop() {
      await Promise.all(nodes.map((n) => n.kill('SIGTERM')));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (!options.noWait) await cluster.ready();
  return cluster;
}

function nodeOf(
  bin: string,
  name: string,
  port: number,
  conf: string,
  env: NodeJS.ProcessEnv | undefined,
): ClusterNode {
  let child: ChildProcess | undefined;
  let stderr = '';
  const node: ClusterNode = {
    name,
    url: `nats://127.0.0.1:${port}`,
    port,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    get pid() {
      return node.running ? child?.pid : undefined;
    },
    async kill(signal = 'SIGKILL') {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      c.kill(signal);
      const forced = setTimeout(() => c.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(forced);
    },
    async start() {
      stderr = '';
      const started = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'], env });
      child = started;
      started.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
      for (let i = 0; i < 300; i++) {
        if (child.exitCode !== null) throw new Error(`nats-server ${name} exited: ${stderr}`);
        if (await isListening('127.0.0.1', port, 200)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`nats-server ${name} does not listen on ${port}: ${stderr}`);
    },
  };
  return node;
}

async function jetStreamReady(
  urls: string[],
  timeoutMs: number,
  auth: { user?: string; pass?: string },
): Promise<void> {
  const nc = await connect({ servers: urls, maxReconnectAttempts: -1, waitOnFirstConnect: true, ...auth });
  try {
    const jsm = await jetstreamManager(nc, { checkAPI: false });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await jsm.getAccountInfo();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`JetStream cluster not ready: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } finally {
    await nc.close();
  }
}

/** Ports the system hands out as free now (listen on 0, close): fixed per node for its restarts. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => {
      const server = createServer();
      return new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(server));
      });
    }),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
