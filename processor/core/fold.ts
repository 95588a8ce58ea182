/**
 * Changes folded into transitions: each change of a step marks its event, and the step ends with one
 * transition per changed event, in the order they first changed; an `updated` folds into any other
 * transition of the step. An `updated` sooner than rules.foldUpdates after the event's last
 * transition is held until that window ends. Emitting numbers the transition and writes it
 * (event_doc.ts) to World.out. Each World has its own: the pending transitions are its step's.
 */
import { levelRank } from '../../shared/levels.js';
import type { TransitionName } from '../../shared/schemas.js';
import { transitionOf } from './event_doc.js';
import type { EventState } from './state.js';
import type { World } from './world.js';

/** The transition that folds into any other of the same step (which then carries the newer state). */
const FOLDS_INTO_ANY: TransitionName = 'updated';

interface Pending {
  ev: EventState;
  transition: TransitionName;
  at: number;
  by?: string;
  text?: string;
  /** Goes out at the end of the step even inside the fold window. */
  release?: boolean;
}

export class StepFold {
  /** This step's transitions, materialised in order when the step ends. */
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly w: World) {}

  mark(ev: EventState, transition: TransitionName, at: number, by?: string, text?: string): void {
    this.w.dirty.add(ev.grid);
    if (transition === FOLDS_INTO_ANY && this.pending.has(ev.id)) return;
    this.pending.set(ev.id, { ev, transition, at, by, text });
  }

  /** The event's pending transition goes out at the end of this step, whatever its fold window. */
  releaseNow(ev: EventState): void {
    const pending = this.pending.get(ev.id);
    if (!pending) throw new Error(`event ${ev.id} marked updated but has no pending transition`);
    pending.release = true;
  }

  /** Before a transition that cannot fold into the pending one, the pending one goes out as it was. */
  flushIfDistinct(ev: EventState, next: TransitionName): void {
    const p = this.pending.get(ev.id);
    if (p && p.transition !== FOLDS_INTO_ANY && next !== FOLDS_INTO_ANY) {
      this.pending.delete(ev.id);
      this.emit(ev, p.transition, p.at, p.by, p.text);
    }
  }

  /** Ends a step: one transition per changed event, in the order they first changed. */
  endStep(): void {
    // Most steps change no event: no iterator to allocate.
    if (!this.pending.size) return;
    for (const p of this.pending.values())
      if (p.release || !this.holds(p.ev, p.transition, p.at))
        this.emit(p.ev, p.transition, p.at, p.by, p.text);
    this.pending.clear();
  }

  /**
   * The end of an event's fold window (or of the input, `now`): what it held goes out in this step,
   * folded into anything else of the step.
   */
  releaseHeld(id: string, at: number, now = false): void {
    if (!this.w.held.delete(id)) return;
    const ev = this.w.active.get(id);
    if (ev)
      this.pending.set(ev.id, this.pending.get(ev.id) ?? { ev, transition: 'updated', at, release: now });
  }

  /**
   * An `updated` sooner than foldUpdates after the event's last transition waits for the end of that
   * window (a timer), unless its level rose: then it carries whatever else changed meanwhile.
   */
  private holds(ev: EventState, transition: TransitionName, at: number): boolean {
    const fold = this.w.rules.foldUpdates;
    if (transition !== FOLDS_INTO_ANY || !ev.last || at >= ev.last.at + fold) return false;
    if (ev.emittedLevel !== undefined && levelRank(ev.level) > levelRank(ev.emittedLevel)) return false;
    if (!this.w.held.has(ev.id)) {
      this.w.held.add(ev.id);
      this.w.setTimer('update', ev.last.at + fold, ev.id, { grid: ev.grid });
    }
    return true;
  }

  private emit(ev: EventState, transition: TransitionName, at: number, by?: string, text?: string): void {
    this.w.held.delete(ev.id); // what it held is in this transition's state
    ev.seq++;
    // The level it had in its last transition, when it rose since: a subscriber of the new level hears of it.
    const levelFrom =
      ev.emittedLevel !== undefined && levelRank(ev.level) > levelRank(ev.emittedLevel)
        ? ev.emittedLevel
        : undefined;
    ev.emittedLevel = ev.level;
    ev.last = { transition, at, by, text, levelFrom };
    this.w.out.push(transitionOf(ev, ev.last));
  }
}
