/** The kpi rule (docs/rules.md "kpi"), table-driven where the seed gives examples. */
import { describe, expect, it } from 'vitest';
import { judgeMetric } from '../../../processor/core/index.js';
import { decideKpi } from '../../../processor/core/rules/kpi.js';
import type { ElementKpi, EventState } from '../../../processor/core/state.js';
import { kpi, minutesBetween, of, run, tick } from '../helpers.js';
import { G, cell, rules } from './fixtures.js';

describe('kpi: the decision of one sample', () => {
  const el = (degraded: boolean, critical = false) => ({ degraded, critical }) as ElementKpi;
  const ev = {} as EventState;
  const grid = (...els: ElementKpi[]) => new Map(els.map((e, i) => [cell(i + 1), e]));
  it.each([
    ['unchanged status, no event', el(false), false, false, grid(el(false)), undefined, 'none', 'unchanged'],
    [
      'still degraded, its event resolved by hand',
      el(true),
      true,
      false,
      grid(el(true)),
      undefined,
      'open',
      'degraded',
    ],
    ['still degraded, its event open', el(true), true, false, grid(el(true)), ev, 'none', 'unchanged'],
    ['newly degraded', el(true), false, false, grid(el(true), el(false)), undefined, 'open', 'degraded'],
    ['newly critical', el(true, true), true, false, grid(el(true, true)), ev, 'update', 'regraded'],
    ['recovered, its event open', el(false), true, false, grid(el(false)), ev, 'clear', 'recovered'],
    ['recovered, no event', el(false), true, false, grid(el(false)), undefined, 'none', 'clean'],
  ] as const)('%s', (_name, e, wasDegraded, wasCritical, elements, event, kind, reason) => {
    expect(decideKpi(rules.kpi, e, wasDegraded, wasCritical, elements, event)).toMatchObject({
      kind,
      reason,
    });
  });
});

describe('kpi: the competitive comparison and thresholds (one sample)', () => {
  it.each([
    ['congestion past warning (seed: ours 6%)', 'congestion', 0.06, undefined, 'degraded'],
    [
      'congestion within warning, leads by the full margin (seed: 3% vs 6%)',
      'congestion',
      0.03,
      0.06,
      'clean',
    ],
    ['congestion within warning, leads by less (seed: 3% vs 5%)', 'congestion', 0.03, 0.05, 'degraded'],
    ['congestion within warning, no competitor', 'congestion', 0.03, undefined, 'clean'],
    ['congestion past critical', 'congestion', 0.16, undefined, 'critical'],
    ['drop_rate past warning', 'drop_rate', 0.021, undefined, 'degraded'],
    ['drop_rate at the warning is not past it', 'drop_rate', 0.02, undefined, 'clean'],
    ['drop_rate leads by 0.004 < 0.005', 'drop_rate', 0.01, 0.014, 'degraded'],
    ['setup_success below warning (lower is worse)', 'setup_success', 0.96, undefined, 'degraded'],
    ['setup_success below critical', 'setup_success', 0.89, undefined, 'critical'],
    ['setup_success leads by 0.02', 'setup_success', 0.99, 0.97, 'clean'],
    ['setup_success behind the competitor', 'setup_success', 0.98, 0.985, 'degraded'],
    ['dl_mbps below warning', 'dl_mbps', 4, undefined, 'degraded'],
    ['dl_mbps leads by 1 < 2', 'dl_mbps', 10, 9, 'degraded'],
    ['mos below critical', 'mos', 2.9, undefined, 'critical'],
    ['mos leads by 0.3', 'mos', 4.0, 3.7, 'clean'],
  ] as const)('%s', (_name, metric, value, competitor, verdict) => {
    expect(judgeMetric(rules.kpi.metrics[metric], value, competitor)).toBe(verdict);
  });
});

describe('kpi: events per grid', () => {
  const bad = { drop_rate: 0.03 };
  const critical = { drop_rate: 0.06 };
  const clean = { drop_rate: 0.01 };

  it('needs 2 consecutive bad samples, and clears on one clean sample', () => {
    const once = run([kpi(cell(1), 0, bad), kpi(cell(1), 15, clean), kpi(cell(1), 30, bad), tick(40)]);
    expect(of(once.transitions, G, 'kpi')).toEqual([]);
    const t = of(
      run([kpi(cell(1), 0, bad), kpi(cell(1), 15, bad), kpi(cell(1), 30, clean), tick(40)]).transitions,
      G,
      'kpi',
    );
    expect(t.map((x) => [x.transition, x.level])).toEqual([
      ['opened', 'yellow'],
      ['cleared', 'yellow'],
    ]);
    expect(minutesBetween(t[0]!.openedAt, t[0]!.deadline)).toBe(8 * 60);
    expect(minutesBetween(t[0]!.openedAt, t[0]!.ackDeadline)).toBe(2 * 60);
  });

  it('is orange when an element is critical for 2 samples', () => {
    const t = of(
      run([kpi(cell(1), 0, critical), kpi(cell(1), 15, critical), tick(20)]).transitions,
      G,
      'kpi',
    );
    expect(t[0]).toMatchObject({ transition: 'opened', level: 'orange' });
    expect(minutesBetween(t[0]!.openedAt, t[0]!.ackDeadline)).toBe(30);
  });

  it('is red when ≥ 30% of reporting elements and ≥ 5 are degraded; several elements get the 5 h deadline', () => {
    const lines = [];
    for (let n = 1; n <= 9; n++) lines.push(kpi(cell(n), 0, n <= 5 ? bad : clean));
    for (let n = 1; n <= 9; n++) lines.push(kpi(cell(n), 15, n <= 5 ? bad : clean));
    const t = of(run([...lines, tick(20)]).transitions, G, 'kpi');
    // The samples of one instant: the elements joining in between fold into the rise to red
    // (rules.foldUpdates), which goes out at once.
    expect(t.map((x) => [x.transition, x.level])).toEqual([
      ['opened', 'yellow'],
      ['updated', 'red'],
    ]);
    expect(t.at(-1)!.evidence.elements).toHaveLength(5);
    expect(minutesBetween(t[0]!.openedAt, t[0]!.deadline)).toBe(8 * 60);
    expect(minutesBetween(t[0]!.openedAt, t.at(-1)!.deadline)).toBe(5 * 60);
    expect(minutesBetween(t[0]!.openedAt, t.at(-1)!.ackDeadline)).toBe(15);
  });

  it('is not red with 5 degraded elements under 30% of those reporting', () => {
    const lines = [];
    for (const minute of [0, 15])
      for (let n = 1; n <= 9; n++) lines.push(kpi(cell(n), minute, n <= 5 ? bad : clean));
    for (let n = 1; n <= 9; n++) lines.push(kpi(cell(n, 'XT-YT-0010'), 0, clean));
    const wide = run([...lines, tick(20)], { kpi: { redShare: 0.6 } });
    expect(of(wide.transitions, G, 'kpi').at(-1)!.level).toBe('yellow'); // 5 of 9 < 60%
    const few = run([...lines, tick(20)], { kpi: { redMinElements: 6 } });
    expect(of(few.transitions, G, 'kpi').at(-1)!.level).toBe('yellow');
  });
});
