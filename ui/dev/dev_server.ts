/**
 * `npm run dev:ui`: the UI with hot reload (Vite's dev server, proxying /api and /socket.io to the
 * gateway, ui/vite.config.ts) in front of the real system. When a gateway already answers at
 * CADRE_API (default http://HOST:PORT, where `npm start` listens) that one is used; otherwise this
 * process runs what `npm start` runs, `cadre start --demo` from the sources (a nats-server found or
 * embedded with its store in CADRE_DATA, every role, the demo users, the simulated province), with
 * the same environment and the same options (`npm run dev:ui -- --rate 5`).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEnv } from '../../config/env.js';
import { main as start } from '../../app/start_cli.js';

const env = readEnv();
const api = process.env.CADRE_API ?? `http://${env.host}:${env.port}`;
const answering = await fetch(new URL('/healthz', api)).then(
  (res) => res.ok,
  () => false,
);
if (!answering && process.env.CADRE_API) throw new Error(`no gateway answers at CADRE_API=${api}`);

// Vite in a child of its own: its dev server exits the process on SIGTERM, which would cut the
// system's orderly stop short. Its stdin is the terminal's, for its shortcuts.
const viteBin = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin/vite.js');
const vite = spawn(
  process.execPath,
  [viteBin, '--config', fileURLToPath(new URL('../vite.config.ts', import.meta.url))],
  { stdio: 'inherit', env: { ...process.env, CADRE_API: api } },
);
console.log(
  `dev:ui: Vite proxies /api and /socket.io to ${answering ? 'the running gateway at ' : ''}${api}`,
);
if (answering) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => vite.kill(signal));
  vite.once('exit', (code) => process.exit(code ?? 0));
} else {
  process.exitCode = await start(['--demo', ...process.argv.slice(2)]);
  vite.kill();
}
