/** Event levels, most urgent first (红/橙/黄/蓝: 特急/紧急/重要/一般). */
export const LEVELS = ['red', 'orange', 'yellow', 'blue'] as const;
export type Level = (typeof LEVELS)[number];

const RANK: Record<Level, number> = { red: 3, orange: 2, yellow: 1, blue: 0 };

export function levelRank(level: Level): number {
  return RANK[level];
}

/** The more urgent of two levels. */
export function maxLevel(a: Level, b: Level): Level {
  return RANK[a] >= RANK[b] ? a : b;
}

const RAISED: Record<Level, Level> = { red: 'red', orange: 'red', yellow: 'orange', blue: 'yellow' };

/** One level more urgent; red stays red. */
export function raiseLevel(level: Level): Level {
  return RAISED[level];
}
