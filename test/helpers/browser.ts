/**
 * A real headless Chromium for UI tests (playwright-core drives it; no bundled browser download).
 * Finds Chromium (CHROMIUM_PATH, PATH), installs Debian's package with apt-get when it is missing and
 * we are root (shared/tools.ts, as for nats-server), and otherwise fails with a message that says how to install one. Every context is fresh (its own
 * storage): several contexts are several users at several desks.
 */
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { CHROMIUM, ensureTool } from '../../shared/tools.js';

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

/** Chromium's path, installing Debian's package when possible; a clear Error otherwise. */
export function ensureChromium(log: (line: string) => void = () => {}): string {
  const bin = ensureTool(CHROMIUM, log);
  if (bin) return bin;
  const named = process.env.CHROMIUM_PATH;
  throw new Error(named ? `CHROMIUM_PATH=${named} is not executable.\n${INSTALL_HELP}` : INSTALL_HELP);
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
    browser.newContext({
      viewport: o.viewport ?? { width: 1920, height: 1080 },
      locale: o.locale ?? 'zh-CN',
    });
  return {
    browser,
    context: await newContext(),
    newContext,
    async close() {
      await browser.close().catch(() => {});
    },
  };
}
