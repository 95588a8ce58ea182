/**
 * The processor's source of input: CADRE_IN's messages for one partition, from a stream sequence on,
 * in order, received by a feeder thread (processor/feeder_worker.ts) and handed over in batches.
 * Why a thread: receiving from NATS costs about as much per message as the rules do; on its own core
 * it no longer takes the processor's time (docs/performance.md).
 */
import { startThread } from './thread.js';
import type { FeedBatch } from './feed_batch.js';

/** Slots of the shared control array. */
export const CONSUMED = 0;
export const STOP = 1;

export interface FeederConfig {
  servers: string;
  name: string;
  stream: string;
  filter: string;
  namePrefix: string;
  /** The first stream sequence wanted. */
  startSeq: number;
  /** The consumer's pull size (cadre.yaml processor.batchSize). */
  pullBatch: number;
  /** SharedArrayBuffer of two Int32 slots: CONSUMED, STOP. */
  control: SharedArrayBuffer;
}

export type FeederReport =
  | { type: 'ready' }
  | { type: 'batch'; batch: FeedBatch }
  /** The pending count corrected while the feed is idle (the last batch's was the server's miscount). */
  | { type: 'pending'; pending: number }
  | { type: 'stopped' }
  | { type: 'failed'; message: string };

export interface FeedProgress {
  /** Messages left in the stream after the last one handed over. */
  pending: number;
  /** When the last message handed over was stored, epoch ms (0 before the first). */
  storedAtMs: number;
}

export interface Feed {
  progress(): FeedProgress;
  /** Stops receiving; resolves once every message received has been handed to `onMessage`. */
  stop(): Promise<void>;
}

/** How long a feeder thread may take to connect and create its consumer, unless told. */
const START_LIMIT_MS = 20_000;
/** How long a stop waits for the thread to close its consumer and connection before ending it. */
const STOP_LIMIT_MS = 5000;

/** Starts the feeder thread; resolves once its consumer exists. `onBatch` runs on this thread. */
export async function startFeed(
  options: Omit<FeederConfig, 'control'> & { startLimitMs?: number },
  onBatch: (batch: FeedBatch) => void,
  onFailure: (message: string) => void,
): Promise<Feed> {
  const control = new SharedArrayBuffer(8);
  const counters = new Int32Array(control);
  const { startLimitMs = START_LIMIT_MS, ...config } = options;
  const worker = startThread('feeder_worker', { ...config, control } satisfies FeederConfig);
  const progress: FeedProgress = { pending: 0, storedAtMs: 0 };
  let stopped: (() => void) | undefined;
  let ready: { resolve(): void; reject(err: Error): void } | undefined;
  const started = new Promise<void>((resolve, reject) => (ready = { resolve, reject }));
  let dead = false;
  /** Before it is ready a failure rejects the start; after, it is the caller's to handle, once. */
  const fail = (message: string) => {
    if (dead) return;
    dead = true;
    stopped?.();
    if (ready) ready.reject(new Error(message));
    else onFailure(message);
  };

  const handle = (report: FeederReport) => {
    switch (report.type) {
      case 'batch': {
        const batch = report.batch;
        onBatch(batch);
        progress.pending = batch.pending;
        progress.storedAtMs = batch.storedAt[batch.count - 1] ?? progress.storedAtMs;
        Atomics.add(counters, CONSUMED, batch.count);
        Atomics.notify(counters, CONSUMED);
        break;
      }
      case 'pending':
        progress.pending = report.pending;
        break;
      case 'ready':
        ready?.resolve();
        break;
      case 'stopped':
        stopped?.();
        break;
      case 'failed':
        fail(report.message);
    }
  };
  // One report a turn of the event loop. Node delivers up to 1,000 queued port messages in one go,
  // and the feeder posts the next batch as soon as one is taken: catching up, the thread handled
  // batches for ~10 s on end (bench soak: progress unread for 9.9 s) and no timer ran meanwhile —
  // checkpoints, stats, grid documents, the lease watch.
  const reports: FeederReport[] = [];
  const next = () => {
    const report = reports.shift();
    if (report) handle(report);
    if (reports.length) setImmediate(next);
  };
  worker.on('message', (report: FeederReport) => {
    if (reports.push(report) === 1) setImmediate(next);
  });
  worker.on('error', (err) => fail(err.message));
  worker.on('exit', (code) => {
    if (!stopped) fail(`the feeder thread exited (code ${code})`);
  });
  // A start that neither succeeds nor fails (a connect or a consumer creation waiting on a cluster
  // that lost its quorum) is a failed one: the caller starts another, with the servers known then.
  const limit = setTimeout(() => fail(`not started within ${startLimitMs / 1000} s`), startLimitMs);
  await started
    .catch(async (err: Error) => {
      await worker.terminate();
      throw err;
    })
    .finally(() => clearTimeout(limit));
  ready = undefined;

  let stopping: Promise<void> | undefined;
  return {
    progress: () => progress,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        stopped = resolve;
        if (dead) return resolve();
        Atomics.store(counters, STOP, 1);
        Atomics.notify(counters, CONSUMED);
        worker.postMessage('stop');
        // A thread whose close waits on a server that is gone (a cluster node killed) is ended
        // anyway: a restart must not wait for it. What it delivered is taken; the next feed starts
        // after the last applied sequence, and the gate skips what it hands over again.
        setTimeout(resolve, STOP_LIMIT_MS).unref();
      }).then(() => worker.terminate().then(() => undefined));
      return stopping;
    },
  };
}
