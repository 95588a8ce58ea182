/**
 * A real headless Chromium for UI tests (playwright-core drives it; no bundled browser download).
 * Finds Debian's chromium (CHROMIUM_PATH, /usr/bin/chromium, PATH), installs the Debian package with
 * apt-get when it is missing and we are root (as shared/nats_server.ts does for nats-server), and
 * otherwise fails with a message that says how to install one. Every context is fresh (its own
 * storage): several contexts are several users at several desks.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const INSTALL_HELP = [
  'UI tests need Chromium. Install it one of these ways:',
  '  Debian/Ubuntu:  sudo apt-get install chromium',
  '  macOS:          brew install --cask chromium',
  'or set CHROMIUM_PATH to a Chromium/Chrome executable.',
].join('\n');

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CHROMIUM_PATH) return isExecutable(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : undefined;
  if (isExecutable('/usr/bin/chromium')) return '/usr/bin/chromium';
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of NAMES) {
    const found = dirs.map((d) => join(d, name)).find(isExecutable);
    if (found) return found;
  }
  return undefined;
}

/** Chromium's path, installing Debian's package when possible; a clear Error otherwise. */
export function ensureChromium(log: (line: string) => void = () => {}): string {
  const found = findChromium();
  if (found) return found;
  if (process.env.CHROMIUM_PATH) throw new Error(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} is not executable.\n${INSTALL_HELP}`);
  const aptGet = (process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'apt-get')).find(isExecutable);
  if (process.getuid?.() === 0 && aptGet) {
    log('chromium not found; installing Debian package chromium with apt-get…');
    const apt = (args: string[]) => spawnSync(aptGet, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (apt(['install', '-y', '--no-install-recommends', 'chromium']).status !== 0) {
      apt(['update']);
      apt(['install', '-y', '--no-install-recommends', 'chromium']);
    }
    const installed = findChromium();
    if (installed) return installed;
  }
  throw new Error(INSTALL_HELP);
}

export interface BrowserOptions {
  /** Defaults to the wall screen's 1920×1080. */
  viewport?: { width: number; height: number };
  locale?: string;
}

export interface LaunchedBrowser {
  browser: Browser;
  /** The first context, opened with the launch options. */
  context: BrowserContext;
  /** Another fresh context (another user: its own localStorage and cookies). */
  newContext(options?: BrowserOptions): Promise<BrowserContext>;
  close(): Promise<void>;
}

export async function launchBrowser(options: BrowserOptions = {}): Promise<LaunchedBrowser> {
  const executablePath = ensureChromium((l) => console.error(l));
  const browser = await chromium.launch({ executablePath, headless: true, args: FLAGS });
  const newContext = (o: BrowserOptions = options) =>
    browser.newContext({ viewport: o.viewport ?? { width: 1920, height: 1080 }, locale: o.locale ?? 'zh-CN' });
  return {
    browser,
    context: await newContext(),
    newContext,
    async close() {
      await browser.close().catch(() => {});
    },
  };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
