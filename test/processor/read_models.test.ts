/**
 * The grid documents are read models of the core's state, built on the shadow core's thread and
 * written apart from the checkpoints: what the core did not take (a complaint re-sent under another
 * Nats-Msg-Id and time-zone text, one rejected as absurd) never shows in them, and a crash after a
 * grid document was written and before the checkpoint that covers it applies nothing twice.
 */
import { describe, expect, it } from 'vitest';
import { headers } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { useNats } from '../helpers/nats.js';
import { BUCKETS, HEADERS, STREAMS, subjects } from '../../shared/subjects.js';
import type { EventTransition } from '../../shared/schemas.js';
import type { GridDoc } from '../../shared/views.js';
import { complaint, readStream, useLiveProcessor, waitFor } from './live_helpers.js';

const nats = useNats();
// Checkpoints far apart: grid documents (once a second) are written long before one covers them.
const live = useLiveProcessor(nats, 'processor:\n  checkpointInterval: 10m\n');
const GRID = 'HY-SG-0005';

function publish(body: unknown, msgId: string) {
  const h = headers();
  h.set(HEADERS.msgId, msgId);
  nats.nc.publish(subjects.input('complaint', 'HY'), JSON.stringify(body), { headers: h });
}

async function gridComplaints(): Promise<string[]> {
  const doc = await (await new Kvm(nats.nc).open(BUCKETS.grids)).get(GRID);
  return doc?.json<GridDoc>().complaints.map((c) => c.id) ?? [];
}

/** Every stored transition once, by id:seq. */
async function storedKeys(): Promise<string[]> {
  return (await readStream(nats.nc, STREAMS.events.name)).map((m) => {
    const t = JSON.parse(m.text) as EventTransition;
    return `${t.id}:${t.seq}`;
  });
}

describe('grid documents', () => {
  it('never show a complaint re-sent under another id and zone text, or one the core rejected', async () => {
    await live.start();
    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    const first = complaint('R-1', { time: at.toISOString() });
    publish(first, 'complaint:R-1');
    // A re-send: the same complaint and instant, in +08:00 text, under another Nats-Msg-Id.
    const beijing = new Date(at.getTime() + 8 * 3_600_000).toISOString().replace(/\.\d+Z$/, '+08:00');
    publish({ ...first, time: beijing }, 'complaint:R-1:again');
    publish(complaint('R-absurd', { time: '2031-01-01T00:00:00Z' }), 'complaint:R-absurd'); // years ahead
    publish(complaint('R-2'), 'complaint:R-2');
    await waitFor('both complaints in the grid document', async () =>
      (await gridComplaints()).includes('R-2') ? true : undefined,
    );
    expect(await gridComplaints()).toEqual(['R-1', 'R-2']);
  });

  it('a crash after the grid document and before the checkpoint applies nothing twice', async () => {
    publish(complaint('R-3'), 'complaint:R-3');
    await waitFor('R-3 in the grid document', async () =>
      (await gridComplaints()).includes('R-3') ? true : undefined,
    );
    const before = await storedKeys();
    // As a SIGKILL would leave it: nothing more written, the last checkpoint is the first one.
    await live.processor!.abandon();
    await live.start();
    publish(complaint('R-4'), 'complaint:R-4');
    await waitFor('R-4 in the grid document', async () =>
      (await gridComplaints()).includes('R-4') ? true : undefined,
    );
    expect(await gridComplaints()).toEqual(['R-1', 'R-2', 'R-3', 'R-4']);
    const after = await storedKeys();
    expect(new Set(after).size).toBe(after.length);
    expect(after.slice(0, before.length)).toEqual(before);
  });
});
