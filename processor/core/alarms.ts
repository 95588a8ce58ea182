/**
 * Alarms: the grid's active-alarm table, and the two rules alarms drive — outage (debounced outage
 * alarms) and flapping (repeated raise→clear cycles).
 */
import type { AlarmInput } from '../../ingest/normalize.js';
import type { Level } from '../../shared/levels.js';
import type { Rules } from '../../config/rules.js';
import type { AreaTier } from '../../config/topology.js';
import type { AlarmState, EventState, GridState } from './state.js';
import type { MaintenanceBook } from './maintenance.js';
import type { Timer, World } from './world.js';

/** How many cleared alarms a grid keeps for its view, and clears-before-raise it remembers. */
const RECENT_CLEARED = 5;
const EARLY_CLEARS = 1000;

export function applyAlarm(w: World, input: AlarmInput, maintenance: MaintenanceBook): void {
  const g = w.grid(input.grid);
  if (input.msg.state === 'raised') raise(w, g, input, maintenance);
  else clear(w, g, input);
}

function raise(w: World, g: GridState, input: AlarmInput, maintenance: MaintenanceBook): void {
  const { msg, time: at } = input;
  if (g.alarms.has(msg.id)) return; // raised again while active: the first raise stands
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
  if (alarm.outage && maintenance.covers(input.grid, msg.ne, at)) alarm.maintenance = true;

  const earlyClear = g.earlyClears.get(msg.id);
  if (earlyClear !== undefined) {
    g.earlyClears.delete(msg.id);
    // Its clear came first (out of order): a finished cycle, never an active alarm.
    if (earlyClear >= at) return finish(w, g, input.grid, alarm, earlyClear);
  }
  g.alarms.set(msg.id, alarm);
  if (alarm.outage && !alarm.maintenance)
    w.setTimer('debounce', at + w.rules.outage.debounce, msg.id, { grid: input.grid, raisedAt: at });
}

function clear(w: World, g: GridState, input: AlarmInput): void {
  const { msg, time: at } = input;
  const alarm = g.alarms.get(msg.id);
  if (!alarm) {
    g.earlyClears.set(msg.id, at);
    if (g.earlyClears.size > EARLY_CLEARS) g.earlyClears.delete(g.earlyClears.keys().next().value!);
    return;
  }
  if (at < alarm.raisedAt) return; // the clear of an earlier instance, come late
  g.alarms.delete(msg.id);
  finish(w, g, input.grid, alarm, at);

  const outage = w.activeOf(input.grid, 'outage');
  if (outage?.out?.delete(msg.id) && outage.out.size === 0) w.end(outage, 'cleared', at);
}

/** A raise→clear cycle ended at `at`: remember it for the view; an outage alarm's cycle counts for flapping. */
function finish(w: World, g: GridState, grid: string, alarm: AlarmState, at: number): void {
  alarm.clearedAt = at;
  g.cleared.push(alarm);
  if (g.cleared.length > RECENT_CLEARED) g.cleared.shift();
  if (alarm.outage) countCycle(w, g, grid, alarm, at);
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
  let ev = w.activeOf(grid, 'outage');
  if (!ev) {
    const level = outageLevel(rules, w.gridInfo(grid).tier, [alarm.code], 1);
    ev = w.open(grid, 'outage', level, at, '', rules.deadline);
    ev.out = new Map();
    ev.pairs = new Set();
    ev.multi = false;
  }
  ev.out!.set(alarm.id, alarm.ne);
  w.addEvidence(ev, 'alarms', [alarm.id], at);
  w.addEvidence(ev, 'elements', [alarm.ne], at);
  if (!ev.multi && addPair(ev, alarm.ne, alarm.code)) {
    ev.multi = true;
    w.tightenDeadline(ev, ev.openedAt + w.capped(grid, rules.deadlineMulti), at);
  }
  const outElements = new Set(ev.out!.values()).size;
  w.lift(ev, outageLevel(rules, w.gridInfo(grid).tier, [alarm.code], outElements), at);
  w.setTitle(ev, outageTitle(w, ev), at);
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

/** Named by its evidence (which only grows), so a partial recovery is no transition of its own. */
function outageTitle(w: World, ev: EventState): string {
  const n = ev.elements.size;
  return `${w.gridInfo(ev.grid).name}: outage, ${n} element${n === 1 ? '' : 's'}`;
}

// ---- flapping -----------------------------------------------------------------------------------

function countCycle(w: World, g: GridState, grid: string, alarm: AlarmState, at: number): void {
  const rules = w.rules.flapping;
  const byAlarm = recordCycle(g.cyclesByAlarm, alarm.id, at, rules.window, rules.cycles);
  const byNe = recordCycle(g.cyclesByNe, alarm.ne, at, rules.window, rules.cycles);
  const flapping = byAlarm >= rules.cycles || byNe >= rules.cycles;
  let ev = w.activeOf(grid, 'flapping');
  if (!ev && !flapping) return;
  if (!ev) ev = w.open(grid, 'flapping', rules.level, at, '', rules.deadline);
  else if (!flapping && !ev.elements.has(alarm.ne)) return;
  if (flapping) {
    w.addEvidence(ev, 'alarms', [alarm.id], at);
    w.addEvidence(ev, 'elements', [alarm.ne], at);
    w.setTitle(
      ev,
      `${w.gridInfo(grid).name}: flapping, ${ev.elements.size} element${ev.elements.size === 1 ? '' : 's'}`,
      at,
    );
  }
  // Any cycle of a flapping element keeps the event alive.
  if (ev.lastCycleAt === undefined || at > ev.lastCycleAt) {
    ev.lastCycleAt = at;
    w.setTimer('quiet', at + rules.quiet, ev.id);
  }
}

/**
 * Adds a cycle time to `key`'s list and returns how many fall within the window. The map is kept in
 * order of last cycle (re-inserted on update), so stale keys are dropped from its head.
 */
function recordCycle(
  map: Map<string, number[]>,
  key: string,
  at: number,
  window: number,
  keep: number,
): number {
  const times = map.get(key) ?? [];
  map.delete(key);
  times.push(at);
  const fresh = times.filter((t) => t > at - window).slice(-keep);
  map.set(key, fresh);
  for (const [k, ts] of map) {
    if (ts[ts.length - 1]! > at - window) break;
    map.delete(k);
  }
  return fresh.length;
}

/** The quiet period after the last cycle passed: the flapping event clears. */
export function onQuiet(w: World, timer: Timer): void {
  const ev = w.active.get(timer.ref);
  if (ev && ev.lastCycleAt !== undefined && ev.lastCycleAt + w.rules.flapping.quiet === timer.due)
    w.end(ev, 'cleared', timer.due);
}
