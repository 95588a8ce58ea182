/**
 * The JetStream plumbing the notifier's stages share: durable pull consumers that survive restarts
 * (their ack state is the delivery state), a consume loop with bounded concurrency, and the
 * give-up path into CADRE_NOTIFY_FAILED.
 */
import { headers } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type ConsumerInfo,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { subjects } from '../shared/subjects.js';
import { FAILED_HEADERS, type NotifyTask } from './task.js';

export interface DurableSpec {
  stream: string;
  name: string;
  filter: string;
  /** How long a delivered message may stay unacknowledged before the server offers it again. */
  ackWaitMs: number;
  /** Where a newly created consumer starts (the notifier's router: new transitions only). */
  deliverNew?: boolean;
}

/** Many tasks may wait in back-off at once; a low limit would let one dead receiver stall the rest. */
const MAX_ACK_PENDING = 100_000;

/** Creates the durable consumer, or brings its ack wait in line with the config. */
export async function ensureDurable(jsm: JetStreamManager, spec: DurableSpec): Promise<void> {
  const ackWait = nanos(spec.ackWaitMs);
  let info = await consumerInfo(jsm, spec);
  if (!info) {
    try {
      await jsm.consumers.add(spec.stream, {
        durable_name: spec.name,
        filter_subject: spec.filter,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: spec.deliverNew ? DeliverPolicy.New : DeliverPolicy.All,
        ack_wait: ackWait,
        max_deliver: -1, // the senders give up themselves, after the last retry delay
        max_ack_pending: MAX_ACK_PENDING,
      });
      return;
    } catch (err) {
      info = await consumerInfo(jsm, spec); // another process created it first
      if (!info) throw err;
    }
  }
  if (info.config.ack_wait !== ackWait)
    await jsm.consumers.update(spec.stream, spec.name, { ack_wait: ackWait });
}

async function consumerInfo(jsm: JetStreamManager, spec: DurableSpec): Promise<ConsumerInfo | undefined> {
  try {
    return await jsm.consumers.info(spec.stream, spec.name);
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound) return undefined;
    throw err;
  }
}

export interface Consuming {
  /** Stops pulling and waits for the messages being handled. */
  stop(): Promise<void>;
}

/**
 * Hands each message of a durable consumer to `handle`, at most `concurrency` at once. A handler
 * that throws leaves its message unacknowledged: the server offers it again after the ack wait.
 */
export async function consumeDurable(
  js: JetStreamClient,
  spec: Pick<DurableSpec, 'stream' | 'name'>,
  concurrency: number,
  handle: (m: JsMsg) => Promise<void>,
  log: (line: string) => void,
): Promise<Consuming> {
  const consumer = await js.consumers.get(spec.stream, spec.name);
  const messages = await consumer.consume({ max_messages: concurrency });
  const inFlight = new Set<Promise<void>>();
  const loop = (async () => {
    for await (const m of messages) {
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
      const handling: Promise<void> = handle(m)
        .catch((err: Error) => log(`${spec.name}: message ${m.seq} not handled: ${err.message}`))
        .finally(() => inFlight.delete(handling));
      inFlight.add(handling);
    }
  })();
  return {
    async stop() {
      await messages.close();
      await loop;
      await Promise.all(inFlight);
    },
  };
}

/** Keeps a task that will not be delivered in CADRE_NOTIFY_FAILED, with the reason and attempts. */
export async function keepFailed(
  js: JetStreamClient,
  task: NotifyTask,
  error: string,
  attempts: number,
): Promise<void> {
  const h = headers();
  h.set(FAILED_HEADERS.error, error);
  h.set(FAILED_HEADERS.attempts, String(attempts));
  await js.publish(subjects.notifyFailed(task.channel), JSON.stringify(task), { headers: h, msgID: task.id });
}
