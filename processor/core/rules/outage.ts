/**
 * The outage rule (docs/rules.md "outage"): an outage alarm still raised when its debounce ends
 * opens or joins the grid's outage event; the event clears when its last alarm out clears. Pure:
 * reads the alarm and the event, decides; apply.ts does what it decides.
 */
import type { Level } from '../../../shared/levels.js';
import type { Rules } from '../../../config/rules.js';
import type { AreaTier } from '../../../config/topology.js';
import type { AlarmState, EventState } from '../state.js';

/** What the end of an alarm's debounce does. */
export type OutageDecision =
  /** The alarm was cleared and raised again since: its own debounce decides. */
  | { kind: 'none'; reason: 'not-the-raise' }
  | { kind: 'wait'; reason: 'in-maintenance'; until: number }
  /** `level` opens the event, or lifts the one there; `multi`: the pair makes it a multi-fault. */
  | { kind: 'open' | 'join'; reason: 'debounced'; level: Level; multi: boolean };

const NOT_THE_RAISE: OutageDecision = { kind: 'none', reason: 'not-the-raise' };

/**
 * The debounce set at `raisedAt` ran out. `alarm`: the grid's active alarm of that id; `windowEnd`:
 * the end of a maintenance window covering it since its debounce began; `ev`: the grid's active
 * outage event.
 */
export function decideOutage(
  rules: Rules['outage'],
  tier: AreaTier,
  alarm: AlarmState,
  raisedAt: number | undefined,
  windowEnd: number | undefined,
  ev: EventState | undefined,
): OutageDecision {
  if (alarm.raisedAt !== raisedAt) return NOT_THE_RAISE;
  // A window that began while it was raised, or a later one, may still cover it: wait for its end.
  if (alarm.maintenance && windowEnd !== undefined)
    return { kind: 'wait', reason: 'in-maintenance', until: windowEnd + rules.debounce };
  if (!ev)
    return {
      kind: 'open',
      reason: 'debounced',
      level: outageLevel(rules, tier, [alarm.code], 1),
      multi: false,
    };
  const { out, pairs } = outageParts(ev);
  // A red event can rise no further (lift never lowers): no count. Else the distinct elements out,
  // counted only as far as redElements — a count of them all per alarm was O(alarms²) in a storm.
  const level =
    ev.level === 'red'
      ? ev.level
      : outageLevel(rules, tier, [alarm.code], elementsOut(out, alarm, rules.redElements));
  return {
    kind: 'join',
    reason: 'debounced',
    level,
    multi: !ev.multi && sharesPair(pairs, alarm.ne, alarm.code),
  };
}

/** What an alarm's clear does to the grid's outage event: the last alarm out clears it. */
export type OutageClear = 'none' | 'recover' | 'clear';

export function decideOutageClear(ev: EventState | undefined, alarmId: string): OutageClear {
  if (!ev?.out?.has(alarmId)) return 'none';
  return ev.out.size === 1 ? 'clear' : 'recover';
}

/** CONTRACT.md: red if a red code (CORE_DOWN), ≥ redElements elements out, or a red-tier grid; else orange. */
export function outageLevel(
  rules: Rules['outage'],
  tier: AreaTier,
  codes: string[],
  elementsOut: number,
): Level {
  const red =
    codes.some((c) => rules.redCodes.includes(c)) ||
    elementsOut >= rules.redElements ||
    rules.redTiers.includes(tier);
  return red ? 'red' : rules.level;
}

/** An outage event's alarms out and element|code pairs (set when it opens). */
export function outageParts(ev: EventState): { out: Map<string, string>; pairs: Set<string> } {
  if (!ev.out || !ev.pairs) throw new Error(`outage event ${ev.id} has no alarms out or pairs`);
  return { out: ev.out, pairs: ev.pairs };
}

/** How many distinct elements are out once `alarm` is, counted up to `limit`. */
function elementsOut(out: Map<string, string>, alarm: AlarmState, limit: number): number {
  const seen = new Set<string>([alarm.ne]);
  for (const [id, ne] of out) if (id !== alarm.id && seen.add(ne).size >= limit) break;
  return Math.min(seen.size, limit);
}

export const pairOf = (ne: string, code: string) => `${ne}|${code}`;

/** True when the pair is new and shares its element or its code with one the event has. */
function sharesPair(pairs: Set<string>, ne: string, code: string): boolean {
  if (pairs.has(pairOf(ne, code))) return false;
  for (const p of pairs) {
    const [otherNe, otherCode] = p.split('|');
    if (otherNe === ne || otherCode === code) return true;
  }
  return false;
}
