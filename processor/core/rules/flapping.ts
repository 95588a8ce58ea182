/**
 * The flapping rule (docs/rules.md "flapping"): `cycles` raise→clear cycles of one alarm id, or
 * down/up cycles of one element, within `window` open or join the grid's flapping event; any cycle of
 * its elements keeps it alive, and `quiet` after the last one it clears. Pure: reads the cycle counts
 * and the event, decides; apply.ts does what it decides.
 */
import type { Rules } from '../../../config/rules.js';
import type { EventState } from '../state.js';

/** What one ended cycle does. Constants: decided once per cleared alarm, nothing allocated. */
export type FlappingDecision =
  | { kind: 'none'; reason: 'not-flapping' }
  | { kind: 'open' | 'join'; reason: 'cycles' }
  /** An element of the event cycled again, below the count: the event lives on. */
  | { kind: 'alive'; reason: 'element-cycled' };

const NONE: FlappingDecision = { kind: 'none', reason: 'not-flapping' };
const OPEN: FlappingDecision = { kind: 'open', reason: 'cycles' };
const JOIN: FlappingDecision = { kind: 'join', reason: 'cycles' };
const ALIVE: FlappingDecision = { kind: 'alive', reason: 'element-cycled' };

/**
 * A cycle of alarm id and element `ne` ended; `byAlarm` / `byNe`: the cycles of each within the
 * window, this one included (0 when it did not count for the element); `ev`: the grid's active
 * flapping event.
 */
export function decideFlapping(
  rules: Rules['flapping'],
  byAlarm: number,
  byNe: number,
  ne: string,
  ev: EventState | undefined,
): FlappingDecision {
  const flapping = byAlarm >= rules.cycles || byNe >= rules.cycles;
  if (!ev) return flapping ? OPEN : NONE;
  if (flapping) return JOIN;
  return ev.elements.has(ne) ? ALIVE : NONE;
}

/** The quiet timer set for `due` came up: the event clears unless a later cycle moved its quiet end. */
export function quietEnds(rules: Rules['flapping'], ev: EventState | undefined, due: number): boolean {
  return ev !== undefined && ev.lastCycleAt !== undefined && ev.lastCycleAt + rules.quiet === due;
}
