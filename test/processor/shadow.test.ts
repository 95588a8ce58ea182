/**
 * The shadow core (processor/shadow.ts) takes the live processor's checkpoints and grid documents on
 * its own thread; that is only right if, fed the same inputs in chunks of any size, from the start or
 * from a snapshot, it is in exactly the live core's state. Generated provinces, a real worker thread.
 */
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rulesFrom } from '../../config/load.js';
import { Core, type CoreContext } from '../../processor/core/index.js';
import { Shadow, fingerprint } from '../../processor/shadow.js';
import { province } from './generators.js';
import { toInput, topology } from './helpers.js';

const context: CoreContext = { rules: rulesFrom({}), topology, clock: 'input' };
const started: Shadow[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

async function shadowOf(state?: ReturnType<Core['snapshot']>): Promise<Shadow> {
  const shadow = await Shadow.start(context, state);
  started.push(shadow);
  return shadow;
}

/** The state a checkpoint tail holds, as plain JSON. */
const stateOf = (tail: Uint8Array): unknown =>
  (JSON.parse(`{"head":0${gunzipSync(tail).toString('utf8')}`) as { state: unknown }).state;
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
const docsOf = (core: Core): [string, string][] =>
  core.dirtyGrids().map((g) => [g, JSON.stringify(core.gridDoc(g))]);

describe('shadow core', () => {
  it('is in the live core state after any chunking of the input, from the start or from a snapshot', async () => {
    await fc.assert(
      fc.asyncProperty(
        province({ gapTicks: 'sometimes' }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (p, chunks, restartAt) => {
          const inputs = p.lines.map(toInput);
          const split = Math.floor(inputs.length * restartAt);
          const core = new Core(context);
          const fromStart = await shadowOf();
          let fromSnapshot: Shadow | undefined;
          for (let i = 0, c = 0; i < inputs.length; c++) {
            const chunk = inputs.slice(i, i + chunks[c % chunks.length]!);
            if (!fromSnapshot && i >= split) fromSnapshot = await shadowOf(core.snapshot());
            fromStart.apply(structuredClone(chunk));
            fromSnapshot?.apply(structuredClone(chunk));
            for (const input of chunk) core.push(input);
            i += chunk.length;
          }
          fromSnapshot ??= await shadowOf(core.snapshot());
          // A checkpoint's documents are those of the grids changed since the last request.
          await fromStart.gridDocs();
          await fromSnapshot.gridDocs();
          core.dirtyGrids();
          core.push(toInput({ type: 'tick', time: new Date(p.to + 3_600_000).toISOString() }));
          const last = toInput({ type: 'tick', time: new Date(p.to + 3_600_000).toISOString() });
          fromStart.apply([last]);
          fromSnapshot.apply([last]);
          const expected = { docs: docsOf(core), state: plain(core.snapshot()) };
          for (const shadow of [fromStart, fromSnapshot]) {
            const answer = await shadow.checkpoint(fingerprint(core));
            if ('diverged' in answer) throw new Error(`diverged: ${answer.diverged}`);
            expect(answer.docs).toEqual(expected.docs);
            expect(stateOf(answer.state)).toEqual(expected.state);
          }
          await Promise.all(started.splice(0).map((s) => s.stop()));
        },
      ),
      // Each run starts two threads (through tsx from the sources: seconds each on a loaded machine).
      { numRuns: 4 },
    );
  }, 300_000);

  it('answers diverged, not a checkpoint, when it is not in the live core state', async () => {
    const core = new Core(context);
    const shadow = await shadowOf();
    const input = toInput({
      type: 'complaint',
      id: 'c-1',
      time: '2026-10-15T01:00:00Z',
      customer: { id: '13800000001', tier: 2 },
      category: 'voice',
      grid: topology.grids[0]!.id,
    });
    core.push(input); // the shadow never hears of it
    const answer = await shadow.checkpoint(fingerprint(core));
    expect(answer).toHaveProperty('diverged');
  });
});
