/**
 * Deal (处理, CONTRACT.md "Deal"): the customer's side of a complaint event. Each complaint is a work
 * order with its own first-response deadline (the tier table, also when it joins an event already
 * acknowledged) and contact deadline (`deal.contactWithin`); a contact stops them, a plan given to the
 * customer is a promise (moved only with a reason, escalating when it passes unresolved), and the
 * customer's answer after resolution may reopen the problem. May-wait (暂不解决) defers an event until
 * new evidence joins it.
 */
import type { ComplaintInput } from '../../contract/normalize.js';
import type { Command, ContactChannel, ContactOutcome, DeferReason, Owner } from '../../shared/schemas.js';
import { maxLevel, raiseLevel } from '../../shared/levels.js';
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

/** The work order a timer is for, if the timer still stands (its event active, its due unchanged). */
function orderOf(w: World, timer: Timer): { ev: EventState; order: WorkOrderState } | undefined {
  const ev = w.active.get(timer.ref);
  const order = ev?.workOrders?.get(timer.complaint!);
  return ev && order ? { ev, order } : undefined;
}

/** A work order's first response passed with no contact attempt: it counts against the grid and escalates. */
export function onFirstResponse(w: World, timer: Timer): void {
  const found = orderOf(w, timer);
  if (!found || found.order.respondedAt !== undefined || found.order.ackDeadline !== timer.due) return;
  w.day(found.ev.grid, timer.due).firstResponseDue++;
  // An open event's own first response was tightened to this complaint's: if it escalated for this
  // very deadline, that was this overrun's escalation.
  const covered = found.ev.ackEscalated && found.ev.ackDeadline === timer.due;
  if (covered) found.order.escalated = true;
  overrun(w, found.ev, found.order, timer.due);
}

/** The event was acknowledged: that is the first response of every complaint it held then. */
export function acknowledged(w: World, ev: EventState, at: number): void {
  if (!ev.workOrders) return;
  const day = w.day(ev.grid, at);
  for (const order of ev.workOrders.values()) {
    if (order.respondedAt !== undefined) continue;
    order.respondedAt = at;
    if (at <= order.ackDeadline) {
      day.firstResponseDue++;
      day.firstResponseMet++;
    }
  }
}

/** A work order's contact deadline passed with the customer not reached. */
export function onContactDeadline(w: World, timer: Timer): void {
  const found = orderOf(w, timer);
  if (!found || found.order.contactedAt !== undefined || found.order.contactDeadline !== timer.due) return;
  w.day(found.ev.grid, timer.due).contactDue++;
  overrun(w, found.ev, found.order, timer.due);
}

/** A promise passed with the event unresolved: broken, counted, escalated. */
export function onPromise(w: World, timer: Timer): void {
  const found = orderOf(w, timer);
  if (!found || found.order.promise?.at !== timer.due || found.order.promiseBroken) return;
  found.order.promiseBroken = true;
  w.day(found.ev.grid, timer.due).promisesBroken++;
  w.mark(found.ev, 'updated', timer.due);
  if (found.ev.state !== 'deferred') w.escalate(found.ev, timer.due);
}

/** One escalation per work order for its missed deadlines (not while the event may wait). */
function overrun(w: World, ev: EventState, order: WorkOrderState, at: number): void {
  if (order.escalated || ev.state === 'deferred') return;
  order.escalated = true;
  w.escalate(ev, at);
}

type Failure = { code: 'CADRE_ERR_BAD_REQUEST' | 'CADRE_ERR_CONFLICT'; message: string };

/** `contact {complaint, channel, outcome}`: an attempt is a first response; `reached` is the contact. */
export function contact(w: World, ev: EventState, msg: Command, at: number): Failure | undefined {
  const order = msg.complaint === undefined ? undefined : ev.workOrders?.get(msg.complaint);
  if (!order) return badRequest(`contact needs the \`complaint\` of one of the event's work orders`);
  if (!msg.channel || !msg.outcome) return badRequest('contact needs `channel` and `outcome`');
  const day = w.day(ev.grid, at);
  if (order.respondedAt === undefined) {
    order.respondedAt = at;
    // Counted once: on time now, or already counted late when its deadline passed.
    if (at <= order.ackDeadline) {
      day.firstResponseDue++;
      day.firstResponseMet++;
    }
  }
  if (msg.outcome === 'reached' && order.contactedAt === undefined) {
    order.contactedAt = at;
    if (at <= order.contactDeadline) {
      day.contactDue++;
      day.contactMet++;
    }
  }
  order.contact = {
    channel: msg.channel as ContactChannel,
    outcome: msg.outcome as ContactOutcome,
    by: msg.by,
  };
  w.dispatcher(ev, 'contacted', at, msg.by, msg.text);
  return undefined;
}

/**
 * `plan {at, scenario, complaint?, reason?}`: the first plan of a work order is its promise to the
 * customer; moving it needs a reason and counts. Without `complaint` it is the plan of every work
 * order of the event. Checked whole before anything changes.
 */
export function plan(w: World, ev: EventState, msg: Command, at: number): Failure | undefined {
  const p = msg.plan!;
  const planned = Date.parse(p.at);
  const orders =
    msg.complaint === undefined ? [...(ev.workOrders?.values() ?? [])] : [ev.workOrders?.get(msg.complaint)];
  if (orders.some((o) => o === undefined))
    return badRequest(`no work order ${msg.complaint} in event ${ev.id}`);
  const moved = orders.filter((o) => o!.promise !== undefined && o!.promise.at !== planned);
  if (moved.length && !msg.reason)
    return badRequest(
      `moving a promise made to a customer needs a \`reason\` (${moved.map((o) => o!.complaint).join(', ')})`,
    );
  const day = w.day(ev.grid, at);
  for (const order of orders as WorkOrderState[]) {
    order.scenario = p.scenario;
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
  ev.plan = { at: p.at, scenario: p.scenario };
  w.dispatcher(ev, 'planned', at, msg.by, msg.reason);
  return undefined;
}

/** `defer {reason, note}`: the event may wait; it leaves the active board until new evidence joins it. */
export function defer(w: World, ev: EventState, msg: Command, at: number): Failure | undefined {
  if (ev.state === 'deferred')
    return { code: 'CADRE_ERR_CONFLICT', message: `event ${ev.id} is deferred already` };
  ev.state = 'deferred';
  ev.deferReason = msg.reason as DeferReason;
  w.day(ev.grid, at).deferred++;
  w.dispatcher(ev, 'deferred', at, msg.by, msg.text);
  return undefined;
}

/**
 * New evidence joined a deferred event: it is open again, and a deadline that passed while it waited
 * falls due now (the wait was a decision, the new evidence is a new fact).
 */
export function resume(w: World, ev: EventState, at: number): void {
  ev.state = 'open';
  delete ev.deferReason;
  if (!ev.ackEscalated && ev.ackDeadline < at) {
    ev.ackDeadline = at;
    w.setTimer('ack', at, ev.id);
  }
  if (!ev.deadlineEscalated && ev.deadline < at) {
    ev.deadline = at;
    w.setTimer('deadline', at, ev.id);
  }
  w.mark(ev, 'resumed', at);
}

/**
 * `satisfaction {complaint, satisfied}`: the customer's answer, counted once. A dissatisfied answer
 * about a resolved event reopens the problem: the grid's complaint event (a new one if none is active,
 * `reopenOf` the old one), at least `deal.reopenLevel`, with the complaint's work order anew.
 */
export function satisfaction(w: World, ev: EventState, msg: Command, at: number): Failure | undefined {
  const order = msg.complaint === undefined ? undefined : ev.workOrders?.get(msg.complaint);
  if (!order || msg.satisfied === undefined)
    return badRequest("satisfaction needs `satisfied` and the `complaint` of one of the event's work orders");
  if (order.satisfied !== undefined) return undefined; // the first answer stands
  order.satisfied = msg.satisfied;
  const day = w.day(ev.grid, at);
  if (msg.satisfied) day.satisfied++;
  else day.dissatisfied++;
  if (ev.state !== 'resolved') {
    if (ev.state !== 'cleared') w.dispatcher(ev, 'updated', at, msg.by, msg.text);
    return undefined;
  }
  if (msg.satisfied) return undefined;
  const rules = w.rules;
  // The same customer about the same problem again: a repeat complaint, one level up (and its first response).
  const level = maxLevel(rules.deal.reopenLevel, raiseLevel(rules.complaint.tierLevels[order.tier]));
  const ackIn = w.capped(ev.grid, rules.complaint.ackDeadline[order.tier === 1 ? 'tier1' : 'repeat']);
  let reopened = w.activeOf(ev.grid, 'complaint');
  if (!reopened)
    reopened = w.open(
      ev.grid,
      'complaint',
      level,
      at,
      w.capped(ev.grid, rules.complaint.deadline[order.tier]),
      ackIn,
    );
  else w.lift(reopened, level, at);
  reopened.reopenOf ??= ev.id;
  w.addEvidence(reopened, 'complaints', [order.complaint], at);
  const again: WorkOrderState = {
    complaint: order.complaint,
    customer: order.customer,
    tier: order.tier,
    receivedAt: at,
    ackDeadline: at + ackIn,
    contactDeadline: at + w.capped(ev.grid, rules.deal.contactWithin),
  };
  if (order.phone !== undefined) again.phone = order.phone;
  reopened.workOrders?.delete(order.complaint);
  openOrder(w, reopened, again, at);
  w.setTitle(reopened, reopened.complaints.size, at);
  return undefined;
}

/**
 * `handover {owner: city|province, reason}`: grid first, then up (80/20) — the grid's team owns an
 * event until it is handed up with a reason; only up, never back. The share of events that ended
 * with their grid is a scorecard figure.
 */
export function handover(w: World, ev: EventState, msg: Command, at: number): Failure | undefined {
  const owner = msg.owner as Owner | undefined;
  if (!owner || !msg.reason) return badRequest('handover needs `owner` (city or province) and a `reason`');
  if (ev.owner === owner || (ev.owner === 'province' && owner === 'city'))
    return { code: 'CADRE_ERR_CONFLICT', message: `event ${ev.id} is owned by the ${ev.owner} already` };
  ev.owner = owner;
  w.dispatcher(ev, 'handedOver', at, msg.by, msg.reason);
  return undefined;
}

const badRequest = (message: string): Failure => ({ code: 'CADRE_ERR_BAD_REQUEST', message });
