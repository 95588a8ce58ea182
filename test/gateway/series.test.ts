/**
 * The wall's per-minute series: openings by their opening level, escalations and lifts apart — the
 * orange→red lift of a grid is one lift, not a new red; a deadline escalation of a red event (red
 * stays red) is an escalation, not a new red; a transition read twice (history, then live) counts once.
 */
import { describe, expect, it } from 'vitest';
import { classify, MinuteSeries } from '../../gateway/series.js';
import type { EventTransition } from '../../shared/schemas.js';

const T0 = Date.parse('2026-12-02T02:00:00Z');
const at = (ms: number) => new Date(ms).toISOString();

function tr(
  id: string,
  seq: number,
  transition: EventTransition['transition'],
  level: EventTransition['level'],
  ms: number,
) {
  return { id, seq, transition, level, at: at(ms) };
}

describe('MinuteSeries', () => {
  it.each([
    [undefined, 'opened', 'orange', 'opened'],
    ['orange', 'updated', 'red', 'lifted'],
    ['red', 'updated', 'red', 'other'],
    [undefined, 'updated', 'red', 'other'],
    ['red', 'escalated', 'red', 'escalated'],
    ['yellow', 'acknowledged', 'orange', 'lifted'],
    ['red', 'resolved', 'red', 'other'],
  ] as const)('classify(%s, %s → %s) = %s', (before, transition, level, change) => {
    expect(classify(before, { transition, level })).toBe(change);
  });

  it('counts 75 orange openings lifted to red as 75 orange + 75 lifts, and their escalations apart', () => {
    const s = new MinuteSeries(60);
    const now = T0 + 30 * 60_000;
    for (let i = 0; i < 75; i++) s.countTransition(now, tr(`e${i}`, 1, 'opened', 'orange', T0));
    for (let i = 0; i < 75; i++) s.countTransition(now, tr(`e${i}`, 2, 'updated', 'red', T0 + 60_000));
    for (let i = 0; i < 75; i++) s.countTransition(now, tr(`e${i}`, 3, 'escalated', 'red', T0 + 20 * 60_000));
    const totals = s.totals(now);
    expect(totals.opened).toEqual({ red: 0, orange: 75, yellow: 0, blue: 0 });
    expect(totals.lifted.red).toBe(75);
    expect(totals.escalated.red).toBe(75);
    const series = s.series(now);
    expect(series.t).toHaveLength(60);
    expect(series.red.reduce((a, b) => a + b, 0)).toBe(0);
    expect(series.orange.reduce((a, b) => a + b, 0)).toBe(75);
    expect(series.lifted.reduce((a, b) => a + b, 0)).toBe(75);
    expect(series.escalated.reduce((a, b) => a + b, 0)).toBe(75);
  });

  it('counts a transition once however often it is read, and drops what is older than the window', () => {
    const s = new MinuteSeries(60);
    const now = T0 + 90 * 60_000;
    s.countTransition(now, tr('a', 1, 'opened', 'red', T0)); // 90 min ago: outside the 60-minute series
    s.countTransition(now, tr('b', 1, 'opened', 'red', now - 60_000));
    s.countTransition(now, tr('b', 1, 'opened', 'red', now - 60_000));
    expect(s.totals(now).opened.red).toBe(1);
  });

  it('leaves the lag of minutes nobody watched null, and keeps a rebuilt input rate', () => {
    const s = new MinuteSeries(60);
    const now = T0 + 10 * 60_000;
    s.rebuiltInput(now, T0 + 5 * 60_000, 600);
    s.sample(now, 12, 0.5);
    const series = s.series(now);
    expect(series.input.at(-1)).toBe(12);
    expect(series.lag.at(-1)).toBe(0.5);
    expect(series.input.at(-6)).toBe(10);
    expect(series.lag.at(-6)).toBeNull();
  });
});
