/**
 * Level order, colours and the urgency order of the desk. Colours live in CSS variables
 * (styles/tokens.css); canvas and uPlot read the same values from here.
 */
import { LEVELS } from '../../../shared/levels.js';
import type { EventDoc, Level } from './types.js';

export { LEVELS };

/** Fill colours (the brief's palette, orange and blue lifted slightly for dark backgrounds). */
export const LEVEL_COLOR: Record<Level, string> = {
  red: '#e5484d',
  orange: '#f76b15',
  yellow: '#ffc53d',
  blue: '#5b7ff0',
};

/** 0 = most urgent. */
export function levelIndex(level: Level | null | undefined): number {
  return level ? LEVELS.indexOf(level) : LEVELS.length;
}

/** The deadline that governs an event now: the first response until acknowledged, then the fix. */
export function governingDeadline(e: EventDoc): { kind: 'ack' | 'fix'; at: number } {
  if (e.state === 'open') return { kind: 'ack', at: Date.parse(e.ackDeadline) };
  return { kind: 'fix', at: Date.parse(e.deadline) };
}

/**
 * Desk order: what breaches first comes first (overdue events lead, most overdue first); equal
 * deadlines by level. Within a minute the level decides, so a red is never below a blue due together.
 */
export function byUrgency(a: EventDoc, b: EventDoc): number {
  const da = Math.floor(governingDeadline(a).at / 60_000);
  const db = Math.floor(governingDeadline(b).at / 60_000);
  return da - db || levelIndex(a.level) - levelIndex(b.level) || a.id.localeCompare(b.id);
}

export function isActive(e: Pick<EventDoc, 'state'>): boolean {
  return e.state === 'open' || e.state === 'acknowledged';
}
