/**
 * The core's timers: what each kind is for and the order they fire in. A timer is a due time;
 * World.setTimer queues it, core.ts fires those due, each handler checks that its target still holds it.
 */
export type TimerKind =
  | 'debounce'
  | 'ack'
  | 'deadline'
  | 'tracking'
  | 'quiet'
  // Deal: a work order's deadlines and promise (deal.ts).
  | 'firstResponse'
  | 'contact'
  | 'promise'
  // An incident's first response and deadline (incidents.ts).
  | 'incidentAck'
  | 'incidentDeadline'
  // The end of an event's fold window: its held `updated` goes out (rules.foldUpdates).
  | 'update';

/** A due time; stale entries (their target changed since) are skipped when they come up. */
export interface Timer {
  due: number;
  /** Insertion counter: equal due times fire in the order they were set. */
  n: number;
  kind: TimerKind;
  /** Event id, or alarm id for debounce. */
  ref: string;
  grid?: string;
  /** debounce: the raise time the timer belongs to. */
  raisedAt?: number;
  /** Deal timers: the work order's complaint id. */
  complaint?: string;
}

export const timerBefore = (a: Timer, b: Timer) => a.due < b.due || (a.due === b.due && a.n < b.n);
