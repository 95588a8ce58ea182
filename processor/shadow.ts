/**
 * The shadow core: a second Core on a thread of its own, fed the live core's accepted inputs in the
 * same order. The core is deterministic, so at every point of the input log the shadow's state is
 * the live core's; the shadow takes the checkpoints' snapshots and builds the grid documents, and
 * the live thread — whose time is the latency from publish to screen — never stops for them (a
 * 2,000-grid state is ~25 MB of JSON: ~1 s of snapshot and serialization on this machine, every
 * checkpoint, which was the live path's p99).
 *
 * Trust, but check: every checkpoint request carries the live core's fingerprint (counters, clock);
 * a shadow that differs answers `diverged` and the caller falls back to its own snapshot.
 */
import type { Worker } from 'node:worker_threads';
import type { Core, CoreContext, CoreSnapshot } from './core/index.js';
import type { Input } from '../contract/normalize.js';
import type { TopologyFile } from '../config/topology.js';
import { startThread } from './thread.js';

export interface ShadowData {
  context: Omit<CoreContext, 'topology'> & { topology: TopologyFile };
  state?: CoreSnapshot;
}

export type ShadowRequest =
  { type: 'inputs'; inputs: Input[] } | { type: 'docs' } | { type: 'checkpoint'; fingerprint: string };

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
  static async start(context: CoreContext, state?: CoreSnapshot): Promise<Shadow> {
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
      state,
    };
    const shadow = new Shadow(startThread('shadow_worker', data));
    await shadow.ask();
    return shadow;
  }

  /** True once the thread failed: the caller starts another. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Feeds inputs, in the order the live core takes them (copied now: the core may keep and change them). */
  apply(inputs: Input[]): void {
    if (inputs.length && !this.failure) this.post({ type: 'inputs', inputs });
  }

  /** The documents of the grids changed since the last request. */
  async gridDocs(): Promise<GridDocs> {
    const r = await this.ask({ type: 'docs' });
    return r.type === 'docs' ? r.docs : [];
  }

  /** The checkpoint of everything fed so far, or what the shadow's own fingerprint is when it is not `fingerprint`. */
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
