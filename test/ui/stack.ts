/**
 * The whole system for browser tests: a real nats-server (useNats), cadre's ingest + processor +
 * gateway in this process (startApp, the same wiring as `cadre start`) on a free port, the shipped
 * province topology and rules in a temporary config folder with known users, and a headless Chromium.
 * No demo feed: the test publishes every input itself, on NATS, as a producer would.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import type { Page } from 'playwright-core';
import { startApp, type RunningApp } from '../../app/app.js';
import { loadConfig, type Config } from '../../config/load.js';
import { hashApiKey, hashPassword } from '../../shared/passwords.js';
import { messageId, subjects } from '../../shared/subjects.js';
import type { Alarm, Complaint, Kpi } from '../../shared/schemas.js';
import { useNats } from '../helpers/nats.js';
import { launchBrowser, type LaunchedBrowser } from '../helpers/browser.js';

const SHIPPED_CONFIG = new URL('../../config/', import.meta.url).pathname;
const BUILT_UI = new URL('../../ui/dist/index.html', import.meta.url).pathname;
export const PASSWORD = 'wall-and-desk-test';
export const RESULTS = 'test-results';
/** The screenshots the docs show (docs/ui.md), taken by these tests. */
export const SCREENSHOTS = 'docs/screenshots';
/** Per test: page loads on a loaded 2-core machine are slow; only publish → red is held to 2 s. */
export const TEST_TIMEOUT = 120_000;

/** Users of the test config: two Changsha dispatchers (two desks) and a viewer. */
export const USERS = {
  dispatcher: 'cs-dispatcher',
  dispatcher2: 'cs-dispatcher-2',
  viewer: 'viewer',
} as const;

/** An API key of role ingest in the test config (as an SMS gateway's reply callback would use). */
export const INGEST_KEY = 'ui-test-ingest-key-0123456789';

export interface Stack {
  app: RunningApp;
  /** http://127.0.0.1:<port> */
  url: string;
  config: Config;
  browser: LaunchedBrowser;
  /** Publishes one input on `cadre.in.<type>.<city>` with its Nats-Msg-Id, as a producer does. */
  publish(type: 'complaint', city: string, msg: Complaint): Promise<void>;
  publish(type: 'alarm', city: string, msg: Alarm): Promise<void>;
  publish(type: 'kpi', city: string, msg: Kpi): Promise<void>;
  /** With `splitGateway`: stops the gateway alone (ingest and processor go on), and starts it again on the same port. */
  stopGateway(): Promise<void>;
  startGateway(): Promise<void>;
  /** With `splitGateway`: stops ingest and processor (the gateway stays up, its data freezes). */
  stopProcessor(): Promise<void>;
}

export interface StackOptions {
  /** The gateway in a process of its own (another startApp), so a test can stop and restart it. */
  splitGateway?: boolean;
  /** More files for the config folder (name → content), e.g. a notify.yaml; called before the stack starts. */
  configFiles?: () => Record<string, string> | Promise<Record<string, string>>;
  /** rules.yaml of the stack (e.g. a short deadline), as an object. */
  rules?: Record<string, unknown>;
}

/** Registers beforeAll/afterAll hooks; the returned object is filled in before the first test runs. */
export function useStack(options: StackOptions = {}): Stack {
  const nats = useNats();
  const stack = {} as Stack;
  const dirs: string[] = [];
  beforeAll(async () => {
    // Without the built UI the gateway serves only the API and every page wait would just time out.
    if (!existsSync(BUILT_UI))
      throw new Error(
        `${BUILT_UI} is missing: build the UI first (npm run build, or npx vite build --config ui/vite.config.ts).`,
      );
    const configDir = mkdtempSync(join(tmpdir(), 'cadre-ui-config-'));
    const dataDir = mkdtempSync(join(tmpdir(), 'cadre-ui-data-'));
    dirs.push(configDir, dataDir);
    await writeConfig(configDir);
    if (options.rules) writeFileSync(join(configDir, 'rules.yaml'), JSON.stringify(options.rules));
    for (const [name, content] of Object.entries((await options.configFiles?.()) ?? {}))
      writeFileSync(join(configDir, name), content);
    stack.config = loadConfig(configDir);
    const env = { port: 0, host: '127.0.0.1', natsUrl: nats.url, configDir, dataDir };
    if (options.splitGateway) {
      stack.app = await startApp({
        env,
        config: stack.config,
        roles: new Set(['ingest', 'processor']),
        log: () => {},
      });
      let gateway: RunningApp | undefined = await startApp({
        env,
        config: stack.config,
        roles: new Set(['gateway']),
        log: () => {},
      });
      stack.url = gateway.url!;
      const port = Number(new URL(stack.url).port);
      stack.stopGateway = async () => {
        await gateway?.stop();
        gateway = undefined;
      };
      stack.startGateway = async () => {
        gateway = await startApp({
          env: { ...env, port },
          config: stack.config,
          roles: new Set(['gateway']),
          log: () => {},
        });
      };
      stopExtra = () => stack.stopGateway();
      stack.stopProcessor = async () => {
        const app = stack.app;
        stack.app = undefined as unknown as RunningApp;
        await app.stop();
      };
    } else {
      stack.app = await startApp({
        env,
        config: stack.config,
        roles: new Set(['ingest', 'processor', 'gateway']),
        log: () => {},
      });
      stack.url = stack.app.url!;
      stack.stopGateway =
        stack.startGateway =
        stack.stopProcessor =
          () => Promise.reject(new Error('useStack({ splitGateway: true }) only'));
    }
    const js = jetstream(nats.nc);
    stack.publish = async (
      type: 'complaint' | 'alarm' | 'kpi',
      city: string,
      msg: Complaint | Alarm | Kpi,
    ) => {
      await js.publish(subjects.input(type, city), JSON.stringify(msg), {
        msgID: messageId(type, msg as unknown as Record<string, unknown>),
      });
    };
    stack.browser = await launchBrowser();
    mkdirSync(RESULTS, { recursive: true });
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 120_000);
  let stopExtra: () => Promise<void> = async () => {};
  afterAll(async () => {
    await stack.browser?.close();
    await stopExtra();
    await stack.app?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }, 60_000);
  return stack;
}

/** The shipped topology, rules and settings; an access.yaml with the test users; wall screens anonymous. */
async function writeConfig(dir: string): Promise<void> {
  for (const name of ['topology.json', 'rules.yaml', 'cadre.yaml']) {
    if (existsSync(join(SHIPPED_CONFIG, name))) copyFileSync(join(SHIPPED_CONFIG, name), join(dir, name));
  }
  const passwordHash = await hashPassword(PASSWORD);
  const access = {
    anonymousViewer: true,
    users: [
      { name: USERS.dispatcher, passwordHash, role: 'dispatcher', cities: ['CS'] },
      { name: USERS.dispatcher2, passwordHash, role: 'dispatcher', cities: ['CS'] },
      { name: USERS.viewer, passwordHash, role: 'viewer' },
    ],
    assignees: {
      teams: [
        { name: '长沙芙蓉网格组', cities: ['CS'] },
        { name: '湘潭网格组', cities: ['XT'] },
        { name: '省网优中心' },
      ],
      people: [{ name: '王磊', team: '长沙芙蓉网格组', cities: ['CS'] }],
    },
    apiKeys: [{ name: 'ui-test-ingest', keyHash: hashApiKey(INGEST_KEY), role: 'ingest' }],
  };
  writeFileSync(join(dir, 'access.yaml'), JSON.stringify(access));
}

let sequence = 0;
/** A complaint happening now (event time = wall time, so the live processor takes it at once). */
export function complaintNow(grid: string, extra: Partial<Complaint> = {}): Complaint {
  sequence++;
  return {
    id: `ui-test-${process.pid}-${sequence}`,
    time: new Date().toISOString(),
    customer: { id: `cust-${process.pid}-${sequence}`, tier: 3 },
    grid,
    category: 'data',
    ...extra,
  };
}

/** Logs a user in through the login screen and lands on `next`. */
export async function logIn(page: Page, url: string, user: string, next = '/desk'): Promise<void> {
  await page.goto(`${url}/login?next=${encodeURIComponent(next)}`);
  await page.getByTestId('login-username').fill(user);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((u) => u.pathname === next, { timeout: 30_000 });
}

/** Fails the test with the page's own errors in the message (a blank screen says nothing). */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}
