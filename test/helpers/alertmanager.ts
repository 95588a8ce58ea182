/**
 * A real Prometheus Alertmanager (Debian's prometheus-alertmanager, installed by
 * scripts/ensure_tools.ts) per test file: its own config and store in a temporary folder, a free
 * loopback port, clustering off; stopped and removed in afterAll.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALERTMANAGER, findTool } from '../../shared/tools.js';

export interface RunningAlertmanager {
  /** http://127.0.0.1:<port> */
  url: string;
  /** POSTs alerts to Alertmanager's v2 API. */
  postAlerts(alerts: object[]): Promise<void>;
  stop(): Promise<void>;
}

/** Starts Alertmanager with `config` (YAML or JSON text) and waits until it is ready. */
export async function startAlertmanager(config: string): Promise<RunningAlertmanager> {
  const binary = findTool(ALERTMANAGER);
  if (!binary)
    throw new Error(
      'prometheus-alertmanager is not installed: run `node dist/scripts/ensure_tools.js` (npm test does) or apt-get install prometheus-alertmanager',
    );
  const dir = mkdtempSync(join(tmpdir(), 'cadre-alertmanager-'));
  writeFileSync(join(dir, 'alertmanager.yml'), config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=', // one instance: no gossip port
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`alertmanager exited: ${output}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`alertmanager not ready in 20 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async postAlerts(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      if (!res.ok) throw new Error(`alertmanager refused the alerts: ${res.status} ${await res.text()}`);
    },
    stop,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
