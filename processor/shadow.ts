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

export class Shadow {
  /** Answers come in the order of the requests. */
  private waiting: { resolve(r: ShadowReply): void; reject(err: Error): void }[] = [];
  private failure: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (r: ShadowReply) => this.waiting.shift()?.resolve(r));
    const fail = (err: Error) => {
      this.failure ??= err;
      for (const w of this.waiting.splice(0)) w.reject(err);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the shadow core's thread exited (code ${code})`)));
  }

  /** Starts the thread with `state` (a snapshot; none: a fresh core); resolves once it is built. */
  static async start(context: CoreContext, commandKeys?: CommandKeys, state?: CoreSnapshot): Promise<Shadow> {
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
    const shadow = new Shadow(startThread('shadow_worker', data));
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
      this.waiting.push({ resolve, reject });
      if (request) this.post(request);
    });
  }
}
