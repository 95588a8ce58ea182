/**
 * Finding, installing and launching nats-server. `start` embeds one when no server answers; every
 * integration test launches its own on a port the server picks, with its own store.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createConnection } from 'node:net';
import { CadreError } from './errors.js';

const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/opt/homebrew/bin'];

const INSTALL_HELP = [
  'cadre needs nats-server (2.9 or newer) with JetStream. Install it one of these ways:',
  '  Debian/Ubuntu:  sudo apt-get install nats-server',
  '  macOS:          brew install nats-server',
  '  Go:             go install github.com/nats-io/nats-server/v2@latest',
  '  Docker:         docker compose up nats   (then NATS_URL=nats://127.0.0.1:4222)',
  'or point cadre at a running server with NATS_URL.',
].join('\n');

/** The path of nats-server, from NATS_SERVER_BIN, PATH or the usual sbin folders; undefined if absent. */
export function findNatsServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.NATS_SERVER_BIN) return isExecutable(env.NATS_SERVER_BIN) ? env.NATS_SERVER_BIN : undefined;
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  return dirs.map((d) => join(d, 'nats-server')).find(isExecutable);
}

/**
 * nats-server's path, installing Debian's package when it is missing and apt-get can be used (as
 * root). Otherwise a CadreError that says how to install it.
 */
export function ensureNatsServer(log: (line: string) => void = () => {}): string {
  const found = findNatsServer();
  if (found) return found;
  if (process.getuid?.() === 0 && findOnPath('apt-get')) {
    log('nats-server not found; installing Debian package nats-server with apt-get…');
    const apt = (args: string[]) =>
      spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    let result = apt(['install', '-y', '--no-install-recommends', 'nats-server']);
    if (result.status !== 0) {
      apt(['update']);
      result = apt(['install', '-y', '--no-install-recommends', 'nats-server']);
    }
    const installed = findNatsServer();
    if (installed) return installed;
  }
  throw new CadreError('CADRE_ERR_NATS_SERVER_MISSING', INSTALL_HELP);
}

export interface NatsServerOptions {
  /** JetStream store folder; a fresh temporary one when omitted (and removed on stop). */
  storeDir?: string;
  /** 0 lets the server pick a free port. */
  port?: number;
  host?: string;
  /** Extra command-line arguments. */
  args?: string[];
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
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));

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
    if (file) {
      const ports = JSON.parse(readFileSync(join(portsDir, file), 'utf8')) as { nats?: string[] };
      const url = ports.nats?.[0];
      if (url) return Number(new URL(url).port);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  throw new Error(`nats-server did not start within 15 s: ${stderr()}`);
}

async function waitForListen(host: string, port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await isListening(host, port, 200)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server at ${host}:${port} does not accept connections`);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string): string | undefined {
  return (process.env.PATH ?? '').split(delimiter).map((d) => join(d, name)).find(isExecutable);
}
