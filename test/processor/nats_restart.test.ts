/**
 * A nats-server restart under a running processor: its connections (the outputs' and the feeder
 * thread's) wait it out, the ordered consumer is recreated where it was, and input published after
 * the restart still becomes transitions — nothing applied twice.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { loadConfig } from '../../config/load.js';
import { ensureStreams } from '../../broker/streams.js';
import { startProcessor, type RunningProcessor } from '../../processor/live.js';
import { startNatsServer, type RunningNatsServer } from '../../broker/nats_server.js';
import { HEADERS, STREAMS, subjects } from '../../shared/subjects.js';
import type { EventTransition } from '../../shared/schemas.js';
import { complaint, scenarioConfigDir, readStream, waitFor } from './live_helpers.js';

const storeDir = mkdtempSync(join(tmpdir(), 'cadre-restart-store-'));
let server: RunningNatsServer | undefined;
let nc: NatsConnection | undefined;
let processor: RunningProcessor | undefined;

afterAll(async () => {
  await processor?.stop();
  await nc?.close();
  await server?.stop();
  rmSync(storeDir, { recursive: true, force: true });
});

function publishComplaint(id: string) {
  const h = headers();
  h.set(HEADERS.msgId, `complaint:${id}`);
  nc!.publish(subjects.input('complaint', 'HY'), JSON.stringify(complaint(id)), { headers: h });
}

/** The complaint ids in the evidence of the transitions stored so far, with their count. */
async function evidence(): Promise<{ ids: Set<string>; transitions: EventTransition[] }> {
  const stored = await readStream(nc!, STREAMS.events.name);
  const transitions = stored.map((m) => JSON.parse(m.text) as EventTransition);
  return { ids: new Set(transitions.flatMap((t) => t.evidence.complaints)), transitions };
}

describe('the processor across a nats-server restart', () => {
  it('goes on with input published after the server is back', async () => {
    server = await startNatsServer({ storeDir });
    const { url, port } = server;
    nc = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    const dir = scenarioConfigDir({});
    const config = loadConfig(dir);
    await ensureStreams(nc, config);
    processor = await startProcessor({ nc, natsUrl: url, config, log: () => {} });

    publishComplaint('R-1');
    await waitFor('the first complaint applied', async () => (await evidence()).ids.has('R-1') || undefined);

    await server.stop();
    server = await startNatsServer({ storeDir, port });

    // Published until the processor is back (a publish while the client reconnects may be lost).
    await waitFor(
      'a complaint published after the restart applied',
      async () => {
        publishComplaint('R-2');
        return (await evidence().catch(() => undefined))?.ids.has('R-2') || undefined;
      },
      20_000,
    );
    const { transitions } = await evidence();
    const keys = transitions.map((t) => `${t.id}:${t.seq}`);
    expect(new Set(keys).size, 'a transition published twice').toBe(keys.length);
    expect(transitions.at(-1)!.evidence.complaints).toEqual(['R-1', 'R-2']);
  }, 60_000);
});
