/**
 * Finding the programs cadre needs beyond npm (nats-server; Chromium for the browser tests;
 * Alertmanager and promtool for the tests against Prometheus's own tools), and
 * installing Debian's package for one when it is missing and apt-get can be used (as root).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface ToolSpec {
  /** Executable names, in order of preference. */
  names: readonly string[];
  /** An environment variable that names the executable; when set, only it is considered. */
  envVar: string;
  /** Folders searched besides PATH (sbin folders are often not on a user's PATH). */
  extraDirs?: readonly string[];
  /** Debian's package that provides it. */
  debianPackage: string;
}

/** Headless Chromium for the browser tests (driven by playwright-core, which downloads no browser). */
export const CHROMIUM: ToolSpec = {
  names: ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'],
  envVar: 'CHROMIUM_PATH',
  debianPackage: 'chromium',
};

/** Prometheus's Alertmanager, for the test that sends cadre real webhook notifications. */
export const ALERTMANAGER: ToolSpec = {
  names: ['prometheus-alertmanager', 'alertmanager'],
  envVar: 'ALERTMANAGER_PATH',
  debianPackage: 'prometheus-alertmanager',
};

/** Prometheus's promtool (Debian's `prometheus` package), for the test that checks `/metrics`. */
export const PROMTOOL: ToolSpec = {
  names: ['promtool'],
  envVar: 'PROMTOOL_PATH',
  debianPackage: 'prometheus',
};

/** The executable's path, or undefined when it is nowhere to be found. */
export function findTool(spec: ToolSpec, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const named = env[spec.envVar];
  if (named) return isExecutable(named) ? named : undefined;
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...(spec.extraDirs ?? [])];
  for (const name of spec.names) {
    const found = dirs.map((d) => join(d, name)).find(isExecutable);
    if (found) return found;
  }
  return undefined;
}

/**
 * The executable's path, installing its Debian package first when it is missing and apt-get can be
 * used; undefined when neither worked (the caller says how to install it).
 */
export function ensureTool(spec: ToolSpec, log: (line: string) => void = () => {}): string | undefined {
  const found = findTool(spec);
  if (found || process.env[spec.envVar]) return found;
  const aptGet = findTool({ names: ['apt-get'], envVar: 'CADRE_APT_GET', debianPackage: 'apt' });
  if (process.getuid?.() !== 0 || !aptGet) return undefined;
  log(`${spec.names[0]} not found; installing Debian package ${spec.debianPackage} with apt-get…`);
  const apt = (args: string[]) =>
    spawnSync(aptGet, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (apt(['install', '-y', '--no-install-recommends', spec.debianPackage]).status !== 0) {
    // The package lists may be missing or stale on a fresh machine.
    apt(['update']);
    apt(['install', '-y', '--no-install-recommends', spec.debianPackage]);
  }
  return findTool(spec);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
