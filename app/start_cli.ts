/**
 * `cadre start [--demo]` (every role in one process) and `cadre ingest|processor|gateway` (one role).
 * `npm start` is `cadre start --demo`: the whole system with a live simulated province.
 */
import { parseArgs } from 'node:util';
import { readEnv } from '../config/env.js';
import { loadConfig } from '../config/load.js';
import { startApp, type Role } from './app.js';
import { keepRunningOnBrokerErrors } from '../broker/broker_waits.js';

const OPTIONS = {
  demo: { type: 'boolean', default: false },
  rate: { type: 'string' },
  seed: { type: 'string' },
  partition: { type: 'string' },
  'no-ticks': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const HELP = `usage: cadre start [--demo [--rate N] [--seed N]]
       cadre ingest | processor [--partition CITY] [--no-ticks] | gateway

  --demo         simulate a province on NATS and create the demo users (npm start does this)
  --rate N       the simulation's background messages per second (default 20)
  --seed N       the simulation's seed (default 1)
  --partition C  processor: own only city C's partition (standing by while another instance does)
  --no-ticks     processor: do not publish wall-clock ticks (re-running a recorded log)

Environment: PORT, HOST, NATS_URL, CADRE_CONFIG, CADRE_DATA (see README.md).`;

export function roleMain(role: Role | 'all') {
  return async (argv: string[]): Promise<number> => {
    const { values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    keepRunningOnBrokerErrors((m) => console.error(`cadre: ${m}`));
    const env = readEnv();
    const config = loadConfig(env.configDir);
    const roles = new Set<Role>(role === 'all' ? ['ingest', 'processor', 'gateway'] : [role]);
    const app = await startApp({
      env,
      config,
      roles,
      embedNats: role === 'all',
      partition: values.partition,
      ticks: !values['no-ticks'],
      demo: values.demo
        ? { rate: numberOr(values.rate, undefined), seed: numberOr(values.seed, undefined) }
        : undefined,
    });
    printBanner(app, env.dataDir);
    await new Promise<void>((resolve) => {
      let stopping = false;
      const onSignal = (signal: string) => {
        if (stopping) process.exit(130); // a second Ctrl-C: stop waiting
        stopping = true;
        console.log(`\ncadre: ${signal}, stopping…`);
        app.stop().then(resolve, resolve);
      };
      process.once('SIGINT', () => onSignal('SIGINT'));
      process.once('SIGTERM', () => onSignal('SIGTERM'));
    });
    return 0;
  };
}

export const main = roleMain('all');

function printBanner(app: Awaited<ReturnType<typeof startApp>>, dataDir: string): void {
  const lines = [`cadre is running (NATS ${app.natsUrl})`];
  if (app.url) {
    const base = app.url.replace('://0.0.0.0', '://127.0.0.1');
    lines.push(
      app.gateway
        ? `  wall screen:   ${base}/wall`
        : `  ingest:        ${base}/api/ingest/{alarms,kpis,complaints}`,
    );
    if (app.gateway) lines.push(`  dispatch desk: ${base}/desk`);
  }
  if (app.credentials) {
    for (const [name, password] of Object.entries(app.credentials.passwords))
      lines.push(`  ${name.padEnd(10)} login: ${name} / ${password}`);
    lines.push(`  (demo credentials are kept in ${dataDir}/demo-credentials.txt)`);
  }
  if (app.simulation) lines.push('  a simulated province is publishing live input; Ctrl-C stops everything');
  console.log(lines.join('\n'));
}

function numberOr<T>(text: string | undefined, fallback: T): number | T {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new Error(`not a number: ${text}`);
  return n;
}
