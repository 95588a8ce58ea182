/**
 * The checkpoint store on a real nats-server: a checkpoint of many object-store chunks reads back
 * as saved, a partition without one reads as none, and a read whose chunks stop coming fails in
 * seconds as a timeout (which the processor's start makes again at once), not after a bound for
 * the whole read.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { useNats } from '../helpers/nats.js';
import { ensureCadreStreams } from '../gateway/helpers.js';
import { CheckpointStore, encodeState } from '../../processor/checkpoint.js';
import { BUCKETS } from '../../shared/subjects.js';

const nats = useNats();

describe('CheckpointStore', () => {
  it('reads back a checkpoint of many chunks as saved, and none for a partition without one', async () => {
    await ensureCadreStreams(nats.nc);
    const store = await CheckpointStore.open<{ blob: string }>(nats.nc, 'CS');
    // Random text compresses little: about 1.5 MB stored, a dozen chunks of the object store.
    const state = { blob: randomBytes(1_100_000).toString('base64') };
    await store.save(42, 7, encodeState(state), '2026-12-04T20:00:00Z');
    const loaded = await store.load();
    expect(loaded).toMatchObject({ version: 1, partition: 'CS', seq: 42, eventsSeq: 7 });
    expect(loaded?.state.blob).toBe(state.blob);
    expect(await (await CheckpointStore.open(nats.nc, 'HY')).load()).toBeUndefined();
  });

  it('gives a read whose chunks never come up within seconds, as a timeout', async () => {
    await ensureCadreStreams(nats.nc);
    const store = await CheckpointStore.open<{ n: number }>(nats.nc, 'XT');
    await store.save(1, 1, encodeState({ n: 1 }), '2026-12-04T20:00:00Z');
    // The object's description stays, its chunks go: a consumer that is never delivered anything,
    // as one placed on a node that is gone.
    const jsm = await jetstreamManager(nats.nc);
    await jsm.streams.purge(`OBJ_${BUCKETS.checkpoints}`, { filter: `$O.${BUCKETS.checkpoints}.C.>` });
    const started = performance.now();
    await expect(store.load()).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(performance.now() - started).toBeLessThan(15_000);
  }, 30_000);
});
