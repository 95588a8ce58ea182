/**
 * Which NATS server `cadre start` talks to: NATS_URL when set; else one already answering on
 * 127.0.0.1:4222; else an embedded `nats-server -js` child with its store under CADRE_DATA, stopped
 * when cadre stops. The embedded server runs with cadre's users and permissions
 * (deploy/nats-auth.conf), the passwords in `CADRE_DATA/nats-passwords.json`.
 */
import { join } from 'node:path';
import { DEFAULT_NATS_URL, type Env } from '../config/env.js';
import { mkdirSync } from 'node:fs';
import { isListening, startNatsServer } from '../broker/nats_server.js';
import { loadOrCreatePasswords, passwordsFile } from '../broker/nats_auth.js';

export interface NatsTarget {
  url: string;
  /** Set when cadre launched the server itself. */
  embedded?: { storeDir: string; stop(): Promise<void> };
}

export async function resolveNats(
  env: Env,
  log: (line: string) => void,
  defaultUrl = DEFAULT_NATS_URL,
): Promise<NatsTarget> {
  if (env.natsUrl) return { url: env.natsUrl };
  const { hostname, port } = new URL(defaultUrl);
  if (await isListening(hostname, Number(port))) return { url: defaultUrl };
  const storeDir = join(env.dataDir, 'nats');
  log(`no NATS server at ${defaultUrl}: starting an embedded nats-server -js (store ${storeDir})`);
  // With cadre's users and permissions (deploy/nats-auth.conf); their passwords are generated once
  // and kept in CADRE_DATA, and handed to this process's roles through their variables.
  mkdirSync(env.dataDir, { recursive: true });
  const passwords = loadOrCreatePasswords(passwordsFile(env.dataDir));
  for (const [name, value] of Object.entries(passwords)) process.env[name] ??= value;
  const server = await startNatsServer({ storeDir, port: Number(port), host: hostname, auth: { passwords } });
  return { url: server.url, embedded: { storeDir, stop: () => server.stop() } };
}
