/**
 * Properties of the core over generated province input (fast-check, see generators.ts): valid input
 * is never rejected, however quiet the nights; every event's transitions are numbered 1, 2, 3, …
 * under an id of its own; order within the lateness, duplicates (in any zone's text, re-sent hours
 * later) and a snapshot → JSON → restore at any point change no transition nor scorecard.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rulesFrom } from '../../config/load.js';
import { Core } from '../../processor/core/index.js';
import type { EventTransition } from '../../shared/schemas.js';
import { duplicates, jitters, province, shuffledWithin, withDuplicates, type Line } from './generators.js';
import { continueRun, firstDifference, run, toInput, topology, type Run } from './helpers.js';

/** Runs per property: the file stays within ~20 s on two cores. */
const RUNS = Number(process.env.CADRE_PROPERTY_RUNS ?? 100);
/** A fixed seed unless one is given, so a failure is reproducible (fast-check prints the seed). */
const seed = process.env.CADRE_PROPERTY_SEED ? Number(process.env.CADRE_PROPERTY_SEED) : 1;
const params = (numRuns = RUNS): fc.Parameters<unknown> => ({ numRuns, seed });

const text = (xs: readonly unknown[]) => xs.map((x) => JSON.stringify(x)).join('\n');

/** seq 1, 2, 3, … per id in output order; `opened` once, first; nothing after the end; one event per id. */
function checkSeq(transitions: readonly EventTransition[]): void {
  const byId = new Map<string, { seq: number; ended: boolean; first: EventTransition }>();
  transitions.forEach((t, i) => {
    const where = `transition #${i} ${t.id} seq ${t.seq} ${t.transition}`;
    const s = byId.get(t.id);
    if (!s) {
      expect(t.transition, `${where}: the first transition of an id`).toBe('opened');
      expect(t.seq, where).toBe(1);
      byId.set(t.id, { seq: 1, ended: t.state === 'resolved' || t.state === 'cleared', first: t });
      return;
    }
    expect(s.ended, `${where}: after the event ended`).toBe(false);
    expect(t.transition, `${where}: opened again`).not.toBe('opened');
    expect(t.seq, where).toBe(s.seq + 1);
    expect([t.grid, t.rule, t.openedAt], `${where}: the id names another event`).toEqual([
      s.first.grid,
      s.first.rule,
      s.first.openedAt,
    ]);
    s.seq = t.seq;
    s.ended = t.transition === 'resolved' || t.transition === 'cleared';
  });
}

/** The lines pushed into one core up to `cut`, its snapshot through JSON into a new core, the rest there. */
function restoredRun(lines: Line[], cut: number): Run {
  const ctx = { rules: rulesFrom({}), topology, clock: 'input' as const };
  const before = new Core(ctx);
  const transitions: EventTransition[] = [];
  for (const line of lines.slice(0, cut)) transitions.push(...before.push(toInput(line)).transitions);
  const json = JSON.stringify(before.snapshot());
  // The checkpoints' text (written in pieces, without the plain copy) is the snapshot's JSON, byte for byte.
  let pieces = '';
  before.writeSnapshotJSON((text) => (pieces += text));
  expect(pieces).toBe(json);
  const snapshot = JSON.parse(json);
  return continueRun({ core: new Core(ctx, snapshot), transitions, outputs: [] }, lines.slice(cut), true);
}

describe('properties over generated province input', () => {
  it('valid input is never rejected, quiet nights included (clock mode input)', () => {
    fc.assert(
      fc.property(province({ gapTicks: false }), (p) => {
        const r = run(p.lines);
        const rejects = r.outputs.flatMap((o) => o.rejects);
        expect(rejects).toEqual([]);
        expect(r.core.stats().rejected).toBe(0);
      }),
      params(),
    );
  });

  it('every event id has seq 1, 2, 3, … in output order, opened once at seq 1, nothing after its end', () => {
    fc.assert(
      fc.property(province({ gapTicks: 'sometimes' }), (p) => {
        checkSeq(run(p.lines).transitions);
      }),
      params(),
    );
  });

  it('input shuffled within the lateness gives the same transitions as time-ordered input', () => {
    const lateness = 5 * 60_000;
    const rules = { lateness: '5m' };
    fc.assert(
      fc.property(
        fc
          .tuple(province({ gapTicks: 'sometimes' }), jitters(lateness))
          .map(([p, jitter]) => ({ sorted: p.lines, shuffled: shuffledWithin(p, jitter) })),
        ({ sorted, shuffled }) => {
          const a = run(sorted, rules);
          const b = run(shuffled, rules);
          expect(b.core.stats().late).toBe(0);
          expect(text(b.transitions)).toBe(text(a.transitions));
        },
      ),
      params(),
    );
  });

  /** A province, and the same with duplicates inserted. */
  const duplicated = fc
    .tuple(province({ gapTicks: 'sometimes' }), duplicates)
    .map(([p, specs]) => ({ original: p.lines, ...withDuplicates(p, specs) }));

  it('duplicates (time in another zone text, re-sent hours later) change no transition', () => {
    fc.assert(
      fc.property(duplicated, ({ original, lines }) => {
        expect(text(run(lines).transitions)).toBe(text(run(original).transitions));
      }),
      params(),
    );
  });

  it('duplicates (time in another zone text, re-sent hours later) are each known as one', () => {
    fc.assert(
      fc.property(duplicated, ({ original, lines, inserted }) => {
        const extra = run(lines).core.stats().duplicates - run(original).core.stats().duplicates;
        expect(extra).toBe(inserted.length);
      }),
      params(),
    );
  });

  it('snapshot → JSON → restore at any point, continued, gives the transitions of the uninterrupted run', () => {
    fc.assert(
      fc.property(province({ gapTicks: 'sometimes' }), fc.nat(), (p, n) => {
        const cut = n % (p.lines.length + 1);
        const whole = run(p.lines);
        const restored = restoredRun(p.lines, cut);
        expect(text(restored.transitions), `cut at line ${cut}`).toBe(text(whole.transitions));
        expect(restored.core.stats(), `cut at line ${cut}`).toEqual(whole.core.stats());
      }),
      params(),
    );
  });

  it('snapshot → JSON → restore at any point, continued, ends in the state of the uninterrupted run, byte for byte', () => {
    // What the shadow core's checkpoints rest on: the same state gives the same snapshot however it
    // was reached. (A restored duplicate memory once listed its buckets in another order.)
    fc.assert(
      fc.property(province({ gapTicks: 'sometimes' }), fc.nat(), (p, n) => {
        const cut = n % (p.lines.length + 1);
        const whole = JSON.stringify(run(p.lines).core.snapshot());
        const restored = JSON.stringify(restoredRun(p.lines, cut).core.snapshot());
        // Not toBe: a diff of two snapshots' text takes the reporter minutes; where they part is enough.
        expect(firstDifference(restored, whole), `cut at line ${cut}`).toBeUndefined();
      }),
      params(),
    );
  });

  it('snapshot → JSON → restore at any point, continued, gives the scorecards of the uninterrupted run', () => {
    fc.assert(
      fc.property(province({ gapTicks: 'sometimes' }), fc.nat(), (p, n) => {
        const cut = n % (p.lines.length + 1);
        const whole = run(p.lines);
        const restored = restoredRun(p.lines, cut);
        expect(restored.core.scorecards(p.from, p.to), `cut at line ${cut}`).toEqual(
          whole.core.scorecards(p.from, p.to),
        );
      }),
      params(),
    );
  });
});
