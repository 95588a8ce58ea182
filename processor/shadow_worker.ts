/**
 * The shadow core's thread (processor/shadow.ts): a second Core fed the live core's input batches,
 * answering, in order, for grid documents and checkpoint snapshots as of everything fed before the
 * request. Its output is thrown away: the live core's is the one published.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Core } from './core/index.js';
import { Topology } from '../config/topology.js';
import { encodeStateWith } from './checkpoint.js';
import { createGate } from './intake.js';
import { forEachMessage } from './feed_batch.js';
import { fingerprint, type ShadowData, type ShadowReply, type ShadowRequest } from './shadow.js';

const data = workerData as ShadowData;
const { topology, ...ctx } = data.context;
const context = { ...ctx, topology: new Topology(topology) };
const core = new Core(context, data.state);
const gate = createGate(context.topology, data.commandKeys);
const port = parentPort;
if (!port) throw new Error('processor/shadow_worker.ts runs as a worker thread of the shadow check');
const reply = (r: ShadowReply, transfer?: ArrayBuffer[]) => port.postMessage(r, transfer);

/** Documents of the grids changed since the last request, as the JSON written to KV. */
const gridDocs = (): [string, string][] => core.dirtyGrids().map((g) => [g, JSON.stringify(core.gridDoc(g))]);

port.on('message', (request: ShadowRequest) => {
  switch (request.type) {
    case 'batch': {
      const refused = new Set(request.refused);
      forEachMessage(request.batch, (m) => {
        if (m.seq <= request.after || refused.has(m.seq)) return;
        const verdict = gate(m);
        if (verdict.ok) core.push(verdict.input);
      });
      break;
    }
    case 'docs':
      reply({ type: 'docs', docs: gridDocs() });
      break;
    case 'checkpoint': {
      const own = fingerprint(core);
      if (own !== request.fingerprint) {
        reply({ type: 'diverged', own });
        break;
      }
      const docs = gridDocs(); // before the snapshot: its `dirty` set is then what is still unwritten
      const state = encodeStateWith((write) => core.writeSnapshotJSON(write));
      reply({ type: 'checkpoint', docs, state }, [state.buffer as ArrayBuffer]);
    }
  }
});
reply({ type: 'ready' });
