/**
 * Timers of every event: first-response and resolution deadlines (escalation), and tracking. Each
 * timer checks that its target still holds the due time it was set for (later changes set new ones).
 */
import type { Timer, World } from './world.js';

export function onAckDeadline(w: World, timer: Timer): void {
  const ev = w.active.get(timer.ref);
  if (!ev || ev.state !== 'open' || ev.ackEscalated || ev.ackDeadline !== timer.due) return;
  ev.ackEscalated = true;
  // An incident's events escalate with it, once (incidents.ts), not each on its own.
  if (!ev.incident) w.escalate(ev, timer.due);
}

export function onDeadline(w: World, timer: Timer): void {
  const ev = w.active.get(timer.ref);
  // A deferred event waits by decision; resumed, a deadline passed meanwhile falls due then (deal.ts).
  if (!ev || ev.state === 'deferred' || ev.deadlineEscalated || ev.deadline !== timer.due) return;
  ev.deadlineEscalated = true;
  if (!ev.slaCounted) {
    ev.slaCounted = true;
    w.day(ev.grid, timer.due).slaDue++;
  }
  if (!ev.incident) w.escalate(ev, timer.due);
}

export function onTracking(w: World, timer: Timer): void {
  const ev = w.active.get(timer.ref);
  if (ev && !ev.tracking) w.markTracking(ev, timer.due);
}
