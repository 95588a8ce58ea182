/**
 * The deterministic correlation core: normalized inputs in, event transitions out. Pure — no IO, no
 * wall clock, no randomness, no timers: time is the inputs' event time and the tick inputs. Replay and
 * the live processor drive the same class; a snapshot restored and continued gives the same output
 * as a run that never stopped.
 */
import { RecentMap } from './recent_map.js';
import type { AlarmInput, Input } from '../../contract/normalize.js';
import { reject, type Reject } from '../../shared/errors.js';
import type { Level } from '../../shared/levels.js';
import type { DayStats, EventDoc, GridDoc } from '../../shared/views.js';
import type { IncidentTransition } from '../../shared/schemas.js';
import { applyAlarm, onDebounce, onQuiet } from './alarms.js';
import { applyCommand } from './commands.js';
import { applyComplaint, type CustomerBook } from './complaints.js';
import { onContactDeadline, onFirstResponse, onPromise } from './deal.js';
import { incidentDocOf, onIncidentTimer, type IncidentState } from './incidents.js';
import { onAckDeadline, onDeadline, onTracking } from './escalation.js';
import { MinHeap } from './heap.js';
import { applyKpi } from './kpi.js';
import { MaintenanceBook, type MaintenanceWindow } from './maintenance.js';
import { SNAPSHOT_VERSION, upgrade } from './migrate.js';
import { fromPlain, toPlain, writePlainJSON } from './plain.js';
import type { EventState, GridState } from './state.js';
import type {
  CommandResult,
  CoreContext,
  CoreCounters,
  CoreOutput,
  CoreSnapshot,
  Scorecard,
} from './types.js';
import { SeenKeys, type Keyed, type SeenJSON } from './seen.js';
import { gridDocOf, scorecardsOf } from './views.js';
import { docOf } from './event_doc.js';
import type { Timer } from './timers.js';
import { World } from './world.js';

/** An input waiting in the reorder buffer. */
type Timed = Exclude<Input, { type: 'maintenance' } | { type: 'tick' }>;

/**
 * Ties in event time are broken by type, then by what makes an input itself (two inputs equal in
 * all of it are duplicates, of which only the first is held): the order never depends on arrival.
 */
const TYPE_ORDER: Record<Timed['type'], number> = { alarm: 0, kpi: 1, complaint: 2, command: 3 };
const inputBefore = (a: Timed, b: Timed) =>
  a.time !== b.time
    ? a.time < b.time
    : a.type !== b.type
      ? TYPE_ORDER[a.type] < TYPE_ORDER[b.type]
      : identity(a) < identity(b);

function identity(input: Timed): string {
  switch (input.type) {
    case 'alarm':
      return `${input.msg.id}\u0000${input.msg.state}`;
    case 'kpi':
      return input.msg.ne;
    default:
      return input.key;
  }
}

const NOTHING: CoreOutput = Object.freeze({
  transitions: Object.freeze([]),
  incidents: Object.freeze([]),
  rejects: Object.freeze([]),
  replies: Object.freeze([]),
});

interface State {
  clock: number | null;
  counters: CoreCounters;
  timerCount: number;
  timers: Timer[];
  buffer: Timed[];
  /** The duplicate memory by bucket of event time (SeenKeys). */
  seen: SeenJSON;
  customers: [string, number][];
  maintenance: MaintenanceWindow[];
  alarmGrid: Map<string, string>;
  earlyClears: Map<string, AlarmInput>;
  grids: Map<string, GridState>;
  active: Map<string, EventState>;
  ended: Map<string, EventState>;
  dirty: Set<string>;
  /** Incidents; absent in snapshots made before them (then derived: outageDown from the alarms). */
  incidents?: Map<string, IncidentState>;
  incidentKeys?: Map<string, string>;
  waitingByKey?: Map<string, string[]>;
  outageDown?: Map<string, number>;
  incidentIdBases?: Map<string, { n: number; at: number }>;
  /** Events with an `updated` held back (rules.foldUpdates); absent in snapshots made before it. */
  held?: Set<string>;
}

export class Core {
  private readonly w: World;
  private readonly buffer: MinHeap<Timed>;
  private readonly seen: SeenKeys;
  private readonly customers: CustomerBook;
  private clock: number | null = null;
  private readonly counters: CoreCounters = { late: 0, duplicates: 0, rejected: 0, applied: 0 };
  private replies: CommandResult[] = [];

  constructor(
    private readonly ctx: CoreContext,
    snapshot?: CoreSnapshot,
  ) {
    const s = snapshot ? (upgrade(fromPlain(snapshot)) as unknown as State) : undefined;
    this.w = new World(ctx, new MaintenanceBook(s?.maintenance ?? []), s?.timers);
    this.buffer = new MinHeap(inputBefore, s?.buffer ?? []);
    this.seen = new SeenKeys(ctx.rules.maxAge, s?.seen);
    // `max` only: a TTL would read the wall clock.
    this.customers = new RecentMap(ctx.rules.limits.customers);
    if (!s) return;
    this.clock = s.clock;
    Object.assign(this.counters, s.counters);
    this.w.timerCount = s.timerCount;
    for (const [id, at] of s.customers) this.customers.set(id, at);
    for (const [k, v] of s.alarmGrid) this.w.alarmGrid.set(k, v);
    for (const [k, v] of s.earlyClears) this.w.earlyClears.set(k, v);
    for (const [k, v] of s.grids) this.w.grids.set(k, v);
    for (const [k, v] of s.active) this.w.active.set(k, v);
    for (const [k, v] of s.ended) this.w.ended.set(k, v);
    for (const id of s.dirty) this.w.dirty.add(id);
    for (const [k, v] of s.incidents ?? []) this.w.incidents.set(k, v);
    for (const [k, v] of s.incidentKeys ?? []) this.w.incidentKeys.set(k, v);
    for (const [k, v] of s.waitingByKey ?? []) this.w.waitingByKey.set(k, v);
    for (const [k, v] of s.incidentIdBases ?? []) this.w.incidentIdBases.set(k, v);
    for (const id of s.held ?? []) this.w.held.add(id);
    if (s.outageDown) for (const [k, v] of s.outageDown) this.w.outageDown.set(k, v);
    else
      for (const g of s.grids.values())
        for (const a of g.alarms.values())
          if (a.outage && !a.maintenance) this.w.outageDown.set(a.ne, (this.w.outageDown.get(a.ne) ?? 0) + 1);
  }

  /** Applies one input (or holds it in the reorder buffer) and returns what became due. */
  push(input: Input): CoreOutput {
    let rejected: Reject | null = null;
    switch (input.type) {
      case 'tick':
        // A tick may be far ahead of the clock (the first after a long stop), never of its own
        // arrival: one tick of 2099 would escalate every event and make all later input "too old".
        if (input.arrival !== undefined && input.time > input.arrival + this.ctx.rules.maxFuture) {
          this.counters.rejected++;
          rejected = reject(
            'CADRE_ERR_TIME_RANGE',
            `/time: tick ${seconds(input.time - input.arrival)} s after it arrived (maxFuture ${seconds(this.ctx.rules.maxFuture)} s)`,
          );
        } else this.advance(input.time);
        break;
      case 'maintenance':
        if (this.isDuplicate(input)) break;
        this.w.maintenance.add(input);
        if (this.clock !== null) this.w.maintenance.prune(this.clock - this.ctx.rules.maxAge);
        this.counters.applied++;
        break;
      default: {
        rejected = this.absurdTime(input);
        if (rejected) {
          this.counters.rejected++;
          break;
        }
        if (this.isDuplicate(input)) break;
        this.counters.applied++;
        // Replay: the input's time is the clock. Live: the broker's stored time is a reading of the
        // wall clock that is in the log, so the clock moves with input too and nothing waits for a
        // tick's round trip; ticks move it when no input comes.
        if (this.ctx.clock === 'input') this.advance(input.time);
        else if (this.ctx.clock === 'live' && input.arrival !== undefined) this.advance(input.arrival);
        if (this.clock !== null && input.time < this.clock - this.ctx.rules.lateness) this.counters.late++;
        this.buffer.push(input);
      }
    }
    const watermark = this.clock === null ? -Infinity : this.clock - this.ctx.rules.lateness;
    this.drain(watermark, watermark);
    return this.output(rejected);
  }

  /**
   * Absurd time (docs/rules.md "Absurd time"). Behind: older than the duplicate horizon (maxAge
   * before the clock), since a re-send that old could no longer be told from new input. Ahead: live,
   * more than maxFuture after its own arrival in the log (a clock that is off, not a backlog — a
   * producer's backlog arrives after its event time); in replay, where the input is the clock and
   * quiet nights and days without input are normal, more than maxGap after the latest input.
   */
  private absurdTime(input: Timed): Reject | null {
    const { maxAge, maxFuture, maxGap } = this.ctx.rules;
    if (this.clock !== null && input.time < this.clock - maxAge)
      return reject(
        'CADRE_ERR_TIME_RANGE',
        `/time: ${seconds(this.clock - input.time)} s behind the clock, past the ${seconds(maxAge)} s duplicate horizon (maxAge)`,
      );
    if (input.arrival !== undefined) {
      if (input.time > input.arrival + maxFuture)
        return reject(
          'CADRE_ERR_TIME_RANGE',
          `/time: ${seconds(input.time - input.arrival)} s after the message arrived (maxFuture ${seconds(maxFuture)} s)`,
        );
    } else if (this.clock !== null) {
      const ahead = this.ctx.clock === 'input' ? maxGap : maxFuture;
      if (input.time > this.clock + ahead)
        return reject(
          'CADRE_ERR_TIME_RANGE',
          `/time: ${seconds(input.time - this.clock)} s ahead of the clock (${this.ctx.clock === 'input' ? 'maxGap' : 'maxFuture'} ${seconds(ahead)} s)`,
        );
    }
    return null;
  }

  /** Moves the clock forward (never back) and forgets duplicate keys that fell behind the horizon. */
  private advance(time: number): void {
    if (this.clock !== null && time <= this.clock) return;
    this.clock = time;
    this.seen.expire(time - this.ctx.rules.maxAge);
  }

  /**
   * End of input (replay): releases the reorder buffer, fires the timers due by the clock, and lets
   * the `updated` transitions held for a fold window go out (the input ends there).
   */
  flush(): CoreOutput {
    this.drain(Infinity, this.clock ?? -Infinity);
    if (this.clock !== null) {
      for (const id of [...this.w.held]) this.w.releaseHeld(id, this.clock, true);
      this.w.endStep();
    }
    return this.output(null);
  }

  /**
   * The clock value at which something next becomes due (a held input, a debounce, a deadline, …):
   * the live shell publishes a tick then. Undefined when nothing is pending.
   */
  nextDue(): number | undefined {
    const t = this.w.timers.peek()?.due;
    const i = this.buffer.peek()?.time;
    const next = t === undefined ? i : i === undefined ? t : Math.min(t, i);
    return next === undefined ? undefined : next + this.ctx.rules.lateness;
  }

  /** The core's clock (event time, epoch ms), null before the first input. */
  now(): number | null {
    return this.clock;
  }

  stats(): Readonly<CoreCounters> & { buffered: number; activeEvents: number } {
    return { ...this.counters, buffered: this.buffer.size, activeEvents: this.w.active.size };
  }

  /** Active events by level, without building their documents (the processor's stats, every second). */
  activeByLevel(): Record<Level, number> {
    const counts: Record<Level, number> = { red: 0, orange: 0, yellow: 0, blue: 0 };
    for (const ev of this.w.active.values()) counts[ev.level]++;
    return counts;
  }

  activeEvents(): EventDoc[] {
    return [...this.w.active.values()].map(docOf);
  }

  event(id: string): EventDoc | undefined {
    const ev = this.w.event(id);
    return ev && docOf(ev);
  }

  /** Incidents not over yet, as their latest transition. */
  activeIncidents(): IncidentTransition[] {
    return [...this.w.incidents.values()]
      .filter((i) => i.state === 'open' || i.state === 'acknowledged')
      .map((i) => incidentDocOf(this.w, i));
  }

  gridDoc(gridId: string): GridDoc {
    return gridDocOf(this.w, gridId, this.clock ?? 0);
  }

  /** Grids whose document changed since the last call. */
  dirtyGrids(): string[] {
    const ids = [...this.w.dirty];
    this.w.dirty.clear();
    return ids;
  }

  scorecards(from: number, to: number): Scorecard[] {
    return scorecardsOf(this.w, from, to);
  }

  /** A grid's scorecard counters of one local day (read only; `cadre report` over a replay). */
  dayStats(gridId: string, day: string): Readonly<DayStats> | undefined {
    return this.w.grids.get(gridId)?.days.get(day);
  }

  /** The whole state as plain JSON; `new Core(ctx, snapshot)` continues exactly where this left off. */
  snapshot(): CoreSnapshot {
    return { version: SNAPSHOT_VERSION, ...(toPlain(this.state()) as object) };
  }

  /**
   * `JSON.stringify(this.snapshot())`, handed to `write` in pieces as it is made (plain.ts
   * writePlainJSON): no plain copy of the state, no single string of it.
   */
  writeSnapshotJSON(write: (text: string) => void): void {
    writePlainJSON({ version: SNAPSHOT_VERSION, ...this.state() }, write);
  }

  /** The state to snapshot: the core's own structures, not copies. */
  private state(): State {
    return {
      clock: this.clock,
      counters: this.counters,
      timerCount: this.w.timerCount,
      timers: this.w.timers.items,
      buffer: this.buffer.items,
      seen: this.seen.toJSON(),
      customers: [...this.customers.entries()],
      maintenance: this.w.maintenance.windows,
      alarmGrid: this.w.alarmGrid,
      earlyClears: this.w.earlyClears,
      grids: this.w.grids,
      active: this.w.active,
      ended: this.w.ended,
      dirty: this.w.dirty,
      incidents: this.w.incidents,
      incidentKeys: this.w.incidentKeys,
      waitingByKey: this.w.waitingByKey,
      outageDown: this.w.outageDown,
      incidentIdBases: this.w.incidentIdBases,
      held: this.w.held,
    };
  }

  private isDuplicate(input: Keyed): boolean {
    if (!this.seen.check(input)) return false;
    this.counters.duplicates++;
    return true;
  }

  /**
   * Applies held inputs up to `inputsUpTo` and fires timers up to `timersUpTo`, in event-time order;
   * at equal times an input goes first (an acknowledgement exactly at its deadline is in time).
   */
  private drain(inputsUpTo: number, timersUpTo: number): void {
    for (;;) {
      const input = this.buffer.peek();
      const timer = this.w.timers.peek();
      const inputReady = input !== undefined && input.time <= inputsUpTo;
      const timerReady = timer !== undefined && timer.due <= timersUpTo;
      if (inputReady && (!timerReady || input.time <= timer.due)) {
        this.buffer.pop(); // the input peeked at
        this.apply(input);
      } else if (timerReady) {
        // All timers due at one instant make one step: e.g. two alarms debounced together open one event.
        const due = timer.due;
        for (let next = this.w.timers.peek(); next?.due === due; next = this.w.timers.peek()) {
          this.w.timers.pop(); // the timer peeked at
          this.fire(next);
        }
      } else {
        return;
      }
      this.w.endStep();
    }
  }

  private apply(input: Timed): void {
    switch (input.type) {
      case 'alarm':
        applyAlarm(this.w, input);
        // A rule may hand an input back (a late raise's early clear): it joins the event-time order.
        for (let back = this.w.deferred.pop(); back !== undefined; back = this.w.deferred.pop())
          this.buffer.push(back);
        return;
      case 'kpi':
        return applyKpi(this.w, input);
      case 'complaint':
        return applyComplaint(this.w, input, this.customers);
      case 'command':
        this.replies.push({ commandId: input.msg.id, reply: applyCommand(this.w, input) });
    }
  }

  private fire(timer: Timer): void {
    switch (timer.kind) {
      case 'debounce':
        return onDebounce(this.w, timer);
      case 'ack':
        return onAckDeadline(this.w, timer);
      case 'deadline':
        return onDeadline(this.w, timer);
      case 'tracking':
        return onTracking(this.w, timer);
      case 'quiet':
        return onQuiet(this.w, timer);
      case 'firstResponse':
        return onFirstResponse(this.w, timer);
      case 'contact':
        return onContactDeadline(this.w, timer);
      case 'promise':
        return onPromise(this.w, timer);
      case 'incidentAck':
      case 'incidentDeadline':
        return onIncidentTimer(this.w, timer);
      case 'update':
        return this.w.releaseHeld(timer.ref, timer.due);
    }
  }

  /** Most inputs change nothing visible at once: they all share one empty output (no allocation). */
  private output(rejected: Reject | null): CoreOutput {
    if (!this.w.out.length && !this.w.incidentOut.length && !this.replies.length && !rejected) return NOTHING;
    const out: CoreOutput = {
      transitions: this.w.out,
      incidents: this.w.incidentOut,
      rejects: rejected ? [rejected] : [],
      replies: this.replies,
    };
    this.w.out = [];
    this.w.incidentOut = [];
    this.replies = [];
    return out;
  }
}

const seconds = (ms: number) => Math.round(ms / 1000);
