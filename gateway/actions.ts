/**
 * A desk's action on an event or an incident, one way for both: the body of each action and how it
 * becomes the command's fields, and the sending — who may act, the command through the input log
 * (gateway/commands.ts), the processor's refusal as the error of its code, and one audit line per
 * outcome. The routes (routes_events.ts, routes_incidents.ts) add what differs: which actions, when
 * the target has ended, and applying the answer to the read model.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { CadreError, ERRORS, type ErrorCode } from '../shared/errors.js';
import type { Action, Command, IncidentTransition } from '../shared/schemas.js';
import { formatTime } from '../shared/time.js';
import type { EventDoc } from '../shared/views.js';
import { sendCommand } from './commands.js';
import type { GatewayContext } from './context.js';
import { canActOn } from './principal.js';

export const Note = Type.Optional(Type.String({ maxLength: 4000 }));

/** The actions events and incidents both take, with the same body. */
export const COMMON_ACTIONS = {
  ack: { body: Type.Object({}), fields: () => ({}) },
  assign: {
    body: Type.Object({ to: Type.String({ minLength: 1, maxLength: 256 }) }),
    fields: (b: { to: string }) => ({ to: b.to }),
  },
  comment: {
    body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 4000 }) }),
    fields: (b: { text: string }) => ({ text: b.text }),
  },
} as const;

/** What an action is on; both ids go in the command's `event`. */
export interface ActionTarget<K extends 'event' | 'incident'> {
  kind: K;
  id: string;
  city: string;
  /** Why it takes no more actions (it has ended), or undefined. */
  ended?: string;
}

type Answer<K> = K extends 'event' ? EventDoc : IncidentTransition;

/** Sends `action` on `target` as one command and answers what the processor made of the target. */
export async function sendAction<K extends 'event' | 'incident'>(
  ctx: GatewayContext,
  request: FastifyRequest,
  target: ActionTarget<K>,
  action: Action,
  fields: Partial<Command>,
): Promise<Answer<K>> {
  const { kind, id, city } = target;
  const who = request.principal;
  if (!canActOn(who, city, action))
    throw new CadreError('CADRE_ERR_FORBIDDEN', `${who.name} may not act on ${kind}s of ${city}`);
  const command: Command = {
    type: 'command',
    id: randomUUID(),
    action,
    event: id,
    by: who.name,
    time: formatTime(ctx.now()),
    ...fields,
  };
  const audit = { by: who.name, role: who.role, action, [kind]: id, command: command.id };
  if (target.ended) {
    request.log.info(
      { audit: { ...audit, outcome: 'conflict' } },
      `${kind} action refused: ${kind} has ended`,
    );
    throw new CadreError('CADRE_ERR_CONFLICT', target.ended, { alarms: [] });
  }
  const reply = await sendCommand(
    ctx.nc,
    ctx.js,
    command,
    city,
    ctx.commandTimeoutMs,
    ctx.commandKeys,
    request.log,
  ).catch((err: unknown) => {
    request.log.info({ audit: { ...audit, outcome: 'unanswered' } }, `${kind} action not answered`);
    throw err;
  });
  if (!reply.ok) {
    request.log.info({ audit: { ...audit, outcome: reply.code } }, `${kind} action refused by the processor`);
    const code: ErrorCode = reply.code in ERRORS ? (reply.code as ErrorCode) : 'CADRE_ERR_CONFLICT';
    throw new CadreError(code, reply.message, reply.alarms ? { alarms: reply.alarms } : undefined);
  }
  // An event's id is never an incident's: the processor answers with what the command was on.
  const answer = 'event' in reply ? reply.event : reply.incident;
  if (answer.kind !== kind)
    throw new CadreError(
      'CADRE_ERR_UNAVAILABLE',
      `${id} was answered as ${kind === 'event' ? 'an incident' : 'an event'}`,
    );
  request.log.info({ audit: { ...audit, outcome: 'applied', seq: answer.seq } }, `${kind} action`);
  return answer as Answer<K>;
}
