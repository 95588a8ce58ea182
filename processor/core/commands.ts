/**
 * Dispatcher commands (ack, assign, comment, plan, resolve; Deal's contact, defer, satisfaction) as inputs: each gives a transition and a
 * reply. Role and city checks are the gateway's; the core checks the event's state and the rules.
 */
import type { CommandInput } from '../../contract/normalize.js';
import { ERRORS, type ErrorCode } from '../../shared/errors.js';
import type { CommandReply } from '../../shared/views.js';
import { DEFER_REASONS, type Command, type RuleName } from '../../shared/schemas.js';
import { acknowledged, contact, defer, handover, plan, satisfaction } from './deal.js';
import { endIncident, incidentDocOf, markIncident, type IncidentState } from './incidents.js';
import { isEnded, type EventState, type GridState } from './state.js';
import { docOf } from './event_doc.js';
import type { World } from './world.js';

const fail = (code: ErrorCode, message: string = ERRORS[code].message, alarms?: string[]): CommandReply =>
  alarms ? { ok: false, code, message, alarms } : { ok: false, code, message };

export function applyCommand(w: World, input: CommandInput): CommandReply {
  const { msg, time: at } = input;
  const incident = w.incidents.get(msg.event);
  if (incident) return applyIncidentCommand(w, incident, msg, at);
  const ev = w.event(msg.event);
  if (!ev) return fail('CADRE_ERR_UNKNOWN_EVENT', `no event ${msg.event}`);
  // The customer's answer comes after the resolution, by design (deal.ts).
  if (isEnded(ev) && msg.action !== 'satisfaction')
    return fail('CADRE_ERR_CONFLICT', `event ${ev.id} is ${ev.state}`);
  const failure = act(w, ev, msg, at);
  if (failure) return fail(failure.code, failure.message, failure.alarms);
  w.endStep();
  return { ok: true, event: docOf(ev) };
}

type Failure = { code: ErrorCode; message: string; alarms?: string[] };

const INCIDENT_ACTIONS: readonly Command['action'][] = ['ack', 'assign', 'comment', 'resolve'];

/**
 * ack / assign / comment / resolve of an incident: one command that acts on the incident and on
 * every active event in it (each event's history has it). A resolve needs every event's evidence
 * alarms cleared, and answers 409 with all that are not.
 */
function applyIncidentCommand(w: World, inc: IncidentState, msg: Command, at: number): CommandReply {
  if (inc.state === 'resolved' || inc.state === 'cleared')
    return fail('CADRE_ERR_CONFLICT', `incident ${inc.id} is ${inc.state}`);
  if (!INCIDENT_ACTIONS.includes(msg.action))
    return fail(
      'CADRE_ERR_BAD_REQUEST',
      `an incident takes ${INCIDENT_ACTIONS.join(', ')}, not ${msg.action}`,
    );
  if (msg.action === 'assign' && !msg.to) return fail('CADRE_ERR_BAD_REQUEST', 'assign needs `to`');
  if (msg.action === 'comment' && !msg.text) return fail('CADRE_ERR_BAD_REQUEST', 'comment needs `text`');
  const members = [...inc.events].map((id) => w.active.get(id)).filter((ev) => ev !== undefined);
  if (msg.action === 'resolve') {
    const uncleared = members.flatMap((ev) => unclearedAlarms(w, ev));
    if (uncleared.length)
      return fail('CADRE_ERR_CONFLICT', `${uncleared.length} evidence alarm(s) not cleared yet`, uncleared);
  }
  // A member that cannot take it (a deferred one asked to ack) keeps its state; the rest do.
  for (const ev of members) act(w, ev, msg, at);
  switch (msg.action) {
    case 'ack':
      if (inc.state === 'open') inc.state = 'acknowledged';
      markIncident(w, inc, 'acknowledged', at, msg.by);
      break;
    case 'assign':
      inc.assignee = msg.to;
      markIncident(w, inc, 'assigned', at, msg.by);
      break;
    case 'comment':
      markIncident(w, inc, 'commented', at, msg.by, msg.text);
      break;
    default:
      endIncident(w, inc, 'resolved', at, msg.by, msg.text);
  }
  w.endStep();
  return { ok: true, incident: incidentDocOf(w, inc) };
}

function act(w: World, ev: EventState, msg: Command, at: number): Failure | undefined {
  switch (msg.action) {
    case 'ack':
      // Acknowledging twice is harmless: the first acknowledgement stands.
      if (ev.state === 'acknowledged') return undefined;
      if (ev.state === 'deferred') return conflict(`event ${ev.id} is deferred: new evidence brings it back`);
      ev.state = 'acknowledged';
      acknowledged(w, ev, at);
      if (!ev.acked) {
        ev.acked = true;
        const day = w.day(ev.grid, at);
        day.ackMinutes += (at - ev.openedAt) / 60_000;
        day.acked++;
      }
      w.dispatcher(ev, 'acknowledged', at, msg.by);
      return undefined;
    case 'assign':
      if (!msg.to) return badRequest('assign needs `to`');
      ev.assignee = msg.to;
      w.dispatcher(ev, 'assigned', at, msg.by);
      return undefined;
    case 'comment':
      if (!msg.text) return badRequest('comment needs `text`');
      w.dispatcher(ev, 'commented', at, msg.by, msg.text);
      return undefined;
    case 'plan':
      if (!msg.plan) return badRequest('plan needs `plan: {at, scenario}`');
      return plan(w, ev, msg, at);
    case 'resolve':
      return resolve(w, ev, msg, at);
    case 'contact':
      return contact(w, ev, msg, at);
    case 'defer':
      if (!msg.reason || !(DEFER_REASONS as readonly string[]).includes(msg.reason))
        return badRequest(`defer needs a \`reason\`: one of ${DEFER_REASONS.join(', ')}`);
      return defer(w, ev, msg, at);
    case 'satisfaction':
      return satisfaction(w, ev, msg, at);
    case 'handover':
      return handover(w, ev, msg, at);
  }
}

/**
 * `resolve {note}` once every evidence alarm has cleared (409 naming the others); with `unrelated`
 * (and a `reason`) those alarms are not waited for; with `when: "cleared"` the event waits for the
 * last one and resolves itself then (settlePending).
 */
function resolve(w: World, ev: EventState, msg: Command, at: number): Failure | undefined {
  const unrelated = msg.unrelated ?? [];
  if (unrelated.length) {
    if (!msg.reason) return badRequest('a resolve that names unrelated alarms needs a `reason`');
    const unknown = unrelated.filter((id) => !ev.alarms.has(id));
    if (unknown.length) return badRequest(`not evidence of ${ev.id}: ${unknown.join(', ')}`);
  }
  const uncleared = unclearedAlarms(w, ev).filter((id) => !unrelated.includes(id));
  if (uncleared.length && msg.when !== 'cleared')
    return {
      code: 'CADRE_ERR_CONFLICT',
      message: `${uncleared.length} evidence alarm(s) not cleared yet`,
      alarms: uncleared,
    };
  if (unrelated.length) {
    ev.unrelated = unrelated;
    ev.resolveReason = msg.reason;
  }
  if (uncleared.length) {
    ev.resolvePending = { by: msg.by, ...(msg.text !== undefined ? { text: msg.text } : {}) };
    w.dispatcher(ev, 'updated', at, msg.by, msg.text);
    return undefined;
  }
  if (unrelated.length) w.day(ev.grid, at).resolvedUnrelated++;
  w.end(ev, 'resolved', at, msg.by, msg.text);
  return undefined;
}

/** An alarm of `grid` cleared: events waiting to resolve when their evidence has cleared may now. */
export function settlePending(w: World, g: GridState, at: number): void {
  // for…in over the grid's few active rules: this runs on every clear, and allocates nothing.
  for (const rule in g.active) {
    const ev = w.active.get(g.active[rule as RuleName]!);
    const pending = ev?.resolvePending;
    if (!ev || !pending) continue;
    const unrelated = ev.unrelated ?? [];
    if (unclearedAlarms(w, ev).some((a) => !unrelated.includes(a))) continue;
    delete ev.resolvePending;
    if (unrelated.length) w.day(ev.grid, at).resolvedUnrelated++;
    w.end(ev, 'resolved', at, pending.by, pending.text);
  }
}

const badRequest = (message: string): Failure => ({ code: 'CADRE_ERR_BAD_REQUEST', message });
const conflict = (message: string): Failure => ({ code: 'CADRE_ERR_CONFLICT', message });

/** Evidence alarms still active in the grid: an event may be resolved only once they have all cleared. */
export function unclearedAlarms(w: World, ev: EventState): string[] {
  const active = w.grids.get(ev.grid)?.alarms;
  return active ? [...ev.alarms].filter((id) => active.has(id)) : [];
}
