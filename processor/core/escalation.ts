/**
 * Timers of every event: first-response and resolution deadlines (rules/escalation.ts decides,
 * apply.ts applies), and tracking.
 */
import { applyAckOverdue, applyDeadlineOverdue } from './apply.js';
import { decideAck, decideDeadline, tracks } from './rules/escalation.js';
import type { Timer } from './timers.js';
import type { World } from './world.js';

export function onAckDeadline(w: World, timer: Timer): void {
  const ev = w.active.get(timer.ref);
  applyAckOverdue(w, decideAck(ev, timer.due), ev, timer.due);
}

export function onDeadline(w: World, timer: Timer): void {
  const ev = w.active.get(timer.ref);
  applyDeadlineOverdue(w, decideDeadline(ev, timer.due), ev, timer.due);
}

export function onTracking(w: World, timer: Timer): void {
  const ev = w.active.get(timer.ref);
  if (tracks(ev)) w.markTracking(ev, timer.due);
}
