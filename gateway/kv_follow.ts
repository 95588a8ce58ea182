/**
 * Follows a KV bucket through its stream (`KV_<bucket>`) with gateway/stream_follow.ts, so a read
 * model recovers from a lost cluster node as the transitions do: nats.js 3.4's own `kv.watch()` is an
 * ordered consumer like the one that could pull nothing for good after its node was killed, and a
 * grid page then showed a stale document. From the bucket's next revision at start on; a deleted
 * key (`KV-Operation: DEL`) is skipped and a purge handed over, as `kv.watch({ ignoreDeletes: true })`
 * did.
 */
import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { followStream, type StreamFollow } from './stream_follow.js';

/** What a follower hands over of a KV entry: what the read model reads of one. */
export type KvChange = Pick<KvEntry, 'bucket' | 'key' | 'revision' | 'value' | 'operation' | 'json'>;

const decoder = new TextDecoder();

export async function followKv(
  nc: NatsConnection,
  js: JetStreamClient,
  jsm: JetStreamManager,
  options: {
    bucket: string;
    onChange: (e: KvChange) => void;
    log?: { warn(obj: object, msg: string): void };
  },
): Promise<StreamFollow> {
  const { bucket, onChange } = options;
  const stream = `KV_${bucket}`;
  const prefix = `$KV.${bucket}.`;
  // Changes from now on: what is already stored is the caller's to load (after this, so none is missed).
  const lastSeq = (await jsm.streams.info(stream)).state.last_seq;
  return followStream(nc, js, {
    stream,
    startSeq: lastSeq + 1,
    onMessage: (m) => {
      const change = changeOf(bucket, prefix, m);
      if (change.operation !== 'DEL') onChange(change);
    },
    log: options.log,
  });
}

function changeOf(bucket: string, prefix: string, m: JsMsg): KvChange {
  const operation = (m.headers?.get('KV-Operation') || 'PUT') as KvChange['operation'];
  return {
    bucket,
    key: m.subject.slice(prefix.length),
    revision: m.seq,
    value: m.data,
    operation,
    json: <T>() => JSON.parse(decoder.decode(m.data)) as T,
  };
}
