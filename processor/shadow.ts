/**
 * The shadow core: a second Core on a thread of its own, fed the live core's input in the same order:
 * each feed batch's raw messages (a copy of its buffers), which it passes through the same pure gate,
 * skipping what the live processor skipped (already applied, or a tick it refused by its wall clock).
 * Gate and core are deterministic, so at every point of the input log the shadow's state is the live
 * core's; the shadow takes the checkpoints' snapshots and builds the grid documents, and the live
 * thread — whose time is the latency from publish to screen — never stops for them (a 2,000-grid
 * state is ~25 MB of JSON: ~1 s of snapshot and serialization on this machine, every checkpoint,
 * which was the live path's p99). Raw bytes and not the gate's inputs cross over: cloning the inputs
 * cost the live thread about as much as the gate itself.
 *
 * Trust, but check: every checkpoint request carries the live core's fingerprint (counters, clock);
 * a shadow that differs answers `diverged` and the caller falls back to its own snapshot.
 */
import type { Worker } from 'node:worker_threads';
import type { Core, CoreContext, CoreSnapshot } from './core/index.js';
import type { TopologyFile } from '../config/topology.js';
import type { CommandKeys } from '../shared/command_signature.js';
import type { FeedBatch } from './feed_batch.js';
import { startThread } from './thread.js';

export interface ShadowData {
  context: Omit<CoreContext, 'topology'> & { topology: TopologyFile };
  /** The gate's command keys (processor/intake.ts createGate). */
  commandKeys?: CommandKeys;
  state?: CoreSnapshot;
}

/** A feed batch as the live processor took it: it skipped the messages up to `after` and the `refused` ticks. */
export interface TakenBatch {
  batch: FeedBatch;
  after: number;
  refused: number[];
}

export type ShadowRequest =
  ({ type: 'batch' } & TakenBatch) | { type: 'docs' } | { type: 'checkpoint'; fingerprint: string };

export type ShadowReply =
  | { type: 'ready' }
  | { type: 'docs'; docs: GridDocs }
  | { type: 'checkpoint'; docs: GridDocs; state: Uint8Array }
  | { type: 'diverged'; own: string };

/** Grid id → its document's JSON. */
export type GridDocs = [string, string][];

export interface ShadowCheckpoint {
  /** The grid documents changed since the last request, as of the checkpoint. */
  docs: GridDocs;
  /** The encoded state (processor/checkpoint.ts encodeState). */
  state: Uint8Array;
}

/** What says two cores are in the same state, cheaply: their counters and clock. */
export const fingerprint = (core: Core): string => JSON.stringify({ ...core.stats(), clock: core.now() });

/**
 * A thread that has not answered in this time is given up: its start (through tsx from the sources,
 * tens of seconds when a test suite shares two cores) or a checkpoint behind a long backlog take
 * seconds, never minutes; a thread stuck for good would otherwise hold every later checkpoint.
 */
const ANSWER_TIMEOUT_MS = 120_000;

export class Shadow {
  /** Answers come in the order of the requests. */
  private waiting: { resolve(r: ShadowReply): void; reject(err: Error): void; timer: NodeJS.Timeout }[] = [];
  private failure: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly answerTimeoutMs: number,
  ) {
    worker.on('message', (r: ShadowReply) => {
      const w = this.waiting.shift();
      if (!w) return;
      clearTimeout(w.timer);
      w.resolve(r);
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`the shadow core's thread exited (code ${code})`)));
  }

  /** Starts the thread with `state` (a snapshot; none: a fresh core); resolves once it is built. */
  static async start(
    context: CoreContext,
    commandKeys?: CommandKeys,
    state?: CoreSnapshot,
    answerTimeoutMs = ANSWER_TIMEOUT_MS,
  ): Promise<Shadow> {
    const { topology, ...rest } = context;
    const data: ShadowData = {
      context: {
        ...rest,
        topology: {
          cities: [...topology.cities],
          grids: [...topology.grids],
          elements: [...topology.elements],
        },
      },
      commandKeys,
      state,
    };
    const shadow = new Shadow(startThread('shadow_worker', data), answerTimeoutMs);
    await shadow.ask();
    return shadow;
  }

  /** Feeds a batch the live processor took (its buffers are copied: the caller goes on reading them). */
  apply(taken: TakenBatch): void {
    if (!this.failure) this.post({ type: 'batch', ...taken });
  }

  /** The documents of the grids changed since the last request. */
  async gridDocs(): Promise<GridDocs> {
    const r = await this.ask({ type: 'docs' });
    return r.type === 'docs' ? r.docs : [];
  }

  /** The checkpoint of everything fed so far, or the shadow's own fingerprint when it is not `fingerprint`. */
  async checkpoint(fingerprint: string): Promise<ShadowCheckpoint | { diverged: string }> {
    const r = await this.ask({ type: 'checkpoint', fingerprint });
    if (r.type === 'checkpoint') return { docs: r.docs, state: r.state };
    return { diverged: r.type === 'diverged' ? r.own : r.type };
  }

  async stop(): Promise<void> {
    this.failure ??= new Error('stopped');
    await this.worker.terminate();
  }

  private post(request: ShadowRequest): void {
    this.worker.postMessage(request);
  }

  /** Sends `request` (none: waits for the first message, `ready`) and resolves with its answer. */
  private ask(request?: ShadowRequest): Promise<ShadowReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<ShadowReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(
          new Error(
            `the shadow core did not answer ${request?.type ?? 'ready'} in ${this.answerTimeoutMs} ms`,
          ),
        );
        void this.worker.terminate();
      }, this.answerTimeoutMs);
      this.waiting.push({ resolve, reject, timer });
      if (request) this.post(request);
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      w.reject(err);
    }
  }
}
