/**
 * The complaint rule (docs/rules.md "complaint"): a complaint opens or joins its grid's complaint
 * event at the level its tier, escalation, media, a repeat within the window, a cluster of the grid's
 * recent complaints and the grid's network events ask for, with the first response and deadline of
 * its tier. Pure: complaints.ts keeps the books, apply.ts does what it decides.
 */
import type { Rules } from '../../../config/rules.js';
import { maxLevel, raiseLevel, type Level } from '../../../shared/levels.js';
import type { Complaint } from '../../../shared/schemas.js';
import type { EventState } from '../state.js';

/** What one complaint does; `ackIn` / `deadlineIn` before the area cap. */
export interface ComplaintDecision {
  kind: 'open' | 'update';
  reason: 'complaint' | 'repeat';
  level: Level;
  ackIn: number;
  deadlineIn: number;
}

/**
 * `repeat`: the customer complained within the window before; `recent`: the grid's complaints within
 * the cluster window, this one included; `outage` / `kpi`: the grid's active network events; `ev`: its
 * active complaint event.
 */
export function decideComplaint(
  rules: Rules['complaint'],
  msg: Complaint,
  repeat: boolean,
  recent: number,
  outage: EventState | undefined,
  kpi: EventState | undefined,
  ev: EventState | undefined,
): ComplaintDecision {
  let level = complaintLevel(rules, msg, repeat);
  const cluster = clusterLevel(rules, recent);
  if (cluster) level = maxLevel(level, cluster);
  // At least as urgent as any active network event of its grid.
  if (outage) level = maxLevel(level, outage.level);
  if (kpi) level = maxLevel(level, kpi.level);
  return {
    kind: ev ? 'update' : 'open',
    reason: repeat ? 'repeat' : 'complaint',
    level,
    ackIn: complaintAckIn(rules, msg, repeat),
    deadlineIn: rules.deadline[msg.customer.tier],
  };
}

/** The level one complaint asks for: its tier, at least orange when escalated, media red, a repeat one higher. */
export function complaintLevel(rules: Rules['complaint'], msg: Complaint, repeat: boolean): Level {
  let level = rules.tierLevels[msg.customer.tier];
  if (msg.escalated) level = maxLevel(level, rules.escalatedLevel);
  if (msg.media) level = maxLevel(level, rules.mediaLevel);
  return repeat ? raiseLevel(level) : level;
}

/** The level a cluster of `count` complaints within the window asks for, if any. */
export function clusterLevel(rules: Rules['complaint'], count: number): Level | undefined {
  if (count >= rules.clusterRed) return 'red';
  if (count >= rules.clusterOrange) return 'orange';
  return undefined;
}

/** First-response time of one complaint: tier 1, then media/escalated, then repeat, else the default. */
export function complaintAckIn(rules: Rules['complaint'], msg: Complaint, repeat: boolean): number {
  if (msg.customer.tier === 1) return rules.ackDeadline.tier1;
  if (msg.media || msg.escalated) return rules.ackDeadline.mediaOrEscalated;
  if (repeat) return rules.ackDeadline.repeat;
  return rules.ackDeadline.other;
}
