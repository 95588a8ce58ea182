/**
 * Finding, installing and launching nats-server. `start` embeds one when no server answers; every
 * integration test launches its own on a port the server picks, with its own store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { CadreError } from '../shared/errors.js';
import { ensureTool, findTool, type ToolSpec } from '../shared/tools.js';
import { NATS_AUTH_CONF } from './nats_auth.js';

const NATS_SERVER: ToolSpec = {
  names: ['nats-server'],
  envVar: 'NATS_SERVER_BIN',
  extraDirs: ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/opt/homebrew/bin'],
  debianPackage: 'nats-server',
};

const INSTALL_HELP = [
  'cadre needs nats-server (2.9 or newer) with JetStream. Install it one of these ways:',
  '  Debian/Ubuntu:  sudo apt-get install nats-server',
  '  macOS:          brew install nats-server',
  '  Go:             go install github.com/nats-io/nats-server/v2@latest',
  '  Docker:         docker compose up nats   (then NATS_URL=nats://127.0.0.1:4222)',
  'or point cadre at a running server with NATS_URL (or at a binary with NATS_SERVER_BIN).',
].join('\n');

/** The path of nats-server, from NATS_SERVER_BIN, PATH or the usual sbin folders; undefined if absent. */
export function findNatsServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findTool(NATS_SERVER, env);
}

/**
 * nats-server's path, installing Debian's package when it is missing and apt-get can be used (as
 * root). Otherwise a CadreError that says how to install it.
 */
export function ensureNatsServer(log: (line: string) => void = () => {}): string {
  const bin = ensureTool(NATS_SERVER, log);
  if (!bin) throw new CadreError('CADRE_ERR_NATS_SERVER_MISSING', INSTALL_HELP);
  return bin;
}

export interface NatsServerOptions {
  /** JetStream store folder; a fresh temporary one when omitted (and removed on stop). */
  storeDir?: string;
  /** 0 lets the server pick a free port. */
  port?: number;
  host?: string;
  /** Extra command-line arguments. */
  args?: string[];
  /**
   * Users and permissions (broker/nats_auth.ts): the server loads `conf` (the shipped
   * deploy/nats-auth.conf by default) with these password variables in its environment.
   */
  auth?: { passwords: Record<string, string>; conf?: string };
}

export interface RunningNatsServer {
  url: string;
  port: number;
  storeDir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `nats-server -js` and resolves once it accepts clients. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<RunningNatsServer> {
  const bin = ensureNatsServer();
  const host = options.host ?? '127.0.0.1';
  const ownStore = !options.storeDir;
  const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'cadre-nats-'));
  mkdirSync(storeDir, { recursive: true });
  // The server writes the port it picked into a ports file: no race for a "free" port.
  const portsDir = mkdtempSync(join(tmpdir(), 'cadre-nats-ports-'));
  const args = ['-js', '-sd', storeDir, '-a', host, '-p', options.port ? String(options.port) : '-1'];
  args.push('--ports_file_dir', portsDir, ...(options.args ?? []));
  let env: NodeJS.ProcessEnv | undefined;
  if (options.auth) {
    const conf = options.auth.conf ?? NATS_AUTH_CONF;
    if (!conf) throw new Error('deploy/nats-auth.conf is missing: cannot start nats-server with cadre users');
    // Flags override the file's settings: the conf only adds its users and their permissions.
    args.unshift('-c', conf);
    env = { ...process.env, ...options.auth.passwords };
  }
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));

  const port = await waitForPort(child, portsDir, () => stderr);
  rmSync(portsDir, { recursive: true, force: true });
  await waitForListen(host, port);

  let stopped: Promise<void> | undefined;
  return {
    url: `nats://${host}:${port}`,
    port,
    storeDir,
    process: child,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }).then(() => {
        if (ownStore) rmSync(storeDir, { recursive: true, force: true });
      });
      return stopped;
    },
  };
}

/** True when something accepts TCP connections at host:port within the timeout. */
export function isListening(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitForPort(child: ChildProcess, portsDir: string, stderr: () => string): Promise<number> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nats-server exited (${child.exitCode}): ${stderr()}`);
    const file = readdirSync(portsDir).find((f) => f.endsWith('.ports'));
    // The server creates the file before it writes it: an empty or partial file is read again.
    const url = file ? portsOf(readFileSync(join(portsDir, file), 'utf8')) : undefined;
    if (url) return Number(new URL(url).port);
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  throw new Error(`nats-server did not start within 15 s: ${stderr()}`);
}

function portsOf(text: string): string | undefined {
  try {
    return (JSON.parse(text) as { nats?: string[] }).nats?.[0];
  } catch {
    return undefined;
  }
}

async function waitForListen(host: string, port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await isListening(host, port, 200)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server at ${host}:${port} does not accept connections`);
}
