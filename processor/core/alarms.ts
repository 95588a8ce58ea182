/**
 * Alarms: the grid's active-alarm table, what is down per element, and the cycles counted per alarm
 * id and element — the state the two rules alarms drive read (rules/outage.ts, rules/flapping.ts).
 */
import type { AlarmInput } from '../../contract/normalize.js';
import type { AlarmState, GridState } from './state.js';
import { applyFlapping, applyOutage, applyOutageClear } from './apply.js';
import { settlePending } from './commands.js';
import { elementUp } from './incidents.js';
import { decideFlapping, quietEnds } from './rules/flapping.js';
import { decideOutage, decideOutageClear } from './rules/outage.js';
import type { Timer } from './timers.js';
import type { World } from './world.js';

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
    const oldest = w.earlyClears.keys().next().value;
    if (w.earlyClears.size > EARLY_CLEARS && oldest !== undefined) w.earlyClears.delete(oldest);
    return;
  }
  const g = w.grid(grid);
  const alarm = g.alarms.get(msg.id);
  if (!alarm) throw new Error(`alarm ${msg.id} is active in grid ${grid} but not in its table`);
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

  const outage = w.activeIn(g, 'outage');
  applyOutageClear(w, decideOutageClear(outage, msg.id), outage, msg.id, at);
}

/** The debounce of an outage alarm ran out: if it is still the same active raise, it counts. */
export function onDebounce(w: World, timer: Timer): void {
  const grid = timer.grid;
  if (grid === undefined) throw new Error(`debounce timer of alarm ${timer.ref} has no grid`);
  const alarm = w.grids.get(grid)?.alarms.get(timer.ref);
  if (!alarm) return; // cleared meanwhile
  const windowEnd = alarm.maintenance
    ? w.maintenance.coveredUntil(grid, alarm.ne, timer.due - w.rules.outage.debounce)
    : undefined;
  const ev = w.activeOf(grid, 'outage');
  const d = decideOutage(w.rules.outage, w.gridInfo(grid).tier, alarm, timer.raisedAt, windowEnd, ev);
  applyOutage(w, d, grid, alarm, timer.due);
}

// ---- cycles (what rules/flapping.ts counts) ----------------------------------------------------

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
  const d = decideFlapping(rules, byAlarm, byNe, alarm.ne, w.activeIn(g, 'flapping'));
  applyFlapping(w, d, grid, alarm, at);
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
  if (ev && quietEnds(w.rules.flapping, ev, timer.due)) w.end(ev, 'cleared', timer.due);
}
