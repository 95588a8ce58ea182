/**
 * The shadow core (processor/shadow.ts) takes the live processor's checkpoints and grid documents on
 * its own thread; that is only right if, fed the same feed batches in chunks of any size, from the
 * start or from a snapshot, skipping what the live processor skipped, it is in exactly the live
 * core's state. Generated provinces, a real worker thread.
 */
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rulesFrom } from '../../config/load.js';
import { Core, type CoreContext } from '../../processor/core/index.js';
import { FeedBatchWriter, type FeedMessage } from '../../processor/feed_batch.js';
import { createGate } from '../../processor/intake.js';
import { Shadow, fingerprint } from '../../processor/shadow.js';
import { normalize } from '../../contract/normalize.js';
import { subjects } from '../../shared/subjects.js';
import { province, type Line } from './generators.js';
import { firstDifference, topology } from './helpers.js';

const context: CoreContext = { rules: rulesFrom({}), topology, clock: 'input' };
const gate = createGate(topology);
const started: Shadow[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

async function shadowOf(state?: ReturnType<Core['snapshot']>): Promise<Shadow> {
  const shadow = await Shadow.start(context, undefined, state);
  started.push(shadow);
  return shadow;
}

/** Replay lines as the input log holds them: subject by type and city, the body without `type`. */
function messages(lines: Line[]): FeedMessage[] {
  return lines.map((line, i) => {
    const { type, ...body } = line;
    const n = normalize(line, undefined, topology);
    if (!n.ok) throw new Error(n.reject.reason);
    const city = 'city' in n.input ? n.input.city : undefined;
    const subject = type === 'tick' ? subjects.tick(undefined) : subjects.input(n.input.type, city!);
    const data = new TextEncoder().encode(JSON.stringify(body));
    return { subject, seq: i + 1, data, storedAt: 'time' in n.input ? n.input.time : 0 };
  });
}

function batchOf(list: FeedMessage[]) {
  const writer = new FeedBatchWriter(list.length);
  for (const m of list) writer.add(m.subject, m.seq, m.data, 0, m.storedAt);
  return writer.take();
}

/** The state a checkpoint tail holds, as plain JSON. */
const stateOf = (tail: Uint8Array): unknown =>
  (JSON.parse(`{"head":0${gunzipSync(tail).toString('utf8')}`) as { state: unknown }).state;
const docsOf = (core: Core): [string, string][] =>
  core.dirtyGrids().map((g) => [g, JSON.stringify(core.gridDoc(g))]);

/** A one-message log: a complaint in the first grid. */
const oneComplaint = () =>
  messages([
    {
      type: 'complaint',
      id: 'c-1',
      time: '2026-10-15T01:00:00Z',
      customer: { id: '13800000001', tier: 2 },
      category: 'voice',
      grid: topology.grids[0]!.id,
    },
  ]);

describe('shadow core', () => {
  it('is in the live core state after any chunking of the input, from the start or from a snapshot', async () => {
    await fc.assert(
      fc.asyncProperty(
        province({ gapTicks: 'sometimes' }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (p, chunks, restartAt) => {
          const log = messages([
            ...p.lines,
            { type: 'tick', time: new Date(p.to + 3_600_000).toISOString() },
          ]);
          const split = Math.floor(log.length * restartAt);
          // The live processor skips one message of the log (as it skips a tick its clock refuses).
          const skipped = log[Math.floor(log.length / 2)]!.seq;
          const core = new Core(context);
          const fromStart = await shadowOf();
          let fromSnapshot: Shadow | undefined;
          for (let i = 0, c = 0; i < log.length; c++) {
            const chunk = log.slice(i, i + chunks[c % chunks.length]!);
            if (!fromSnapshot && i >= split) fromSnapshot = await shadowOf(core.snapshot());
            // A restarted feed hands the last message again: below `after`, skipped.
            const batch = batchOf(i > 0 ? [log[i - 1]!, ...chunk] : chunk);
            const refused = chunk.some((m) => m.seq === skipped) ? [skipped] : [];
            fromStart.apply({ batch, after: i, refused });
            fromSnapshot?.apply({ batch, after: i, refused });
            for (const m of chunk) {
              const verdict = gate(m);
              if (verdict.ok && m.seq !== skipped) core.push(verdict.input);
            }
            i += chunk.length;
          }
          fromSnapshot ??= await shadowOf(core.snapshot());
          const expected = { docs: docsOf(core), state: JSON.stringify(core.snapshot()) };
          // Neither the reference nor the shadows wrote documents so far: every changed grid's is due
          // (the snapshot carries the grids still unwritten).
          for (const shadow of [fromStart, fromSnapshot]) {
            const answer = await shadow.checkpoint(fingerprint(core));
            if ('diverged' in answer) throw new Error(`diverged: ${answer.diverged}`);
            // Compared as text: a reporter's diff of two whole states took minutes (it looked like a hang).
            expect(firstDifference(JSON.stringify(stateOf(answer.state)), expected.state)).toBeUndefined();
            expect(answer.docs).toEqual(expected.docs);
          }
          await Promise.all(started.splice(0).map((s) => s.stop()));
        },
      ),
      // Each run starts two threads (through tsx from the sources: tens of seconds each when the whole
      // suite shares two cores). No shrinking: each step would start two more, and a failure's
      // counterexample and seed are what is needed. The "hangs" of this test in earlier suites were
      // a real failure being shrunk (a restored duplicate memory listed its buckets in another order).
      { numRuns: 2, endOnFailure: true },
    );
  }, 300_000);

  it('gives up a thread that does not answer in time (a start here: 1 ms)', async () => {
    const shadow = Shadow.start(context, undefined, undefined, 1);
    await expect(shadow).rejects.toThrow(/did not answer ready in 1 ms/);
  });

  it('builds the documents of the grids changed since the last request', async () => {
    const log = oneComplaint();
    const core = new Core(context);
    const shadow = await shadowOf();
    shadow.apply({ batch: batchOf(log), after: 0, refused: [] });
    core.push((gate(log[0]!) as { ok: true; input: Parameters<Core['push']>[0] }).input);
    expect(await shadow.gridDocs()).toEqual(docsOf(core));
    expect(await shadow.gridDocs()).toEqual([]);
  });

  it('answers diverged, not a checkpoint, when it is not in the live core state', async () => {
    const log = oneComplaint();
    const core = new Core(context);
    const shadow = await shadowOf();
    core.push((gate(log[0]!) as { ok: true; input: Parameters<Core['push']>[0] }).input); // the shadow never hears of it
    expect(await shadow.checkpoint(fingerprint(core))).toHaveProperty('diverged');
  });
});
