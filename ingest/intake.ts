/**
 * The processor's gate for messages that reached CADRE_IN without HTTP ingest's validation: parse,
 * normalize by the subject's type, and send what fails to the dead-letter stream with its reason.
 * It runs for every message of the input log, so the accepted path is JSON.parse plus the compiled
 * schema check and nothing else.
 *
 * Why DLQ writes are JetStream publishes that are not awaited inline: the gate stays synchronous
 * (the consumer callback is never held up by a rare reject), yet nothing is lost silently. Every
 * DLQ publish is tracked until its PubAck; a failure is counted
 * (`cadre_dlq_published_total{outcome="failed"}`) and logged, and `flush()` — which the processor
 * awaits before it acks or checkpoints a batch — rejects, so the batch is redelivered and the
 * reject written again. `Nats-Msg-Id` = the original's stream sequence makes that rewrite a no-op
 * when the first attempt did land. A core publish would have been cheaper but is silently dropped
 * when no stream answers, which the contract ("never lost, counted") does not allow.
 */
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { CadreError, reasonLabel, reject as makeReject, type Reject } from '../shared/errors.js';
import { HEADERS, STREAMS, subjects, typeOfSubject } from '../shared/subjects.js';
import { INPUT_TYPES, type InputType } from '../shared/schemas.js';
import { dlqPublishedTotal, rejectedTotal } from '../shared/metrics.js';
import { normalize, parseJson, type Input } from './normalize.js';
import type { Topology } from '../config/topology.js';

/** What intake needs of a JetStream message (a `JsMsg` fits; replay and tests may pass plain objects). */
export interface RawMessage {
  subject: string;
  /** Stream sequence in CADRE_IN. */
  seq: number;
  data: Uint8Array;
  /** When the broker stored it (epoch ms): live, absurd times are judged against this arrival. */
  storedAt?: number;
}

export interface IntakeOptions {
  nc: NatsConnection;
  topology: Topology;
  /** Where DLQ write failures are reported (besides the metric). */
  log?: (line: string) => void;
}

export interface Intake {
  /** The message's normalized input, or null after sending it to the DLQ. */
  accept(msg: RawMessage): Input | null;
  /** Dead-letters a message the processor itself refuses (e.g. a time outside the accepted range). */
  reject(msg: RawMessage, why: Reject): void;
  /**
   * Resolves once every DLQ write started so far is stored; rejects (CADRE_ERR_UNAVAILABLE) when any
   * failed. Await it before acking or checkpointing the messages it covers.
   */
  flush(): Promise<void>;
  /** DLQ writes not yet acknowledged. */
  readonly pending: number;
}

const KNOWN_TYPES = new Set<string>(INPUT_TYPES);
/** Header values may not hold line breaks, and a reason longer than this helps nobody. */
const MAX_REASON = 1000;

export function createIntake(options: IntakeOptions): Intake {
  const js: JetStreamClient = jetstream(options.nc);
  const log = options.log ?? ((line: string) => console.error(line));
  const decoder = new TextDecoder();
  // Few distinct subjects (types × cities): resolve each one's type once.
  const typeBySubject = new Map<string, InputType | undefined>();
  const inFlight = new Set<Promise<void>>();
  let failures = 0;

  const typeOf = (subject: string): InputType | undefined => {
    if (typeBySubject.has(subject)) return typeBySubject.get(subject);
    const token = typeOfSubject(subject);
    const type = token !== undefined && KNOWN_TYPES.has(token) ? (token as InputType) : undefined;
    if (typeBySubject.size < 10_000) typeBySubject.set(subject, type);
    return type;
  };

  const deadLetter = (msg: RawMessage, type: string, why: Reject): void => {
    rejectedTotal.inc({ type, reason: reasonLabel(why.code) });
    const h = headers();
    h.set(HEADERS.rejectReason, why.reason.replace(/[\r\n]+/g, ' ').slice(0, MAX_REASON));
    h.set(HEADERS.rejectCode, why.code);
    h.set(HEADERS.originalSubject, msg.subject);
    h.set(HEADERS.originalSeq, String(msg.seq));
    const write = js
      .publish(subjects.dlq(type), msg.data, { headers: h, msgID: `${STREAMS.input.name}:${msg.seq}` })
      .then(
        () => void dlqPublishedTotal.inc({ type, outcome: 'stored' }),
        (err: Error) => {
          failures++;
          dlqPublishedTotal.inc({ type, outcome: 'failed' });
          log(`cadre intake: could not dead-letter ${msg.subject} #${msg.seq} (${why.code}): ${err.message}`);
        },
      )
      .finally(() => inFlight.delete(write));
    inFlight.add(write);
  };

  return {
    accept(msg) {
      const type = typeOf(msg.subject);
      if (!type) {
        deadLetter(
          msg,
          'unknown',
          makeReject('CADRE_ERR_UNKNOWN_TYPE', `no input type in subject ${msg.subject}`),
        );
        return null;
      }
      const parsed = parseJson(decoder.decode(msg.data));
      if (!parsed.ok) {
        deadLetter(msg, type, parsed.reject);
        return null;
      }
      const result = normalize(parsed.value, type, options.topology);
      if (result.ok) {
        const input = result.input;
        if (
          msg.storedAt !== undefined &&
          (input.type === 'alarm' ||
            input.type === 'kpi' ||
            input.type === 'complaint' ||
            input.type === 'command')
        )
          input.arrival = msg.storedAt;
        return input;
      }
      deadLetter(msg, type, result.reject);
      return null;
    },
    reject(msg, why) {
      deadLetter(msg, typeOf(msg.subject) ?? 'unknown', why);
    },
    async flush() {
      while (inFlight.size) await Promise.all(inFlight);
      if (failures) {
        const count = failures;
        failures = 0;
        throw new CadreError(
          'CADRE_ERR_UNAVAILABLE',
          `${count} rejected message(s) could not be written to ${STREAMS.dlq.name}`,
        );
      }
    },
    get pending() {
      return inFlight.size;
    },
  };
}
