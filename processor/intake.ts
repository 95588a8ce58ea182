/**
 * The processor's gate for messages that reached CADRE_IN without HTTP ingest's validation: parse,
 * normalize by the subject's type, and send what fails to the dead-letter stream with its reason.
 * It runs for every message of the input log, so the accepted path is JSON.parse plus the compiled
 * schema check and nothing else.
 *
 * Why DLQ writes are JetStream publishes that are not awaited inline: the gate stays synchronous
 * (the consumer callback is never held up by a rare reject), yet nothing is lost silently. The
 * rejects of one turn go out together through the windowed shared-inbox publisher (ingest/publish.ts):
 * a js.publish per reject — a request, a promise and a timer each — made a flood of rejects grow
 * memory. Every DLQ write is tracked until its PubAck; a failed one is counted
 * (`cadre_dlq_published_total{outcome="failed"}`), logged, kept and written again with back-off
 * until the stream has it. `settled()` says whether every reject so far is stored: the processor
 * takes no checkpoint past a reject that is not, so with CADRE_DLQ unavailable for a while its
 * checkpoints wait and its outputs go on, and no reject is lost. `Nats-Msg-Id` = the original's
 * stream sequence makes a rewrite a no-op when the first attempt did land. A core publish would have
 * been cheaper but is silently dropped when no stream answers, which the contract ("never lost,
 * counted") does not allow.
 */
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { reasonLabel, reject as makeReject, type Reject } from '../shared/errors.js';
import { HEADERS, STREAMS, cityOfSubject, subjects, typeOfSubject } from '../shared/subjects.js';
import { INPUT_TYPES, type InputType } from '../shared/schemas.js';
import { dlqPublishedTotal, rejectedTotal } from '../shared/metrics.js';
import { normalize, parseJson, type Input } from '../contract/normalize.js';
import type { Topology } from '../config/topology.js';
import { publishWindowed, type PublishItem } from '../broker/publish.js';
import { forgedInput, type CommandKeys } from '../shared/command_signature.js';

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
  /** Commands must carry a signature of one of these keys (shared/command_signature.ts); unchecked without. */
  commandKeys?: CommandKeys;
}

export interface Intake {
  /** The message's normalized input, or null after sending it to the DLQ. */
  accept(msg: RawMessage): Input | null;
  /** Dead-letters a message the processor itself refuses (e.g. a time outside the accepted range). */
  reject(msg: RawMessage, why: Reject): void;
  /**
   * Once the DLQ writes in flight have answered: true when every reject so far is stored, false
   * while some wait to be written again. A checkpoint passes the messages it covers only on true.
   */
  settled(): Promise<boolean>;
  /** DLQ writes not yet acknowledged. */
  readonly pending: number;
}

const KNOWN_TYPES = new Set<string>(INPUT_TYPES);
const MIN_RETRY_DELAY_MS = 100;
const MAX_RETRY_DELAY_MS = 5000;

interface DeadLetter {
  msg: RawMessage;
  type: string;
  why: Reject;
}
/** Header values may not hold line breaks, and a reason longer than this helps nobody. */
const MAX_REASON = 1000;

export function createIntake(options: IntakeOptions): Intake {
  const log = options.log ?? ((line: string) => console.error(line));
  const judge = createGate(options.topology, options.commandKeys);
  const inFlight = new Set<Promise<void>>();
  /** Dead letters whose write failed, written again after `retryDelay`. */
  let failed: DeadLetter[] = [];
  let retryTimer: NodeJS.Timeout | undefined;
  let retryDelay = MIN_RETRY_DELAY_MS;
  const retryLater = () => {
    if (retryTimer) return;
    log(`cadre intake: writing ${failed.length} dead letter(s) again in ${retryDelay} ms`);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      retryDelay = Math.min(retryDelay * 2, MAX_RETRY_DELAY_MS);
      const again = failed;
      failed = [];
      again.forEach(write);
    }, retryDelay);
    retryTimer.unref();
  };

  /** Dead letters waiting for the next batch: the rejects of one feeder batch go out together. */
  let queued: DeadLetter[] = [];
  let unacked = 0;
  const write = (letter: DeadLetter): void => {
    queued.push(letter);
    if (queued.length === 1) setImmediate(() => queued.length && send());
  };
  const send = (): void => {
    const batch = queued;
    queued = [];
    const items = batch.map(({ msg, type, why }): PublishItem => {
      const h = headers();
      h.set(HEADERS.rejectReason, why.reason.replace(/[\r\n]+/g, ' ').slice(0, MAX_REASON));
      h.set(HEADERS.rejectCode, why.code);
      h.set(HEADERS.originalSubject, msg.subject);
      h.set(HEADERS.originalSeq, String(msg.seq));
      return {
        subject: subjects.dlq(type),
        data: msg.data,
        headers: h,
        msgId: `${STREAMS.input.name}:${msg.seq}`,
      };
    });
    unacked += batch.length;
    const done = publishWindowed(options.nc, items)
      // The connection itself failing (closed) fails every item of the batch: they are kept too.
      .catch((error: Error) => batch.map(() => ({ ok: false as const, error })))
      .then((results) =>
        results.forEach((r, i) => {
          const { msg, type, why } = batch[i];
          if (r.ok) {
            dlqPublishedTotal.inc({ type, outcome: 'stored' });
            retryDelay = MIN_RETRY_DELAY_MS;
            return;
          }
          failed.push(batch[i]);
          retryLater();
          dlqPublishedTotal.inc({ type, outcome: 'failed' });
          log(
            `cadre intake: could not dead-letter ${msg.subject} #${msg.seq} (${why.code}): ${r.error.message}`,
          );
        }),
      );
    inFlight.add(done);
    void done.finally(() => {
      inFlight.delete(done);
      unacked -= batch.length;
    });
  };

  const deadLetter = (msg: RawMessage, type: string, why: Reject): void => {
    rejectedTotal.inc({ type, reason: reasonLabel(why.code) });
    // The payload is copied: a view into a feeder batch would keep the whole batch's buffer
    // (~600 KB) alive for as long as the write waits or is retried.
    write({ msg: { subject: msg.subject, seq: msg.seq, data: msg.data.slice() }, type, why });
  };

  return {
    accept(msg) {
      const verdict = judge(msg);
      if (verdict.ok) return verdict.input;
      deadLetter(msg, verdict.type, verdict.reject);
      return null;
    },
    reject(msg, why) {
      deadLetter(msg, typeOfSubject(msg.subject) ?? 'unknown', why);
    },
    async settled() {
      if (queued.length) send(); // not waiting for the next turn: the checkpoint asks now
      while (inFlight.size) await Promise.all(inFlight);
      return failed.length === 0;
    },
    get pending() {
      return queued.length + unacked;
    },
  };
}

/** The gate's verdict on one message: its input, or the reject and the type it is dead-lettered under. */
export type Verdict = { ok: true; input: Input } | { ok: false; type: string; reject: Reject };

/**
 * The gate itself, without the DLQ: parse, normalize by the subject's type, check the subject's city.
 * Pure (the fault suite's checker judges a stored log with it); a few distinct subjects (types ×
 * cities), each resolved once.
 */
export function createGate(topology: Topology, commandKeys?: CommandKeys): (msg: RawMessage) => Verdict {
  const decoder = new TextDecoder();
  const typeBySubject = new Map<string, InputType | undefined>();
  const cityBySubject = new Map<string, string | undefined>();
  const cityOf = (subject: string): string | undefined => {
    if (cityBySubject.has(subject)) return cityBySubject.get(subject);
    const city = cityOfSubject(subject);
    if (cityBySubject.size < 10_000) cityBySubject.set(subject, city);
    return city;
  };
  const typeOf = (subject: string): InputType | undefined => {
    if (typeBySubject.has(subject)) return typeBySubject.get(subject);
    const token = typeOfSubject(subject);
    const type = token !== undefined && KNOWN_TYPES.has(token) ? (token as InputType) : undefined;
    if (typeBySubject.size < 10_000) typeBySubject.set(subject, type);
    return type;
  };

  return (msg) => {
    const type = typeOf(msg.subject);
    if (!type)
      return {
        ok: false,
        type: 'unknown',
        reject: makeReject('CADRE_ERR_UNKNOWN_TYPE', `no input type in subject ${msg.subject}`),
      };
    const parsed = parseJson(decoder.decode(msg.data));
    if (!parsed.ok) return { ok: false, type, reject: parsed.reject };
    const result = normalize(parsed.value, type, topology);
    if (!result.ok) return { ok: false, type, reject: result.reject };
    const input = result.input;
    const forged = forgedInput(input, commandKeys);
    if (forged) return { ok: false, type, reject: forged };
    // The subject's city is the partition key: input of another city's grid would be processed
    // by the wrong partition (or by none), and the read models would disagree with the stream.
    if ('city' in input && input.city !== cityOf(msg.subject))
      return {
        ok: false,
        type,
        reject: makeReject(
          'CADRE_ERR_WRONG_CITY',
          `published on ${msg.subject}, but grid ${input.grid} is in city ${input.city}: publish on ${subjects.input(type, input.city)}`,
        ),
      };
    if (msg.storedAt !== undefined && input.type !== 'maintenance') input.arrival = msg.storedAt;
    return result; // normalize's own answer: no allocation more per accepted message
  };
}
