/** The process environment of the contract, with its defaults. */
import { resolve } from 'node:path';

export interface Env {
  port: number;
  host: string;
  /** Set only when the user chose a server; otherwise `start` may embed one. */
  natsUrl: string | undefined;
  configDir: string;
  dataDir: string;
  /** CADRE_COMMAND_KEY: signs and verifies commands, over cadre.yaml `commands.key`. */
  commandKey?: string;
}

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

export function readEnv(env: NodeJS.ProcessEnv = process.env): Env {
  return {
    port: env.PORT ? Number(env.PORT) : 3000,
    host: env.HOST || '127.0.0.1',
    natsUrl: env.NATS_URL || undefined,
    configDir: resolve(env.CADRE_CONFIG || './config'),
    dataDir: resolve(env.CADRE_DATA || './data'),
    commandKey: env.CADRE_COMMAND_KEY || undefined,
  };
}
