#!/usr/bin/env node
/**
 * The `cadre` command. Each sub-command lives in its own module with `main(argv) → exit status`,
 * loaded on demand so that `cadre replay` does not pay for the gateway's imports.
 */
import { CadreError } from '../shared/errors.js';

type Main = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { load: () => Promise<{ main: Main }>; help: string }> = {
  start: {
    load: () => import('../app/start_cli.js'),
    help: 'run the whole system in one process (ingest, processor, gateway, UI)',
  },
  ingest: {
    load: () => import('../app/start_cli.js').then((m) => ({ main: m.roleMain('ingest') })),
    help: 'run the ingest role (HTTP ingest, stream setup)',
  },
  processor: {
    load: () => import('../app/start_cli.js').then((m) => ({ main: m.roleMain('processor') })),
    help: 'run the processor role',
  },
  gateway: {
    load: () => import('../app/start_cli.js').then((m) => ({ main: m.roleMain('gateway') })),
    help: 'run the gateway role (REST, Socket.IO, UI)',
  },
  replay: {
    load: () => import('../processor/replay_cli.js'),
    help: 'FILE... [--config DIR] [--scorecards]: replay NDJSON input offline',
  },
  report: {
    load: () => import('../app/report_cli.js'),
    help: 'day|week|month --date YYYY-MM-DD FILE... [--city ID] [--format json|csv]: complaint report of replayed input',
  },
  simulate: {
    load: () => import('../sim/simulate_cli.js'),
    help: 'publish a simulated province on NATS (see --help)',
  },
  config: {
    load: () => import('../app/config_cli.js'),
    help: '[--config DIR]: validate the config and print the effective settings',
  },
  'hash-password': {
    load: () => import('../app/hash_password_cli.js'),
    help: '[PASSWORD]: print a hash for access.yaml',
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'usage: cadre <command> [options]',
    '',
    ...Object.entries(COMMANDS).map(([c, { help }]) => `  ${c.padEnd(width)}  ${help}`),
  ].join('\n');
}

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`cadre: unknown command ${name}\n\n${usage()}`);
    return 2;
  }
  return (await command.load()).main(rest);
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof CadreError ? `cadre: ${err.message}` : err);
    process.exitCode = 1;
  },
);
