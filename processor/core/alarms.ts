/**
 * Alarms: the grid's active-alarm table, and the two rules alarms drive — outage (debounced outage
 * alarms) and flapping (repeated raise→clear cycles of an alarm id or of an element).
 */
import type { AlarmInput } from '../../contract/normalize.js';
import type { Level } from '../../shared/levels.js';
import type { Rules } from '../../config/rules.js';
import type { AreaTier } from '../../config/topology.js';
import type { AlarmState, EventState, GridState } from './state.js';
import { settlePending } from './commands.js';
import { elementUp, explainOutage } from './incidents.js';
import type { Timer, World } from './world.js';

/** How many cleared alarms a grid keeps for its view, and clears-before-raise the core remembers. */
const RECENT_CLEARED = 5;
const EARLY_CLEARS = 10_000;
/** Cycle lists are swept of stale keys whenever a map reaches a multiple of this many keys. */
const SWEEP_EVERY = 64;

export function applyAlarm(w: World, input: AlarmInput): void {
  if (input.msg.state === 'raised') raise(w, input);
  else clear(w, input);
}

function raise(w: World, input: AlarmInput): void {
  const { msg, time: at } = input;
  if (w.alarmGrid.has(msg.id)) return; // raised again while active: the first raise stands
  const g = w.grid(input.grid);
  const alarm: AlarmState = {
    id: msg.id,
    ne: msg.ne,
    code: msg.code,
    severity: msg.severity,
    category: msg.category,
    outage: w.rules.outage.codes.includes(msg.code),
    raisedAt: at,
  };
  if (msg.text !== undefined) alarm.text = msg.text;
  const windowEnd = w.maintenance.coveredUntil(input.grid, msg.ne, at);
  if (windowEnd !== undefined) alarm.maintenance = true;

  const earlyClear = w.earlyClears.get(msg.id);
  if (earlyClear !== undefined) {
    w.earlyClears.delete(msg.id);
    // Its clear came first (out of order): applied again after the raise, in event-time order, so
    // the outage the element had by event time (debounce, deadlines) happens as if both came in order.
    if (earlyClear.time >= at) w.deferred.push(earlyClear);
  }
  g.alarms.set(msg.id, alarm);
  w.alarmGrid.set(msg.id, input.grid);
  if (alarm.outage && !alarm.maintenance) w.outageDown.set(msg.ne, (w.outageDown.get(msg.ne) ?? 0) + 1);
  if (!alarm.maintenance) g.downBy.set(msg.ne, (g.downBy.get(msg.ne) ?? 0) + 1);
  // Raised inside a maintenance window: judged from the window's end, if still raised then.
  if (alarm.outage)
    w.setTimer('debounce', (windowEnd ?? at) + w.rules.outage.debounce, msg.id, {
      grid: input.grid,
      raisedAt: at,
    });
}

function clear(w: World, input: AlarmInput): void {
  const { msg, time: at } = input;
  const grid = w.alarmGrid.get(msg.id);
  if (grid === undefined) {
    w.earlyClears.set(msg.id, input);
    if (w.earlyClears.size > EARLY_CLEARS) w.earlyClears.delete(w.earlyClears.keys().next().value!);
    return;
  }
  const g = w.grid(grid);
  const alarm = g.alarms.get(msg.id)!;
  if (at < alarm.raisedAt) return; // the clear of an earlier instance, come late
  g.alarms.delete(msg.id);
  w.alarmGrid.delete(msg.id);
  alarm.clearedAt = at;
  g.cleared.push(alarm);
  if (g.cleared.length > RECENT_CLEARED) g.cleared.shift();
  countCycles(w, g, grid, alarm, at);
  settlePending(w, g, at);
  if (alarm.outage && !alarm.maintenance) {
    const down = (w.outageDown.get(alarm.ne) ?? 1) - 1;
    if (down > 0) w.outageDown.set(alarm.ne, down);
    else {
      w.outageDown.delete(alarm.ne);
      elementUp(w, alarm.ne, at);
    }
  }

  const outage = w.activeOf(grid, 'outage');
  if (outage?.out?.delete(msg.id) && outage.out.size === 0) w.end(outage, 'cleared', at);
}

// ---- outage -------------------------------------------------------------------------------------

/** The debounce of an outage alarm ran out: if it is still the same active raise, it counts. */
export function onDebounce(w: World, timer: Timer): void {
  const g = w.grids.get(timer.grid!);
  const alarm = g?.alarms.get(timer.ref);
  if (!alarm || alarm.raisedAt !== timer.raisedAt) return;
  const at = timer.due;
  const grid = timer.grid!;
  const rules = w.rules.outage;
  if (alarm.maintenance) {
    // A window that began while it was raised, or a later one, may still cover it: wait for its end.
    const windowEnd = w.maintenance.coveredUntil(grid, alarm.ne, at - rules.debounce);
    if (windowEnd !== undefined)
      return w.setTimer('debounce', windowEnd + rules.debounce, alarm.id, { grid, raisedAt: alarm.raisedAt });
  }
  let ev = w.activeOf(grid, 'outage');
  if (!ev) {
    const level = outageLevel(rules, w.gridInfo(grid).tier, [alarm.code], 1);
    ev = w.open(grid, 'outage', level, at, rules.deadline);
    ev.out = new Map();
    ev.pairs = new Set();
    ev.multi = false;
  }
  ev.out!.set(alarm.id, alarm.ne);
  w.addEvidence(ev, 'alarms', [alarm.id], at);
  w.addEvidence(ev, 'elements', [alarm.ne], at);
  explainOutage(w, ev, alarm, at);
  if (!ev.multi && addPair(ev, alarm.ne, alarm.code)) {
    ev.multi = true;
    w.tightenDeadline(ev, ev.openedAt + w.capped(grid, rules.deadlineMulti), at);
  }
  // A red event can rise no further (lift never lowers): no count. Else the distinct elements out,
  // counted only as far as redElements — a count of them all per alarm was O(alarms²) in a storm.
  if (ev.level !== 'red')
    w.lift(
      ev,
      outageLevel(rules, w.gridInfo(grid).tier, [alarm.code], elementsOut(ev.out!, rules.redElements)),
      at,
    );
  // Named by its evidence (which only grows), so a partial recovery is no transition of its own.
  w.setTitle(ev, ev.elements.size, at);
}

/** How many distinct elements the event's alarms out are on, counted up to `limit`. */
function elementsOut(out: Map<string, string>, limit: number): number {
  const seen = new Set<string>();
  for (const ne of out.values()) if (seen.add(ne).size >= limit) break;
  return seen.size;
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

/** Adds an element|code pair; true when the event now has ≥ 2 elements sharing a code or one element with ≥ 2 codes. */
function addPair(ev: EventState, ne: string, code: string): boolean {
  const pairs = ev.pairs!;
  const pair = `${ne}|${code}`;
  if (pairs.has(pair)) return false;
  for (const p of pairs) {
    const [otherNe, otherCode] = p.split('|');
    if (otherNe === ne || otherCode === code) {
      pairs.add(pair);
      return true;
    }
  }
  pairs.add(pair);
  return false;
}

// ---- flapping -----------------------------------------------------------------------------------

/**
 * A raise→clear cycle ended at `at`. It counts for flapping by its alarm id (any code), and, when it
 * was the element's last active alarm, as one down/up cycle of the element (an outage that raised five
 * codes together is one cycle, not five). Cycles that began or ended inside a maintenance window
 * don't count: a planned cutover switches things on and off on purpose.
 */
function countCycles(w: World, g: GridState, grid: string, alarm: AlarmState, at: number): void {
  if (alarm.maintenance) return;
  const down = (g.downBy.get(alarm.ne) ?? 1) - 1;
  if (down > 0) g.downBy.set(alarm.ne, down);
  else g.downBy.delete(alarm.ne);
  if (w.maintenance.coveredUntil(grid, alarm.ne, at) !== undefined) return;
  const rules = w.rules.flapping;
  const byAlarm = recordCycle(g.cyclesByAlarm, alarm.id, at, rules.window, rules.cycles);
  const byNe = down > 0 ? 0 : recordCycle(g.cyclesByNe, alarm.ne, at, rules.window, rules.cycles);
  const flapping = byAlarm >= rules.cycles || byNe >= rules.cycles;
  let ev = w.activeOf(grid, 'flapping');
  if (!ev && !flapping) return;
  if (!ev) ev = w.open(grid, 'flapping', rules.level, at, rules.deadline);
  else if (!flapping && !ev.elements.has(alarm.ne)) return;
  if (flapping) {
    w.addEvidence(ev, 'alarms', [alarm.id], at);
    w.addEvidence(ev, 'elements', [alarm.ne], at);
    w.setTitle(ev, ev.elements.size, at);
  }
  // Any cycle of a flapping element keeps the event alive.
  if (ev.lastCycleAt === undefined || at > ev.lastCycleAt) {
    ev.lastCycleAt = at;
    w.setTimer('quiet', at + rules.quiet, ev.id);
  }
}

/**
 * Adds a cycle time to `key`'s list, in place, and returns how many fall within the window (at most
 * `keep` are kept). Keys whose cycles all fell out of the window are swept from the map every
 * SWEEP_EVERY new keys: nothing is walked per cycle.
 */
function recordCycle(
  map: Map<string, number[]>,
  key: string,
  at: number,
  window: number,
  keep: number,
): number {
  let times = map.get(key);
  if (!times) {
    map.set(key, (times = []));
    if (map.size % SWEEP_EVERY === 0)
      for (const [k, ts] of map) if (k !== key && ts.every((t) => t <= at - window)) map.delete(k);
  }
  let n = 0;
  for (const t of times) if (t > at - window) times[n++] = t;
  times.length = n;
  times.push(at);
  if (times.length > keep) times.splice(0, times.length - keep);
  return times.length;
}

/** The quiet period after the last cycle passed: the flapping event clears. */
export function onQuiet(w: World, timer: Timer): void {
  const ev = w.active.get(timer.ref);
  if (ev && ev.lastCycleAt !== undefined && ev.lastCycleAt + w.rules.flapping.quiet === timer.due)
    w.end(ev, 'cleared', timer.due);
}
