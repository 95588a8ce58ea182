/** Which NATS server `cadre start` uses: NATS_URL, else one already answering, else an embedded child. */
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { resolveNats } from '../../app/nats.js';
import { readEnv } from '../../config/env.js';
import { isListening } from '../../broker/nats_server.js';
import { natsAuth } from '../../broker/nats_auth.js';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('resolveNats', () => {
  it('uses NATS_URL when it is set', async () => {
    const env = { ...readEnv({}), natsUrl: 'nats://nats.example:4222' };
    expect(await resolveNats(env, () => {})).toEqual({ url: 'nats://nats.example:4222' });
  });

  it('starts an embedded nats-server -js with its store under CADRE_DATA and cadre users when nothing answers, and stops it', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'cadre-embedded-'));
    const lines: string[] = [];
    const target = await resolveNats(
      { ...readEnv({ CADRE_DATA: dataDir }) },
      (l) => lines.push(l),
      `nats://127.0.0.1:${port}`,
    );
    try {
      expect(target.url).toBe(`nats://127.0.0.1:${port}`);
      expect(target.embedded?.storeDir).toBe(join(dataDir, 'nats'));
      expect(lines.join('\n')).toContain('starting an embedded nats-server -js');
      // With cadre's users (deploy/nats-auth.conf): anonymous clients are refused, the roles' users
      // (passwords generated into CADRE_DATA and this process's environment) get in.
      await expect(connect({ servers: target.url, reconnect: false })).rejects.toThrow(/Authorization/i);
      expect(existsSync(join(dataDir, 'nats-passwords.json'))).toBe(true);
      const nc = await connect({ servers: target.url, ...natsAuth('admin') });
      expect((await (await jetstreamManager(nc)).getAccountInfo()).limits).toBeDefined(); // JetStream is on
      await nc.close();
      expect(existsSync(join(dataDir, 'nats'))).toBe(true);

      // A second start finds the server already answering and leaves it alone.
      const again = await resolveNats({ ...readEnv({ CADRE_DATA: dataDir }) }, () => {}, target.url);
      expect(again).toEqual({ url: target.url });
    } finally {
      await target.embedded?.stop();
    }
    expect(await isListening('127.0.0.1', port)).toBe(false);
  });
});
