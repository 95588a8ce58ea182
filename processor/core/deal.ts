/**
 * Deal (处理, CONTRACT.md "Deal"): the customer's side of a complaint event. Each complaint is a work
 * order with its own first-response deadline (the tier table, also when it joins an event already
 * acknowledged) and contact deadline (`deal.contactWithin`); a contact stops them, a plan given to the
 * customer is a promise (moved only with a reason, escalating when it passes unresolved), and the
 * customer's answer after resolution may reopen the problem. May-wait (暂不解决) defers an event until
 * new evidence joins it. rules/deal.ts decides what its timers and new evidence do, rules/command.ts
 * what its commands do; this applies their decisions.
 */
import type { ComplaintInput } from '../../contract/normalize.js';
import type { Command } from '../../shared/schemas.js';
import type { DayStats } from '../../shared/views.js';
import type { CommandDecision } from './rules/command.js';
import {
  decideContactDeadline,
  decideFirstResponse,
  decidePromise,
  decideResume,
  type DealTimerDecision,
} from './rules/deal.js';
import type { EventState, WorkOrderState } from './state.js';
import type { Timer } from './timers.js';
import type { World } from './world.js';

/** Opens the work order of a complaint that joined complaint event `ev`, with its deadlines. */
export function addWorkOrder(w: World, ev: EventState, input: ComplaintInput, ackIn: number): void {
  const { msg, time: at } = input;
  const orders = (ev.workOrders ??= new Map());
  if (orders.has(msg.id)) return;
  const order: WorkOrderState = {
    complaint: msg.id,
    customer: msg.customer.id,
    tier: msg.customer.tier,
    receivedAt: at,
    ackDeadline: at + ackIn,
    contactDeadline: at + w.capped(ev.grid, w.rules.deal.contactWithin),
  };
  if (msg.customer.phone !== undefined) order.phone = msg.customer.phone;
  openOrder(w, ev, order, at);
}

function openOrder(w: World, ev: EventState, order: WorkOrderState, at: number): void {
  (ev.workOrders ??= new Map()).set(order.complaint, order);
  w.setTimer('firstResponse', order.ackDeadline, ev.id, { complaint: order.complaint });
  w.setTimer('contact', order.contactDeadline, ev.id, { complaint: order.complaint });
  w.mark(ev, 'updated', at);
}

/** The active event and work order a timer is for, either missing when gone. */
function orderOf(w: World, timer: Timer): [EventState | undefined, WorkOrderState | undefined] {
  const ev = w.active.get(timer.ref);
  const order = timer.complaint === undefined ? undefined : ev?.workOrders?.get(timer.complaint);
  return [ev, order];
}

/** A work order's first response passed with no contact attempt (rules/deal.ts decideFirstResponse). */
export function onFirstResponse(w: World, timer: Timer): void {
  const [ev, order] = orderOf(w, timer);
  const d = decideFirstResponse(ev, order, timer.due);
  if (d.kind === 'none' || !ev || !order) return;
  w.day(ev.grid, timer.due).firstResponseDue++;
  if (d.reason === 'covered') order.escalated = true;
  overrun(w, d, ev, order, timer.due);
}

/** The event was acknowledged: that is the first response of every complaint it held then. */
export function acknowledged(w: World, ev: EventState, at: number): void {
  if (!ev.workOrders) return;
  const day = w.day(ev.grid, at);
  for (const order of ev.workOrders.values()) respond(order, day, at);
}

/** A work order's contact deadline passed with the customer not reached (rules/deal.ts decideContactDeadline). */
export function onContactDeadline(w: World, timer: Timer): void {
  const [ev, order] = orderOf(w, timer);
  const d = decideContactDeadline(ev, order, timer.due);
  if (d.kind === 'none' || !ev || !order) return;
  w.day(ev.grid, timer.due).contactDue++;
  overrun(w, d, ev, order, timer.due);
}

/** A promise passed with the event unresolved: broken, counted, escalated (rules/deal.ts decidePromise). */
export function onPromise(w: World, timer: Timer): void {
  const [ev, order] = orderOf(w, timer);
  const d = decidePromise(ev, order, timer.due);
  if (d.kind === 'none' || !ev || !order) return;
  order.promiseBroken = true;
  w.day(ev.grid, timer.due).promisesBroken++;
  w.mark(ev, 'updated', timer.due);
  if (d.kind === 'escalate') w.escalate(ev, timer.due);
}

/** A missed deadline's escalation, once per work order. */
function overrun(w: World, d: DealTimerDecision, ev: EventState, order: WorkOrderState, at: number): void {
  if (d.kind !== 'escalate') return;
  order.escalated = true;
  w.escalate(ev, at);
}

type Decided<K extends CommandDecision['kind']> = Extract<CommandDecision, { kind: K }>;

/** The first response of a work order, counted once: on time now, or already counted late when its deadline passed. */
function respond(order: WorkOrderState, day: DayStats, at: number): void {
  if (order.respondedAt !== undefined) return;
  order.respondedAt = at;
  if (at <= order.ackDeadline) {
    day.firstResponseDue++;
    day.firstResponseMet++;
  }
}

/** `contact` (rules/command.ts): an attempt is a first response; `reached` is the contact. */
export function contact(w: World, ev: EventState, d: Decided<'contact'>, msg: Command, at: number): void {
  const { order } = d;
  const day = w.day(ev.grid, at);
  respond(order, day, at);
  if (d.reason === 'reached' && order.contactedAt === undefined) {
    order.contactedAt = at;
    if (at <= order.contactDeadline) {
      day.contactDue++;
      day.contactMet++;
    }
  }
  order.contact = { channel: d.channel, outcome: d.outcome, by: msg.by };
  w.dispatcher(ev, 'contacted', at, msg.by, msg.text);
}

/** `plan` (rules/command.ts): the first plan of a work order is its promise; moving it counts. */
export function plan(w: World, ev: EventState, d: Decided<'plan'>, msg: Command, at: number): void {
  const planned = d.at;
  const day = w.day(ev.grid, at);
  for (const order of d.orders) {
    order.scenario = d.plan.scenario;
    if (order.promise?.at === planned) continue;
    if (order.promise) {
      order.promise = { at: planned, moves: order.promise.moves + 1 };
      day.promisesMoved++;
    } else {
      order.promise = { at: planned, moves: 0 };
      day.promises++;
    }
    order.promiseBroken = false;
    w.setTimer('promise', Math.max(planned, at), ev.id, { complaint: order.complaint });
    if (planned < at) order.promise.at = at; // a promise of a time already past is due at once
  }
  ev.plan = d.plan;
  w.dispatcher(ev, 'planned', at, msg.by, msg.reason);
}

/** `defer` (rules/command.ts): the event may wait; it leaves the active board until new evidence joins it. */
export function defer(w: World, ev: EventState, d: Decided<'defer'>, msg: Command, at: number): void {
  ev.state = 'deferred';
  ev.deferReason = d.why;
  w.day(ev.grid, at).deferred++;
  w.dispatcher(ev, 'deferred', at, msg.by, msg.text);
}

/** New evidence joined a deferred event (rules/deal.ts decideResume). */
export function resume(w: World, ev: EventState, at: number): void {
  const d = decideResume(ev, at);
  ev.state = 'open';
  delete ev.deferReason;
  if (d.ackDue) {
    ev.ackDeadline = at;
    w.setTimer('ack', at, ev.id);
  }
  if (d.deadlineDue) {
    ev.deadline = at;
    w.setTimer('deadline', at, ev.id);
  }
  w.mark(ev, 'resumed', at);
}

/**
 * `satisfaction` (rules/command.ts): the customer's answer, counted once. Dissatisfied about a
 * resolved event, it reopens the problem: the grid's complaint event (a new one if none is active,
 * `reopenOf` the old one) with the complaint's work order anew.
 */
export function satisfaction(
  w: World,
  ev: EventState,
  d: Decided<'answer' | 'reopen'>,
  msg: Command,
  at: number,
): void {
  const { order } = d;
  const satisfied = d.kind === 'answer' && d.satisfied;
  order.satisfied = satisfied;
  const day = w.day(ev.grid, at);
  if (satisfied) day.satisfied++;
  else day.dissatisfied++;
  if (d.kind === 'answer') {
    if (d.reason === 'before-resolution') w.dispatcher(ev, 'updated', at, msg.by, msg.text);
    return;
  }
  const ackIn = w.capped(ev.grid, d.ackIn);
  let reopened = w.activeOf(ev.grid, 'complaint');
  if (!reopened) reopened = w.open(ev.grid, 'complaint', d.level, at, w.capped(ev.grid, d.deadlineIn), ackIn);
  else w.lift(reopened, d.level, at);
  reopened.reopenOf ??= ev.id;
  w.addEvidence(reopened, 'complaints', [order.complaint], at);
  const again: WorkOrderState = {
    complaint: order.complaint,
    customer: order.customer,
    tier: order.tier,
    receivedAt: at,
    ackDeadline: at + ackIn,
    contactDeadline: at + w.capped(ev.grid, w.rules.deal.contactWithin),
  };
  if (order.phone !== undefined) again.phone = order.phone;
  reopened.workOrders?.delete(order.complaint);
  openOrder(w, reopened, again, at);
  w.setTitle(reopened, reopened.complaints.size, at);
}

/**
 * `handover` (rules/command.ts): grid first, then up (80/20). The share of events that ended with
 * their grid is a scorecard figure.
 */
export function handover(w: World, ev: EventState, d: Decided<'handover'>, msg: Command, at: number): void {
  ev.owner = d.owner;
  w.dispatcher(ev, 'handedOver', at, msg.by, msg.reason);
}
