/** The wall's worst list as pure functions: the score ranking kept as the API gives it, and the trend's arrow. */
import { describe, expect, it } from 'vitest';
import { trendView, worstByScore } from '../../ui/src/lib/wall.js';

describe('worstByScore', () => {
  it("keeps the API's order, leaves out grids scoring 0 and stops at the limit", () => {
    const lines = [
      { grid: 'b', score: 4 },
      { grid: 'a', score: 4 },
      { grid: 'c', score: 0.2 },
      { grid: 'd', score: 0 },
    ];
    expect(worstByScore(lines).map((l) => l.grid)).toEqual(['b', 'a', 'c']);
    expect(worstByScore(lines, 2).map((l) => l.grid)).toEqual(['b', 'a']);
    expect(worstByScore([{ grid: 'd', score: 0 }])).toEqual([]);
  });
});

describe('trendView', () => {
  it.each([
    [null, 'none', '—'],
    [0, 'flat', '± 0'],
    [1.25, 'up', '▲ 1.3'],
    [-10.302, 'down', '▼ 10.3'],
    [0.086, 'up', '▲ 0.09'],
    [-0.004, 'down', '▼ 0.004'],
  ] as const)('%s → %s %s', (trend, dir, text) => {
    expect(trendView(trend)).toEqual({ dir, text });
  });
});
