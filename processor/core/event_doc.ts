/**
 * An event's state as the contract writes it: its transitions and its document, keys in a stable
 * order so that the JSON is byte-stable.
 */
import type { EventTransition, WorkOrder } from '../../shared/schemas.js';
import { VIEW_LIMITS } from '../../shared/views.js';
import { formatTime } from '../../shared/time.js';
import type { EventState, WorkOrderState } from './state.js';

/** The event's current state as a document: its latest transition. */
export function docOf(ev: EventState): EventTransition {
  return transitionOf(ev, ev.last ?? { transition: 'opened', at: ev.openedAt });
}

/**
 * An event's times repeat on every transition, an alarm's on every grid document: their text is
 * remembered (a bounded cache of a pure function, so it cannot change any output).
 */
const isoCache = new Map<number, string>();
export function iso(ms: number): string {
  let text = isoCache.get(ms);
  if (text === undefined) {
    if (isoCache.size >= 10_000) isoCache.clear();
    isoCache.set(ms, (text = formatTime(ms)));
  }
  return text;
}

/** Keys in the contract's order, then the extensions, so the JSON is byte-stable. */
export function transitionOf(
  ev: EventState,
  { transition, at, by, text, levelFrom }: NonNullable<EventState['last']>,
): EventTransition {
  const t: EventTransition = {
    kind: 'event',
    id: ev.id,
    seq: ev.seq,
    transition,
    grid: ev.grid,
    city: ev.city,
    rule: ev.rule,
    level: ev.level,
    state: ev.state,
    title: ev.title,
    openedAt: iso(ev.openedAt),
    at: iso(at),
    ackDeadline: iso(ev.ackDeadline),
    deadline: iso(ev.deadline),
    tracking: ev.tracking,
    escalationStep: ev.escalationStep,
    evidence: {
      alarms: firstOf(ev.alarms),
      complaints: firstOf(ev.complaints),
      elements: firstOf(ev.elements),
    },
    titleParts: ev.titleParts,
  };
  const { alarms, complaints, elements } = ev;
  if (Math.max(alarms.size, complaints.size, elements.size) > VIEW_LIMITS.evidence)
    t.evidenceTotal = { alarms: alarms.size, complaints: complaints.size, elements: elements.size };
  if (ev.assignee !== undefined) t.assignee = ev.assignee;
  if (ev.plan !== undefined) t.plan = ev.plan;
  if (by !== undefined) t.by = by;
  if (text !== undefined) t.text = text;
  if (ev.workOrders) t.workOrders = workOrdersOf(ev.workOrders);
  if (ev.resolvePending) t.resolvePending = true;
  if (ev.unrelated) {
    t.unrelated = ev.unrelated;
    if (ev.resolveReason !== undefined) t.reason = ev.resolveReason;
  }
  if (ev.deferReason !== undefined) t.deferReason = ev.deferReason;
  if (ev.reopenOf !== undefined) t.reopenOf = ev.reopenOf;
  if (ev.owner !== undefined) t.owner = ev.owner;
  if (ev.incident !== undefined) t.incident = ev.incident;
  if (levelFrom !== undefined) t.levelFrom = levelFrom;
  return t;
}

/** The first VIEW_LIMITS.evidence work orders, as the contract writes them (the phone's last four digits only). */
function workOrdersOf(orders: Map<string, WorkOrderState>): WorkOrder[] {
  const out: WorkOrder[] = [];
  for (const o of orders.values()) {
    const v: WorkOrder = {
      complaint: o.complaint,
      customer: o.customer,
      tier: o.tier,
      receivedAt: iso(o.receivedAt),
      ackDeadline: iso(o.ackDeadline),
      contactDeadline: iso(o.contactDeadline),
    };
    if (o.phone !== undefined) v.phone4 = o.phone.replace(/\D/g, '').slice(-4);
    if (o.contactedAt !== undefined) v.contactedAt = iso(o.contactedAt);
    if (o.contact) v.contact = { ...o.contact };
    if (o.scenario !== undefined) v.scenario = o.scenario;
    if (o.promise) v.promise = { at: iso(o.promise.at), moves: o.promise.moves };
    if (o.promiseBroken) v.promiseBroken = true;
    if (o.satisfied !== undefined) v.satisfied = o.satisfied;
    if (out.push(v) >= VIEW_LIMITS.evidence) break;
  }
  return out;
}

/** The first VIEW_LIMITS.evidence ids: the root of a problem joins its evidence first. */
function firstOf(ids: Set<string>): string[] {
  if (ids.size <= VIEW_LIMITS.evidence) return [...ids];
  const out: string[] = [];
  for (const id of ids) if (out.push(id) >= VIEW_LIMITS.evidence) break;
  return out;
}
