/**
 * Which NATS server `cadre start` talks to: NATS_URL when set; else one already answering on
 * 127.0.0.1:4222; else an embedded `nats-server -js` child with its store under CADRE_DATA, stopped
 * when cadre stops.
 */
import { join } from 'node:path';
import { DEFAULT_NATS_URL, type Env } from '../config/env.js';
import { isListening, startNatsServer } from '../broker/nats_server.js';

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
  const server = await startNatsServer({ storeDir, port: Number(port), host: hostname });
  return { url: server.url, embedded: { storeDir, stop: () => server.stop() } };
}
