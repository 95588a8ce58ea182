/**
 * A dispatcher action as a `command` input: subscribe to the reply subject first (so a fast processor
 * cannot answer before anyone listens), publish the command into CADRE_IN with its dedup id, and wait
 * for the processor's CommandReply. The command is signed with the command key (shared/command_signature.ts):
 * it says who sent it in a form the processor checks. No answer in time is a 503: the command may still apply later.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { CadreError } from '../shared/errors.js';
import type { Command } from '../shared/schemas.js';
import { messageId, subjects } from '../shared/subjects.js';
import { CommandReplySchema, type CommandReply } from '../shared/views.js';
import { compile, decodeChecked, type CheckLog } from '../shared/validate.js';
import { signInput, type CommandKeys } from '../shared/command_signature.js';

const COMMAND_REPLY = compile(CommandReplySchema);

export async function sendCommand(
  nc: NatsConnection,
  js: JetStreamClient,
  command: Command,
  city: string,
  timeoutMs: number,
  /** The command key (cadre.yaml `commands`): the processor refuses an unsigned command. */
  keys: CommandKeys | undefined,
  /** Where a reply that is not a CommandReply is said to be skipped (the wait goes on for a real one). */
  log?: CheckLog,
): Promise<CommandReply> {
  const sub = nc.subscribe(subjects.commandReply(command.id));
  let timer: NodeJS.Timeout | undefined;
  try {
    const reply = (async () => {
      for await (const m of sub) {
        const answer = decodeChecked(m, COMMAND_REPLY, log);
        if (answer) return answer;
      }
      return undefined;
    })();
    const timeout = new Promise<undefined>(
      (resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)),
    );
    await nc.flush();
    try {
      const body = keys ? signInput('command', command, keys) : command;
      await js.publish(subjects.input('command', city), JSON.stringify(body), {
        msgID: messageId('command', command),
        timeout: timeoutMs,
      });
    } catch (err) {
      throw new CadreError(
        'CADRE_ERR_UNAVAILABLE',
        `The input log did not take the command: ${(err as Error).message}`,
      );
    }
    const answer = await Promise.race([reply, timeout]);
    if (!answer)
      throw new CadreError('CADRE_ERR_UNAVAILABLE', `No processor answered within ${timeoutMs} ms`);
    return answer;
  } finally {
    clearTimeout(timer);
    sub.unsubscribe();
  }
}
