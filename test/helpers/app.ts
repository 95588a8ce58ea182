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
import { afterAll, beforeAll } from 'vitest';
import { startApp, type RunningApp } from '../../app/app.js';
import type { Env } from '../../config/env.js';
import { loadConfig } from '../../config/load.js';
import { hashPassword } from '../../shared/passwords.js';
import type { NatsFixture } from './nats.js';

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

/** The app of a test file with a receiver of what it posts and a user's token (filled in beforeAll). */
export interface TestAppFixture<T> {
  stack: TestApp;
  /** The token of the user named in `useTestApp`'s `login`. */
  token: string;
  /** The JSON bodies cadre posted to the receiver, in order. */
  received: T[];
}

/** A dispatcher of `cities` as access.yaml lists one, logging in with `password`. */
export async function dispatcher(name: string, cities: string[], password: string) {
  return { name, role: 'dispatcher', cities, passwordHash: await hashPassword(password) };
}

/**
 * Registers beforeAll/afterAll: a receiver of what cadre posts (jsonReceiver with `answer`), the app
 * (startTestApp on `nats`, registered before) with the files `files` gives for the receiver's URL,
 * and `login`'s token; afterAll stops the app, then the receiver.
 */
export function useTestApp<T>(options: {
  nats: NatsFixture;
  name: string;
  topology?: URL;
  answer?: { status?: number; body?: string };
  files: (receiverUrl: string) => Promise<Record<string, unknown>>;
  login: { username: string; password: string };
}): TestAppFixture<T> {
  const fixture = {} as TestAppFixture<T>;
  let receiver: Awaited<ReturnType<typeof jsonReceiver<T>>> | undefined;
  beforeAll(async () => {
    receiver = await jsonReceiver<T>(options.answer?.status, options.answer?.body);
    fixture.received = receiver.received;
    fixture.stack = await startTestApp({
      natsUrl: options.nats.url,
      name: options.name,
      topology: options.topology,
      files: await options.files(receiver.url),
    });
    fixture.token = await login(fixture.stack.url, options.login.username, options.login.password);
  }, 60_000);
  afterAll(async () => {
    await fixture.stack?.stop();
    await receiver?.close();
  });
  return fixture;
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
