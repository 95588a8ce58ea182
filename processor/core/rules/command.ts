/**
 * Dispatcher commands (docs/rules.md "Dispatcher commands", and Deal's contact, plan, defer,
 * satisfaction and handover): what one command does to one event, or why it is refused. Role and
 * city checks are the gateway's; this checks the event's state, the command's fields and the rules.
 * Pure: commands.ts and deal.ts do what it decides.
 */
import type { Rules } from '../../../config/rules.js';
import { maxLevel, raiseLevel, type Level } from '../../../shared/levels.js';
import {
  DEFER_REASONS,
  type Command,
  type ContactChannel,
  type ContactOutcome,
  type DeferReason,
  type Owner,
} from '../../../shared/schemas.js';
import { isEnded, type AlarmState, type EventState, type WorkOrderState } from '../state.js';

/** A command refused: the reply's code and message (and, for uncleared evidence, the alarms). */
export interface Refusal {
  kind: 'refuse';
  reason:
    | 'ended'
    | 'deferred'
    | 'deferred-already'
    | 'missing-field'
    | 'no-work-order'
    | 'promise-moved-without-reason'
    | 'not-evidence'
    | 'uncleared'
    | 'owned-already'
    | 'not-for-incidents';
  code: 'CADRE_ERR_BAD_REQUEST' | 'CADRE_ERR_CONFLICT';
  message: string;
  alarms?: string[];
}

export type CommandDecision =
  | Refusal
  /** Acknowledging twice, or a customer's second answer: the first stands. */
  | { kind: 'none'; reason: 'acknowledged-already' | 'answered-already' }
  | { kind: 'ack'; reason: 'acknowledged' }
  | NoteDecision
  /** `orders`: the work orders the plan is for; `at`: its time in epoch ms. */
  | {
      kind: 'plan';
      reason: 'planned';
      plan: { at: string; scenario: string };
      at: number;
      orders: WorkOrderState[];
    }
  /** `when-cleared`: it resolves itself when the last evidence alarm not judged unrelated clears. */
  | { kind: 'resolve'; reason: 'cleared' | 'unrelated' | 'when-cleared'; unrelated: string[] }
  | {
      kind: 'contact';
      reason: 'reached' | 'attempted';
      order: WorkOrderState;
      channel: ContactChannel;
      outcome: ContactOutcome;
    }
  | { kind: 'defer'; reason: 'may-wait'; why: DeferReason }
  /** The customer's answer, counted; `before-resolution` is a transition of the event too. */
  | {
      kind: 'answer';
      reason: 'before-resolution' | 'after-clear' | 'satisfied';
      order: WorkOrderState;
      satisfied: boolean;
    }
  /** Dissatisfied after resolution: the grid's complaint event opens (or lifts) again for the order. */
  | {
      kind: 'reopen';
      reason: 'dissatisfied';
      order: WorkOrderState;
      level: Level;
      ackIn: number;
      deadlineIn: number;
    }
  | { kind: 'handover'; reason: 'handed-up'; owner: Owner };

const ACK: CommandDecision = { kind: 'ack', reason: 'acknowledged' };
const ACKNOWLEDGED_ALREADY: CommandDecision = { kind: 'none', reason: 'acknowledged-already' };
const ANSWERED_ALREADY: CommandDecision = { kind: 'none', reason: 'answered-already' };

/** An assign or a comment: a field it needs, the same on an event and on an incident. */
export type NoteDecision =
  { kind: 'assign'; reason: 'assigned'; to: string } | { kind: 'comment'; reason: 'commented'; text: string };

/** Assign (`to`) or comment (`text`) `msg`, or why not. */
export function decideNote(msg: Command): NoteDecision | Refusal {
  if (msg.action === 'assign')
    return msg.to
      ? { kind: 'assign', reason: 'assigned', to: msg.to }
      : badRequest('missing-field', 'assign needs `to`');
  return msg.text
    ? { kind: 'comment', reason: 'commented', text: msg.text }
    : badRequest('missing-field', 'comment needs `text`');
}

/** Command `msg` on event `ev`; `alarms`: the active alarms of its grid. */
export function decideCommand(
  rules: Rules,
  ev: EventState,
  msg: Command,
  alarms: ReadonlyMap<string, AlarmState> | undefined,
): CommandDecision {
  // The customer's answer comes after the resolution, by design (Deal).
  if (isEnded(ev) && msg.action !== 'satisfaction') return conflict('ended', `event ${ev.id} is ${ev.state}`);
  switch (msg.action) {
    case 'ack':
      if (ev.state === 'acknowledged') return ACKNOWLEDGED_ALREADY;
      if (ev.state === 'deferred')
        return conflict('deferred', `event ${ev.id} is deferred: new evidence brings it back`);
      return ACK;
    case 'assign':
    case 'comment':
      return decideNote(msg);
    case 'plan':
      return decidePlan(ev, msg);
    case 'resolve':
      return decideResolve(ev, msg, alarms);
    case 'contact':
      return decideContact(ev, msg);
    case 'defer':
      if (!msg.reason || !isDeferReason(msg.reason))
        return badRequest('missing-field', `defer needs a \`reason\`: one of ${DEFER_REASONS.join(', ')}`);
      if (ev.state === 'deferred') return conflict('deferred-already', `event ${ev.id} is deferred already`);
      return { kind: 'defer', reason: 'may-wait', why: msg.reason };
    case 'satisfaction':
      return decideSatisfaction(rules, ev, msg);
    case 'handover':
      return decideHandover(ev, msg);
  }
}

/**
 * `plan {at, scenario, complaint?, reason?}`: the first plan of a work order is its promise to the
 * customer; moving it needs a reason. Without `complaint` it is the plan of every work order of the
 * event. Checked whole before anything changes.
 */
function decidePlan(ev: EventState, msg: Command): CommandDecision {
  const p = msg.plan;
  if (!p) return badRequest('missing-field', 'plan needs `plan: {at, scenario}`');
  const at = Date.parse(p.at);
  const orders: WorkOrderState[] = [];
  if (msg.complaint === undefined) orders.push(...(ev.workOrders?.values() ?? []));
  else {
    const order = ev.workOrders?.get(msg.complaint);
    if (!order) return badRequest('no-work-order', `no work order ${msg.complaint} in event ${ev.id}`);
    orders.push(order);
  }
  const moved = orders.filter((o) => o.promise !== undefined && o.promise.at !== at);
  if (moved.length && !msg.reason)
    return badRequest(
      'promise-moved-without-reason',
      `moving a promise made to a customer needs a \`reason\` (${moved.map((o) => o.complaint).join(', ')})`,
    );
  return { kind: 'plan', reason: 'planned', plan: { at: p.at, scenario: p.scenario }, at, orders };
}

/**
 * `resolve {note}` once every evidence alarm has cleared (409 naming the others); with `unrelated`
 * (and a `reason`) those alarms are not waited for; with `when: "cleared"` the event waits for the
 * last one and resolves itself then (`settles`).
 */
function decideResolve(
  ev: EventState,
  msg: Command,
  alarms: ReadonlyMap<string, AlarmState> | undefined,
): CommandDecision {
  const unrelated = msg.unrelated ?? [];
  if (unrelated.length) {
    if (!msg.reason)
      return badRequest('missing-field', 'a resolve that names unrelated alarms needs a `reason`');
    const unknown = unrelated.filter((id) => !ev.alarms.has(id));
    if (unknown.length) return badRequest('not-evidence', `not evidence of ${ev.id}: ${unknown.join(', ')}`);
  }
  const uncleared = unclearedAlarms(ev, alarms).filter((id) => !unrelated.includes(id));
  if (uncleared.length && msg.when !== 'cleared')
    return conflict('uncleared', `${uncleared.length} evidence alarm(s) not cleared yet`, uncleared);
  const reason = uncleared.length ? 'when-cleared' : unrelated.length ? 'unrelated' : 'cleared';
  return { kind: 'resolve', reason, unrelated };
}

/** `contact {complaint, channel, outcome}`: an attempt is a first response; `reached` is the contact. */
function decideContact(ev: EventState, msg: Command): CommandDecision {
  const order = msg.complaint === undefined ? undefined : ev.workOrders?.get(msg.complaint);
  if (!order)
    return badRequest('no-work-order', "contact needs the `complaint` of one of the event's work orders");
  if (!msg.channel || !msg.outcome)
    return badRequest('missing-field', 'contact needs `channel` and `outcome`');
  const reason = msg.outcome === 'reached' ? 'reached' : 'attempted';
  return { kind: 'contact', reason, order, channel: msg.channel, outcome: msg.outcome };
}

/**
 * `satisfaction {complaint, satisfied}`: the customer's answer, counted once. A dissatisfied answer
 * about a resolved event reopens the problem: the same customer about the same problem again, a
 * repeat complaint one level up (at least `deal.reopenLevel`), with a repeat's first response.
 */
function decideSatisfaction(rules: Rules, ev: EventState, msg: Command): CommandDecision {
  const order = msg.complaint === undefined ? undefined : ev.workOrders?.get(msg.complaint);
  if (!order || msg.satisfied === undefined)
    return badRequest(
      'missing-field',
      "satisfaction needs `satisfied` and the `complaint` of one of the event's work orders",
    );
  if (order.satisfied !== undefined) return ANSWERED_ALREADY;
  const satisfied = msg.satisfied;
  if (ev.state !== 'resolved')
    return {
      kind: 'answer',
      reason: ev.state === 'cleared' ? 'after-clear' : 'before-resolution',
      order,
      satisfied,
    };
  if (satisfied) return { kind: 'answer', reason: 'satisfied', order, satisfied };
  return {
    kind: 'reopen',
    reason: 'dissatisfied',
    order,
    level: maxLevel(rules.deal.reopenLevel, raiseLevel(rules.complaint.tierLevels[order.tier])),
    ackIn: rules.complaint.ackDeadline[order.tier === 1 ? 'tier1' : 'repeat'],
    deadlineIn: rules.complaint.deadline[order.tier],
  };
}

/**
 * `handover {owner: city|province, reason}`: grid first, then up (80/20) — the grid's team owns an
 * event until it is handed up with a reason; only up, never back.
 */
function decideHandover(ev: EventState, msg: Command): CommandDecision {
  const owner = msg.owner;
  if (!owner || !msg.reason)
    return badRequest('missing-field', 'handover needs `owner` (city or province) and a `reason`');
  if (ev.owner === owner || (ev.owner === 'province' && owner === 'city'))
    return conflict('owned-already', `event ${ev.id} is owned by the ${ev.owner} already`);
  return { kind: 'handover', reason: 'handed-up', owner };
}

/** An event waiting to resolve when its evidence has cleared (`when: "cleared"`) may now. */
export function settles(ev: EventState, alarms: ReadonlyMap<string, AlarmState> | undefined): boolean {
  if (!ev.resolvePending) return false;
  const unrelated = ev.unrelated ?? [];
  return !unclearedAlarms(ev, alarms).some((a) => !unrelated.includes(a));
}

/** Evidence alarms still active in the grid: an event may be resolved only once they have all cleared. */
export function unclearedAlarms(
  ev: EventState,
  alarms: ReadonlyMap<string, AlarmState> | undefined,
): string[] {
  return alarms ? [...ev.alarms].filter((id) => alarms.has(id)) : [];
}

const isDeferReason = (reason: string): reason is DeferReason =>
  (DEFER_REASONS as readonly string[]).includes(reason);

export const badRequest = (reason: Refusal['reason'], message: string): Refusal => ({
  kind: 'refuse',
  reason,
  code: 'CADRE_ERR_BAD_REQUEST',
  message,
});

export const conflict = (reason: Refusal['reason'], message: string, alarms?: string[]): Refusal =>
  alarms
    ? { kind: 'refuse', reason, code: 'CADRE_ERR_CONFLICT', message, alarms }
    : { kind: 'refuse', reason, code: 'CADRE_ERR_CONFLICT', message };
