/**
 * The state every rule works on, and the event lifecycle the interpreter (apply.ts) drives: opening,
 * lifting, naming, adding evidence, escalating, ending, and setting timers (timers.ts). The parts
 * with a job of their own are beside it: event ids (ids.ts), changes folded into one transition per
 * event per step (fold.ts), the scorecard's day counters (day_stats.ts), the kinds in a title
 * (element_kinds.ts), the transitions' JSON (event_doc.ts).
 */
import { DayCalendar } from '../../shared/calendar.js';
import type { Grid } from '../../config/topology.js';
import { levelRank, raiseLevel, type Level } from '../../shared/levels.js';
import type { EventTransition, IncidentTransition, RuleName, TransitionName } from '../../shared/schemas.js';
import { renderTitle, type TitleParts } from '../../shared/titles.js';
import type { DayStats } from '../../shared/views.js';
import type { AlarmInput } from '../../contract/normalize.js';
import { resume } from './deal.js';
import { endIncidentStep, memberChanged, memberEnded, type IncidentState } from './incidents.js';
import { MinHeap } from './heap.js';
import type { MaintenanceBook } from './maintenance.js';
import { newGridState, type EventState, type GridState } from './state.js';
import { newEventId } from './ids.js';
import { StepFold } from './fold.js';
import { countEnded, dayOf } from './day_stats.js';
import { ElementKinds } from './element_kinds.js';
import { timerBefore, type Timer, type TimerKind } from './timers.js';
import type { CoreContext } from './types.js';

export class World {
  readonly grids = new Map<string, GridState>();
  /**
   * The grid of each active alarm, by alarm id: a clear finds its raise whatever `grid` override it
   * carries (or lacks), and alarm ids are the source's, unique across grids.
   */
  readonly alarmGrid = new Map<string, string>();
  /** Clears that came before their raise (out of order), by alarm id, oldest first (bounded). */
  readonly earlyClears = new Map<string, AlarmInput>();
  /** Inputs a rule hands back to be applied in event-time order (a late raise's early clear). */
  readonly deferred: AlarmInput[] = [];
  readonly active = new Map<string, EventState>();
  /** Ended events, oldest first, bounded by rules.limits.endedEvents (commands on them get a conflict). */
  readonly ended = new Map<string, EventState>();
  readonly timers: MinHeap<Timer>;
  timerCount = 0;
  readonly dirty = new Set<string>();
  /** Events with an `updated` held back until their fold window ends (rules.foldUpdates). */
  readonly held = new Set<string>();
  /** The kinds of each titled event's elements, counted as they join; derived, not state. */
  private readonly kinds: ElementKinds;
  /** This step's changes, folded into transitions (fold.ts), which go out here. */
  private readonly fold = new StepFold(this);
  out: EventTransition[] = [];

  /** Incidents (incidents.ts), active and recently over, by id; the active one of each cause key. */
  readonly incidents = new Map<string, IncidentState>();
  readonly incidentKeys = new Map<string, string>();
  /** Outage events whose cause no other grid shares yet, by cause key. */
  readonly waitingByKey = new Map<string, string[]>();
  /** Active outage alarms (not in maintenance) per element, any grid: what is down. */
  readonly outageDown = new Map<string, number>();
  readonly incidentIdBases = new Map<string, { n: number; at: number }>();
  readonly incidentPending = new Map<string, NonNullable<IncidentState['last']>>();
  incidentOut: IncidentTransition[] = [];
  /** The operator's days: scorecard counters split at local midnight. */
  readonly calendar: DayCalendar;

  constructor(
    readonly ctx: CoreContext,
    readonly maintenance: MaintenanceBook,
    timers: Timer[] = [],
  ) {
    this.timers = new MinHeap(timerBefore, timers);
    this.calendar = new DayCalendar(ctx.timeZone ?? 'UTC');
    this.kinds = new ElementKinds(ctx.topology);
  }

  get rules() {
    return this.ctx.rules;
  }

  gridInfo(id: string): Grid {
    const grid = this.ctx.topology.grid(id);
    if (!grid) throw new Error(`grid ${id} is not in the topology`);
    return grid;
  }

  grid(id: string): GridState {
    let g = this.grids.get(id);
    if (!g) this.grids.set(id, (g = newGridState()));
    this.dirty.add(id);
    return g;
  }

  event(id: string): EventState | undefined {
    return this.active.get(id) ?? this.ended.get(id);
  }

  activeOf(grid: string, rule: RuleName): EventState | undefined {
    return this.activeIn(this.grids.get(grid), rule);
  }

  /** activeOf for a grid state at hand: the hot path (every KPI sample) skips the grid's lookup. */
  activeIn(g: GridState | undefined, rule: RuleName): EventState | undefined {
    const id = g?.active[rule];
    return id === undefined ? undefined : this.active.get(id);
  }

  setTimer(kind: TimerKind, due: number, ref: string, extra: Partial<Timer> = {}): void {
    this.timers.push({ due, n: this.timerCount++, kind, ref, ...extra });
  }

  /** A deadline capped by the grid's area tier (CONTRACT.md "Area cap"). */
  capped(grid: string, duration: number): number {
    const tier = this.gridInfo(grid).tier;
    const cap = tier === 'general' ? Infinity : this.rules.areaCap[tier];
    return Math.min(duration, cap);
  }

  /** Opens an event; its rule names it (setTitle) in the same step. */
  open(
    grid: string,
    rule: RuleName,
    level: Level,
    at: number,
    deadlineIn: number,
    ackIn?: number,
  ): EventState {
    const g = this.grid(grid);
    const info = this.gridInfo(grid);
    const ev: EventState = {
      id: newEventId(g, grid, rule, at, this.rules.maxAge),
      seq: 0,
      grid,
      city: info.city,
      rule,
      level,
      state: 'open',
      title: '',
      titleParts: { rule, grid: info.name, count: 0 },
      openedAt: at,
      ackDeadline: at + this.capped(grid, ackIn ?? this.rules.ackDeadline[level]),
      deadline: at + this.capped(grid, deadlineIn),
      tracking: false,
      escalationStep: 0,
      alarms: new Set(),
      complaints: new Set(),
      elements: new Set(),
      ackEscalated: false,
      deadlineEscalated: false,
      acked: false,
      slaCounted: false,
    };
    g.active[rule] = ev.id;
    this.active.set(ev.id, ev);
    this.day(grid, at).events[level]++;
    this.setTimer('ack', ev.ackDeadline, ev.id);
    this.setTimer('deadline', ev.deadline, ev.id);
    this.setTimer('tracking', at + this.rules.escalation.tracking, ev.id);
    if (rule === 'outage' || rule === 'kpi') g.netEventAt = at;
    this.mark(ev, 'opened', at);
    this.floorComplaint(ev, at);
    return ev;
  }

  /**
   * Raises the level (never lowers it). An unacknowledged event then gets the new level's first
   * response, counted from the lift (never a deadline that has already passed), if that is sooner.
   */
  lift(ev: EventState, level: Level, at: number): void {
    if (levelRank(level) <= levelRank(ev.level)) return;
    ev.level = level;
    if (ev.rule !== 'complaint')
      this.tightenAck(ev, at + this.capped(ev.grid, this.rules.ackDeadline[level]), at);
    this.mark(ev, 'updated', at);
    this.floorComplaint(ev, at);
    memberChanged(this, ev, at);
  }

  /** A complaint event is at least as urgent as any active outage or kpi event of its grid. */
  private floorComplaint(ev: EventState, at: number): void {
    if (ev.rule !== 'outage' && ev.rule !== 'kpi') return;
    const complaint = this.activeOf(ev.grid, 'complaint');
    if (complaint) this.lift(complaint, ev.level, at);
  }

  tightenAck(ev: EventState, due: number, at: number): void {
    if (ev.state !== 'open' || ev.ackEscalated || due >= ev.ackDeadline) return;
    ev.ackDeadline = Math.max(due, at);
    this.setTimer('ack', ev.ackDeadline, ev.id);
    this.mark(ev, 'updated', at);
    memberChanged(this, ev, at);
  }

  tightenDeadline(ev: EventState, due: number, at: number): void {
    if (ev.deadlineEscalated || due >= ev.deadline) return;
    ev.deadline = Math.max(due, at);
    this.setTimer('deadline', ev.deadline, ev.id);
    this.mark(ev, 'updated', at);
    memberChanged(this, ev, at);
  }

  /**
   * Names the event by what it is made of: the rule's count and, for element counts, the elements'
   * kinds. Rendered in the configured locale; the parts go out too, for screens in other languages.
   */
  setTitle(ev: EventState, count: number, at: number): void {
    // What is counted only grows: the same count is the same set, hence the same title.
    if (ev.title && ev.titleParts.count === count) return;
    const parts: TitleParts = { rule: ev.rule, grid: this.gridInfo(ev.grid).name, count };
    if (ev.rule === 'outage' || ev.rule === 'kpi' || ev.rule === 'flapping') parts.kinds = this.kinds.of(ev);
    const title = renderTitle(parts, this.ctx.locale ?? 'zh-CN');
    if (ev.title === title) return;
    ev.title = title;
    ev.titleParts = parts;
    this.mark(ev, 'updated', at);
  }

  /** Adds evidence; marks the event updated only when something new joined. */
  addEvidence(
    ev: EventState,
    kind: 'alarms' | 'complaints' | 'elements',
    ids: Iterable<string>,
    at: number,
  ): void {
    const set = ev[kind];
    const before = set.size;
    if (kind === 'elements') this.kinds.add(ev, ids);
    else for (const id of ids) set.add(id);
    if (set.size === before) return;
    this.mark(ev, 'updated', at);
    // A customer's complaint shows at once, never held by the fold (rules.foldUpdates): the fold is
    // for storms of alarms and elements, and publish → screen of a complaint is the figure that counts.
    if (kind === 'complaints') this.fold.releaseNow(ev);
    if (ev.state === 'deferred') resume(this, ev, at);
  }

  /** Ends an event (cleared by its rule, or resolved by a dispatcher). */
  end(ev: EventState, how: 'cleared' | 'resolved', at: number, by?: string, text?: string): void {
    this.fold.flushIfDistinct(ev, how);
    ev.state = how;
    const g = this.grid(ev.grid);
    if (g.active[ev.rule] === ev.id) delete g.active[ev.rule];
    if (ev.rule === 'outage' || ev.rule === 'kpi') g.netEventAt = at;
    countEnded(this.day(ev.grid, at), ev, at);
    this.active.delete(ev.id);
    this.ended.set(ev.id, ev);
    const oldest = this.ended.keys().next().value;
    if (this.ended.size > this.rules.limits.endedEvents && oldest !== undefined) this.ended.delete(oldest);
    this.mark(ev, how, at, by, text);
    memberEnded(this, ev, at);
  }

  /**
   * A dispatcher transition (acknowledged, assigned, commented, planned), or a command's `updated` (a
   * resolve when cleared, an answer before the resolve). That `updated` is never held by the fold
   * (rules.foldUpdates): the command's reply is the event with this transition's seq, and the gateway
   * drops a reply no newer than what it holds — the desk would be told 200 and nothing pending.
   */
  dispatcher(ev: EventState, transition: TransitionName, at: number, by: string, text?: string): void {
    this.fold.flushIfDistinct(ev, transition);
    this.mark(ev, transition, at, by, text);
    if (transition === 'updated') this.fold.releaseNow(ev);
  }

  escalate(ev: EventState, at: number): void {
    this.fold.flushIfDistinct(ev, 'escalated');
    ev.escalationStep++;
    ev.level = raiseLevel(ev.level);
    this.mark(ev, 'escalated', at);
    this.floorComplaint(ev, at);
    memberChanged(this, ev, at);
  }

  markTracking(ev: EventState, at: number): void {
    this.fold.flushIfDistinct(ev, 'tracking');
    ev.tracking = true;
    this.mark(ev, 'tracking', at);
  }

  /** The scorecard counters of the grid's day of `at` (day_stats.ts). */
  day(grid: string, at: number): DayStats {
    return dayOf(this.grid(grid), this.calendar, this.ctx.keepDays ?? 31, at);
  }

  /** Marks a change of the event: it goes out in this step's transition of it (fold.ts). */
  mark(ev: EventState, transition: TransitionName, at: number, by?: string, text?: string): void {
    this.fold.mark(ev, transition, at, by, text);
  }

  /** Ends a step: one transition per changed event, in the order they first changed, then the incidents'. */
  endStep(): void {
    this.fold.endStep();
    // After the events' transitions of the same step (an incident's clear may come alone).
    endIncidentStep(this);
  }

  /**
   * The end of an event's fold window (or of the input, `now`): what it held goes out in this step,
   * folded into anything else of the step.
   */
  releaseHeld(id: string, at: number, now = false): void {
    this.fold.releaseHeld(id, at, now);
  }
}
