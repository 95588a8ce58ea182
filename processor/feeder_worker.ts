/**
 * The feeder thread: its own NATS connection and the ordered consumer of CADRE_IN, handing the raw
 * messages to the processor's thread in batches. Receiving from NATS (protocol parsing, `JsMsg`s, the
 * ordered consumer's bookkeeping) then runs on a second core beside the rules.
 *
 * Flow control: the processor counts the messages it has taken in `control[CONSUMED]`. When more than
 * HIGH_WATER posted messages are not yet taken, the consumer callback blocks (Atomics.wait) — as a
 * slow synchronous callback would — so the ordered consumer pulls no further and memory stays bounded
 * however far behind the processor is.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { connect } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { FeedBatchWriter, messagesBehind, transferListOf, wrappingAdd } from './feed_batch.js';
import { CONSUMED, STOP, type FeederConfig, type FeederReport } from './feeder.js';
import { natsAuth } from '../broker/nats_auth.js';

const config = workerData as FeederConfig;
const control = new Int32Array(config.control);
const port = parentPort;
if (!port) throw new Error('processor/feeder_worker.ts runs as the feeder thread of processor/feeder.ts');
const report = (r: FeederReport, transfer?: ArrayBuffer[]) => port.postMessage(r, transfer);

const MAX_BATCH = 1024;
const HIGH_WATER = 16 * MAX_BATCH;
/** A feed a whole tick of this long without a message, that last said something was pending, asks its consumer. */
const IDLE_MS = 2000;

const batch = new FeedBatchWriter(MAX_BATCH);
/** Messages posted, an Int32 that wraps like the shared CONSUMED counter (see `messagesBehind`). */
let posted = 0;
const behind = (consumed: number) => messagesBehind(posted, consumed);
let flushScheduled = false;
/** The last message received: its stream sequence and the pending count it came with. */
let lastSeq = 0;
let lastPending = 0;

function post(): void {
  flushScheduled = false;
  if (!batch.count) return;
  const b = batch.take();
  posted = wrappingAdd(posted, b.count);
  report({ type: 'batch', batch: b }, transferListOf(b));
}

/** Blocks this thread while the processor is more than HIGH_WATER messages behind (or until stopped). */
function waitForRoom(): void {
  for (;;) {
    const consumed = Atomics.load(control, CONSUMED);
    if (behind(consumed) <= HIGH_WATER || Atomics.load(control, STOP)) return;
    Atomics.wait(control, CONSUMED, consumed, 100);
  }
}

try {
  const nc = await connect({
    servers: config.servers.split(','),
    waitOnFirstConnect: true,
    name: config.name,
    // The processor's NATS user (a worker thread sees the process's environment).
    ...natsAuth('processor'),
    noAsyncTraces: true,
    maxReconnectAttempts: -1, // as the processor's own connection: a server restart is waited out
  });
  const consumer = await jetstream(nc).consumers.get(config.stream, {
    name_prefix: config.namePrefix,
    filter_subjects: config.filter,
    ...(config.startSeq > 1
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: config.startSeq }
      : {}),
  });
  const messages = await consumer.consume({
    max_messages: config.pullBatch,
    // Pulls renewed every 5 s (heartbeats every 2.5): a consumer lost with a cluster node is noticed
    // and re-created within seconds, not after the default 30 s.
    expires: 5000,
    callback: (m) => {
      const info = m.info; // already parsed by the ordered consumer
      lastSeq = info.streamSequence;
      lastPending = info.pending;
      batch.add(m.subject, info.streamSequence, m.data, info.pending, info.timestampNanos / 1e6);
      if (batch.full) post();
      else if (!flushScheduled) {
        // Everything parsed from one socket read is delivered synchronously: post it as one batch.
        flushScheduled = true;
        setImmediate(post);
      }
      if (behind(Atomics.load(control, CONSUMED)) > HIGH_WATER) waitForRoom();
    },
  });
  let stopping = false;
  // nats-server 2.9.10 may count in a delivered message's num_pending one it has just delivered (its
  // new-message signal racing the delivery): at the end of the input the feed then says 1 pending for
  // good, and the processor's lag grows on every screen (the long fault suite, KV_cadre_events full).
  // Idle (no message since the previous tick: nothing is timed per message on this hot path) with
  // something said pending, the consumer's info, counted afresh, says what is.
  let checking = false;
  let seqAtTick = 0;
  const idleCheck = setInterval(() => {
    const idle = lastSeq === seqAtTick;
    seqAtTick = lastSeq;
    if (checking || stopping || lastPending === 0 || !idle) return;
    checking = true;
    const asked = lastSeq;
    consumer
      .info()
      .then((ci) => {
        if (lastSeq !== asked || ci.delivered.stream_seq !== asked) return; // more came meanwhile
        post();
        lastPending = ci.num_pending;
        report({ type: 'pending', pending: ci.num_pending });
      })
      .catch(() => undefined) // asked again next time; a lost consumer is noticed by its heartbeats
      .finally(() => (checking = false));
  }, IDLE_MS);
  // A feed that ends by itself (the consumer gave up, the connection closed for good) is reported:
  // the processor then starts another from its state's sequence.
  const ended = (why: string) => !stopping && report({ type: 'failed', message: why });
  void messages.closed().then((err) => ended(err ? err.message : 'the consumer ended'));
  // An ordered consumer lives on one server: lost with that cluster node, the client would wait for
  // the node to come back. Two missed heartbeats (5 s), or a reconnect (after which the client stops
  // watching heartbeats until it has found its consumer again), end this feed; the next one's consumer
  // is placed on a live node.
  void (async () => {
    for await (const s of messages.status())
      if (s.type === 'heartbeats_missed' && s.count >= 2) return ended('its consumer stopped answering');
  })();
  void (async () => {
    for await (const s of nc.status())
      if (s.type === 'reconnect') return ended('its connection was lost and made again');
  })();
  void nc.closed().then((err) => ended(`the connection closed${err ? `: ${err.message}` : ''}`));
  report({ type: 'ready' });
  port.once('message', () => {
    // The stop request: no message is delivered after close() resolves.
    stopping = true;
    clearInterval(idleCheck);
    void (async () => {
      await messages.close();
      post();
      await nc.close();
      report({ type: 'stopped' });
    })();
  });
} catch (err) {
  report({ type: 'failed', message: (err as Error).message });
}
