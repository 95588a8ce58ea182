/**
 * Follows a stream with an ordered consumer that is made again, from the sequence after the last
 * message handled, when its connection reconnects or its consumer misses two heartbeats. An ordered
 * consumer lives on one server: after that cluster node was lost, nats.js 3.4's own re-creation
 * could pull nothing for good, and a screen then missed every later transition (the cluster roles
 * test: one gateway's screen never showed a complaint stored on CADRE_EVENTS). The processor's feeder
 * does the same for CADRE_IN (processor/feeder_worker.ts).
 */
import { DeliverPolicy, type ConsumerMessages, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { withBackOff } from '../broker/broker_waits.js';

export interface StreamFollow {
  stop(): Promise<void>;
}

export async function followStream(
  nc: NatsConnection,
  js: JetStreamClient,
  options: {
    stream: string;
    filter?: string;
    /** The first sequence to hand over. */
    startSeq: number;
    onMessage: (m: JsMsg) => void;
    log?: { warn(obj: object, msg: string): void };
  },
): Promise<StreamFollow> {
  const { stream, filter, onMessage } = options;
  const log = (line: string) => options.log?.warn({ stream }, line);
  let next = options.startSeq;
  let current: ConsumerMessages | undefined;
  let stopped = false;
  let reopening = false;

  const open = async (): Promise<void> => {
    const consumer = await js.consumers.get(stream, {
      ...(filter ? { filter_subjects: filter } : {}),
      ...(next > 1 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: next } : {}),
    });
    const messages = await consumer.consume({
      // Pulls renewed every 5 s (heartbeats every 2.5 s): a consumer lost with its node shows within seconds.
      expires: 5000,
      callback: (m) => {
        next = m.info.streamSequence + 1;
        onMessage(m);
      },
    });
    current = messages;
    void (async () => {
      for await (const s of messages.status())
        if (s.type === 'heartbeats_missed' && s.count >= 2) return reopen('its consumer stopped answering');
    })();
  };

  const reopen = async (why: string): Promise<void> => {
    if (stopped || reopening) return;
    reopening = true;
    log(`${stream}: following again from sequence ${next} (${why})`);
    try {
      await current?.stop();
      await withBackOff(250, open, (err, delay) => {
        if (stopped) throw err;
        log(`${stream}: ${(err as Error).message}; retrying in ${delay} ms`);
      });
    } catch {
      // stopped meanwhile
    } finally {
      reopening = false;
    }
  };

  await open();
  void (async () => {
    for await (const s of nc.status()) {
      if (stopped) return; // a stopped follower leaves the connection's status alone
      if (s.type === 'reconnect') void reopen('its connection was lost and made again');
    }
  })();
  return {
    async stop() {
      stopped = true;
      await current?.stop();
    },
  };
}
