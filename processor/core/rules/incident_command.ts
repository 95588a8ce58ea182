/**
 * A dispatcher command on an incident (docs/rules.md "Incidents: one cause, many grids"): ack,
 * assign, comment or resolve act on the incident and on every active event in it. A resolve needs
 * every event's evidence alarms cleared, and is refused with all that are not. Pure: commands.ts
 * does what it decides (each event in it taking the command as rules/command.ts decides for it).
 */
import type { Command } from '../../../shared/schemas.js';
import type { IncidentState } from '../incidents.js';
import type { EventState, GridState } from '../state.js';
import {
  badRequest,
  conflict,
  decideNote,
  unclearedAlarms,
  type NoteDecision,
  type Refusal,
} from './command.js';

export type IncidentCommandDecision =
  Refusal | { kind: 'ack'; reason: 'acknowledged' } | NoteDecision | { kind: 'resolve'; reason: 'cleared' };

const INCIDENT_ACTIONS: readonly Command['action'][] = ['ack', 'assign', 'comment', 'resolve'];
const ACK: IncidentCommandDecision = { kind: 'ack', reason: 'acknowledged' };
const RESOLVE: IncidentCommandDecision = { kind: 'resolve', reason: 'cleared' };

/** Command `msg` on incident `inc`; `members`: its active events; `grids`: for their active alarms. */
export function decideIncidentCommand(
  inc: IncidentState,
  msg: Command,
  members: readonly EventState[],
  grids: ReadonlyMap<string, GridState>,
): IncidentCommandDecision {
  if (inc.state === 'resolved' || inc.state === 'cleared')
    return conflict('ended', `incident ${inc.id} is ${inc.state}`);
  switch (msg.action) {
    case 'ack':
      return ACK;
    case 'assign':
    case 'comment':
      return decideNote(msg);
    case 'resolve': {
      const uncleared = members.flatMap((ev) => unclearedAlarms(ev, grids.get(ev.grid)?.alarms));
      if (!uncleared.length) return RESOLVE;
      return conflict('uncleared', `${uncleared.length} evidence alarm(s) not cleared yet`, uncleared);
    }
    default:
      return badRequest(
        'not-for-incidents',
        `an incident takes ${INCIDENT_ACTIONS.join(', ')}, not ${msg.action}`,
      );
  }
}
