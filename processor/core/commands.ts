/**
 * Dispatcher commands (ack, assign, comment, plan, resolve; Deal's contact, defer, satisfaction,
 * handover) as inputs: rules/command.ts decides what each does to its event or incident, this
 * applies it, and each gives a transition and a reply. Role and city checks are the gateway's.
 */
import type { CommandInput } from '../../contract/normalize.js';
import { ERRORS, type ErrorCode } from '../../shared/errors.js';
import type { CommandReply } from '../../shared/views.js';
import type { Command, RuleName } from '../../shared/schemas.js';
import { acknowledged, contact, defer, handover, plan, satisfaction } from './deal.js';
import { endIncident, incidentDocOf, markIncident, type IncidentState } from './incidents.js';
import type { EventState, GridState } from './state.js';
import { docOf } from './event_doc.js';
import { decideCommand, settles, type CommandDecision } from './rules/command.js';
import { decideIncidentCommand } from './rules/incident_command.js';
import type { World } from './world.js';

const fail = (code: ErrorCode, message: string = ERRORS[code].message, alarms?: string[]): CommandReply =>
  alarms ? { ok: false, code, message, alarms } : { ok: false, code, message };

export function applyCommand(w: World, input: CommandInput): CommandReply {
  const { msg, time: at } = input;
  const incident = w.incidents.get(msg.event);
  if (incident) return applyIncidentCommand(w, incident, msg, at);
  const ev = w.event(msg.event);
  if (!ev) return fail('CADRE_ERR_UNKNOWN_EVENT', `no event ${msg.event}`);
  const d = decideCommand(w.rules, ev, msg, w.grids.get(ev.grid)?.alarms);
  if (d.kind === 'refuse') return fail(d.code, d.message, d.alarms);
  act(w, ev, d, msg, at);
  w.endStep();
  return { ok: true, event: docOf(ev) };
}

/**
 * ack / assign / comment / resolve of an incident: one command that acts on the incident and on
 * every active event in it (each event's history has it).
 */
function applyIncidentCommand(w: World, inc: IncidentState, msg: Command, at: number): CommandReply {
  const members = [...inc.events].map((id) => w.active.get(id)).filter((ev) => ev !== undefined);
  const d = decideIncidentCommand(inc, msg, members, w.grids);
  if (d.kind === 'refuse') return fail(d.code, d.message, d.alarms);
  // A member that cannot take it (a deferred one asked to ack) keeps its state; the rest do.
  for (const ev of members) {
    const own = decideCommand(w.rules, ev, msg, w.grids.get(ev.grid)?.alarms);
    if (own.kind !== 'refuse') act(w, ev, own, msg, at);
  }
  switch (d.kind) {
    case 'ack':
      if (inc.state === 'open') inc.state = 'acknowledged';
      markIncident(w, inc, 'acknowledged', at, msg.by);
      break;
    case 'assign':
      inc.assignee = d.to;
      markIncident(w, inc, 'assigned', at, msg.by);
      break;
    case 'comment':
      markIncident(w, inc, 'commented', at, msg.by, d.text);
      break;
    case 'resolve':
      endIncident(w, inc, 'resolved', at, msg.by, msg.text);
  }
  w.endStep();
  return { ok: true, incident: incidentDocOf(w, inc) };
}

/** Applies a decision of rules/command.ts to its event. */
function act(
  w: World,
  ev: EventState,
  d: Exclude<CommandDecision, { kind: 'refuse' }>,
  msg: Command,
  at: number,
): void {
  switch (d.kind) {
    case 'none':
      return;
    case 'ack':
      ev.state = 'acknowledged';
      acknowledged(w, ev, at);
      if (!ev.acked) {
        ev.acked = true;
        const day = w.day(ev.grid, at);
        day.ackMinutes += (at - ev.openedAt) / 60_000;
        day.acked++;
      }
      return w.dispatcher(ev, 'acknowledged', at, msg.by);
    case 'assign':
      ev.assignee = d.to;
      return w.dispatcher(ev, 'assigned', at, msg.by);
    case 'comment':
      return w.dispatcher(ev, 'commented', at, msg.by, d.text);
    case 'plan':
      return plan(w, ev, d, msg, at);
    case 'resolve':
      return resolve(w, ev, d, msg, at);
    case 'contact':
      return contact(w, ev, d, msg, at);
    case 'defer':
      return defer(w, ev, d, msg, at);
    case 'answer':
    case 'reopen':
      return satisfaction(w, ev, d, msg, at);
    case 'handover':
      return handover(w, ev, d, msg, at);
  }
}

/** A resolve: at once, or waiting for its evidence alarms to clear (settlePending). */
function resolve(
  w: World,
  ev: EventState,
  d: Extract<CommandDecision, { kind: 'resolve' }>,
  msg: Command,
  at: number,
): void {
  if (d.unrelated.length) {
    ev.unrelated = d.unrelated;
    ev.resolveReason = msg.reason;
  }
  if (d.reason === 'when-cleared') {
    ev.resolvePending = { by: msg.by, ...(msg.text !== undefined ? { text: msg.text } : {}) };
    return w.dispatcher(ev, 'updated', at, msg.by, msg.text);
  }
  if (d.reason === 'unrelated') w.day(ev.grid, at).resolvedUnrelated++;
  w.end(ev, 'resolved', at, msg.by, msg.text);
}

/** An alarm of `grid` cleared: events waiting to resolve when their evidence has cleared may now. */
export function settlePending(w: World, g: GridState, at: number): void {
  // for…in over the grid's few active rules: this runs on every clear, and allocates nothing.
  for (const rule in g.active) {
    const id = g.active[rule as RuleName];
    const ev = id === undefined ? undefined : w.active.get(id);
    const pending = ev?.resolvePending;
    if (!ev || !pending || !settles(ev, g.alarms)) continue;
    delete ev.resolvePending;
    if (ev.unrelated?.length) w.day(ev.grid, at).resolvedUnrelated++;
    w.end(ev, 'resolved', at, pending.by, pending.text);
  }
}
