/**
 * cadre on the real stack for a test file: a config folder written from the test's files, the roles
 * of `cadre start` in this process over the file's nats-server, a receiver of what cadre posts, a
 * login, and a probe that waits for what a test expects. Everything is removed by `stop()`.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type RunningApp } from '../../app/app.js';
import type { Env } from '../../config/env.js';
import { loadConfig } from '../../config/load.js';

/** The topology of test/fixtures (a few cities) and the shipped one (the whole province). */
export const FIXTURE_TOPOLOGY = new URL('../fixtures/topology.json', import.meta.url);
export const SHIPPED_TOPOLOGY = new URL('../../config/topology.json', import.meta.url);

export interface TestApp {
  app: RunningApp;
  /** Where its HTTP listens. */
  url: string;
  /** The config folder (data in `data-*` below it). */
  dir: string;
  stop(): Promise<void>;
}

/**
 * Starts ingest, processor and gateway (or `roles`) with a config folder holding `files`: a string
 * is written as it is, anything else as JSON (which YAML reads); `topology` is copied from a file
 * unless `files` gives `topology.json`.
 */
export async function startTestApp(options: {
  natsUrl: string;
  name: string;
  files: Record<string, unknown>;
  topology?: URL;
  roles?: Parameters<typeof startApp>[0]['roles'];
  env?: Partial<Env>;
}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), `cadre-${options.name}-`));
  if (!('topology.json' in options.files))
    copyFileSync(options.topology ?? FIXTURE_TOPOLOGY, join(dir, 'topology.json'));
  for (const [name, content] of Object.entries(options.files))
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  const app = await startApp({
    env: {
      port: 0,
      host: '127.0.0.1',
      natsUrl: options.natsUrl,
      configDir: dir,
      dataDir: mkdtempSync(join(dir, 'data-')),
      ...options.env,
    },
    config: loadConfig(dir),
    roles: options.roles ?? new Set(['ingest', 'processor', 'gateway']),
    log: () => {},
  });
  if (!app.url) throw new Error('no role of this app listens on HTTP');
  return {
    app,
    url: app.url,
    dir,
    async stop() {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A user's token from `POST /api/login`. */
export async function login(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return ((await res.json()) as { token: string }).token;
}

/** An HTTP endpoint that keeps the JSON body of every POST and answers `status` (and `body`). */
export async function jsonReceiver<T>(
  status = 204,
  body?: string,
): Promise<{ url: string; received: T[]; close(): Promise<void> }> {
  const received: T[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      received.push(JSON.parse(text) as T);
      res.writeHead(status).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** What `probe` gives once it gives something; throws naming `what` after `ms`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  ms = 20_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
