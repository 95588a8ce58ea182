/**
 * The processor's checkpoint: the core's snapshot together with the last stream sequence applied to
 * it, as one object in the object store (object = partition). Written only after every output up to
 * that sequence is stored, so a restart from it neither loses nor doubles a transition.
 *
 * Stored gzipped: the object store hashes every byte with a pure-JS SHA-256 on the processor's thread,
 * which cost ~8% of a busy processor for a 2,000-grid state (~22 MB of JSON, ~3 MB gzipped). The
 * state is serialized and compressed where it is snapshotted (the shadow core's thread), as the tail
 * of the document; the head, known only when saving, is a gzip member of its own in front (gunzip
 * reads concatenated members as one text); the state is itself a series of members, a megabyte of
 * text each, gzipped as it is written. An uncompressed checkpoint of an earlier version still loads.
 */
import { gunzipSync, gzipSync, constants } from 'node:zlib';
import type { NatsConnection } from '@nats-io/transport-node';
import { Objm, type ObjectStore } from '@nats-io/obj';
import { BUCKETS } from '../shared/subjects.js';
import { within } from '../broker/broker_waits.js';

const VERSION = 1;
/**
 * A checkpoint read that gets nothing for this long is given up and made again (live.ts retries it
 * in place). Bounded per chunk, not as a whole: a large checkpoint on a loaded machine takes as
 * long as it takes, while a read that stopped is found in seconds — its consumer placed on a node
 * that is gone (nats-server 2.9.10), or its last chunk delivered with a pending count of 1 (the
 * server's miscount, processor/feeder_worker.ts), which nats.js waits on for ever. One bound of 30 s
 * for the whole read cost a partition 30 s a try after a cluster node came back (failover.test).
 */
const STALL_MS = 5000;
const gzip = (text: string) => gzipSync(text, { level: constants.Z_BEST_SPEED });
const isGzip = (data: Uint8Array) => data[0] === 0x1f && data[1] === 0x8b;

export interface Checkpoint<S> {
  version: number;
  partition: string;
  /** Last CADRE_IN stream sequence applied to `state`. */
  seq: number;
  /** CADRE_EVENTS sequence reached by the outputs of everything up to `seq`. */
  eventsSeq: number;
  /** Wall-clock time it was taken (for operators; not used by decisions). */
  savedAt: string;
  state: S;
}

export class CheckpointStore<S> {
  private constructor(
    private readonly store: ObjectStore,
    private readonly partition: string,
  ) {}

  static async open<S>(nc: NatsConnection, partition: string): Promise<CheckpointStore<S>> {
    return new CheckpointStore<S>(await new Objm(nc).open(BUCKETS.checkpoints), partition);
  }

  async load(): Promise<Checkpoint<S> | undefined> {
    const data = await readObject(this.store, this.partition);
    if (!data) return undefined;
    const text = new TextDecoder().decode(isGzip(data) ? gunzipSync(data) : data);
    const checkpoint = JSON.parse(text) as Checkpoint<S>;
    if (checkpoint.version !== VERSION)
      throw new Error(`checkpoint version ${checkpoint.version} is not ${VERSION}`);
    return checkpoint;
  }

  /** Stores `encodedState` (from encodeState) as the checkpoint after `seq`. */
  async save(seq: number, eventsSeq: number, encodedState: Uint8Array, savedAt: string): Promise<void> {
    const head = JSON.stringify({ version: VERSION, partition: this.partition, seq, eventsSeq, savedAt });
    await this.store.putBlob(
      { name: this.partition },
      Buffer.concat([gzip(head.slice(0, -1)), encodedState]),
    );
  }
}

/** An object's bytes (null when there is none), each step bounded by STALL_MS. */
async function readObject(store: ObjectStore, name: string): Promise<Uint8Array | null> {
  const stalled = <T>(step: Promise<T>) => within(step, STALL_MS, 'checkpoint read');
  const getting = store.get(name);
  const result = await stalled(getting).catch((err: unknown) => {
    // A get that answers after all is not read: its consumer is stopped.
    void getting.then((late) => late?.data.cancel()).catch(() => undefined);
    throw err;
  });
  if (!result) return null;
  // Settled whatever happens below: a consumer that failed rejects it as well as the stream.
  const failed = result.error.then(
    (err) => err ?? undefined,
    (err: unknown) => err,
  );
  const reader = result.data.getReader();
  const chunks: Uint8Array[] = [];
  try {
    for (;;) {
      const { done, value } = await stalled(reader.read());
      if (done) break;
      chunks.push(value);
    }
  } catch (err) {
    void reader.cancel().catch(() => undefined); // stops its consumer
    throw err;
  }
  const error = await failed;
  if (error) throw error;
  return Buffer.concat(chunks);
}

/** Serializes and compresses a state at once (it changes right after): the checkpoint's tail. */
export function encodeState(state: unknown): Uint8Array {
  return encodeStateWith((write) => write(JSON.stringify(state)));
}

/** Text gzipped at a time: a member of the checkpoint each (the ratio is that of the whole within 1%). */
const MEMBER_CHARS = 1 << 20;

/**
 * encodeState of a state that `writeState` hands over in pieces (Core.writeSnapshotJSON): gzipped a
 * megabyte of text at a time, as members one after another, so the state's whole text never exists.
 */
export function encodeStateWith(writeState: (write: (text: string) => void) => void): Uint8Array {
  const members: Buffer[] = [];
  let pieces: string[] = [];
  let chars = 0;
  const write = (text: string) => {
    pieces.push(text);
    chars += text.length;
    if (chars < MEMBER_CHARS) return;
    members.push(gzip(pieces.join('')));
    pieces = [];
    chars = 0;
  };
  write(',"state":');
  writeState(write);
  write('}');
  if (pieces.length) members.push(gzip(pieces.join('')));
  // A buffer of its own (not Buffer's pool): the shadow's thread transfers it.
  const out = new Uint8Array(members.reduce((n, m) => n + m.length, 0));
  let at = 0;
  for (const m of members) {
    out.set(m, at);
    at += m.length;
  }
  return out;
}
