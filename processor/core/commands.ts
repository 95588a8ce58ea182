/**
 * Dispatcher commands (ack, assign, comment, plan, resolve) as inputs: each gives a transition and a
 * reply. Role and city checks are the gateway's; the core checks the event's state and the rules.
 */
import type { CommandInput } from '../../ingest/normalize.js';
import { ERRORS, type ErrorCode } from '../../shared/errors.js';
import type { CommandReply } from '../../shared/views.js';
import { isEnded, type EventState } from './state.js';
import { docOf, type World } from './world.js';

const fail = (code: ErrorCode, message: string = ERRORS[code].message, alarms?: string[]): CommandReply =>
  alarms ? { ok: false, code, message, alarms } : { ok: false, code, message };

export function applyCommand(w: World, input: CommandInput): CommandReply {
  const { msg, time: at } = input;
  const ev = w.event(msg.event);
  if (!ev) return fail('CADRE_ERR_UNKNOWN_EVENT', `no event ${msg.event}`);
  if (isEnded(ev)) return fail('CADRE_ERR_CONFLICT', `event ${ev.id} is ${ev.state}`);
  switch (msg.action) {
    case 'ack':
      // Acknowledging twice is harmless: the first acknowledgement stands.
      if (ev.state === 'acknowledged') break;
      ev.state = 'acknowledged';
      if (!ev.acked) {
        ev.acked = true;
        const day = w.day(ev.grid, at);
        day.ackMinutes += (at - ev.openedAt) / 60_000;
        day.acked++;
      }
      w.dispatcher(ev, 'acknowledged', at, msg.by);
      break;
    case 'assign':
      if (!msg.to) return fail('CADRE_ERR_BAD_REQUEST', 'assign needs `to`');
      ev.assignee = msg.to;
      w.dispatcher(ev, 'assigned', at, msg.by);
      break;
    case 'comment':
      if (!msg.text) return fail('CADRE_ERR_BAD_REQUEST', 'comment needs `text`');
      w.dispatcher(ev, 'commented', at, msg.by, msg.text);
      break;
    case 'plan':
      if (!msg.plan) return fail('CADRE_ERR_BAD_REQUEST', 'plan needs `plan: {at, scenario}`');
      ev.plan = { at: msg.plan.at, scenario: msg.plan.scenario };
      w.dispatcher(ev, 'planned', at, msg.by);
      break;
    case 'resolve': {
      const uncleared = unclearedAlarms(w, ev);
      if (uncleared.length)
        return fail('CADRE_ERR_CONFLICT', `${uncleared.length} evidence alarm(s) not cleared yet`, uncleared);
      w.end(ev, 'resolved', at, msg.by, msg.text);
      break;
    }
  }
  w.endStep();
  return { ok: true, event: docOf(ev) };
}

/** Evidence alarms still active in the grid: an event may be resolved only once they have all cleared. */
export function unclearedAlarms(w: World, ev: EventState): string[] {
  const active = w.grids.get(ev.grid)?.alarms;
  return active ? [...ev.alarms].filter((id) => active.has(id)) : [];
}
