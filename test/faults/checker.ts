/**
 * The one checker of the fault suite. It reads every sink a province sees — the transitions in
 * CADRE_EVENTS, the KV read models, the DLQ, webhook receivers, Socket.IO screens — and compares
 * them with `cadre replay` of the same stored input (CADRE_IN as the broker holds it, so whatever a
 * fault did to publishing, the reference is what was really stored). Counted per event id: lost,
 * duplicated (`id:seq`), gaps in `seq`, unexpected transitions, rejects without a DLQ entry, and
 * notices delivered more than once (by `webhook-id`). Every fault test ends in `expectClean`.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'vitest';
import type { NatsConnection } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { Config } from '../../config/load.js';
import type { Subscriber } from '../../config/notify.js';
import type { Core } from '../../processor/core/index.js';
import type { Input } from '../../contract/normalize.js';
import type { EventTransition } from '../../shared/schemas.js';
import { BUCKETS, HEADERS, STREAMS, kvKey } from '../../shared/subjects.js';
import type { GridDoc } from '../../shared/views.js';
import { DIST } from './stack.js';

/**
 * Replay and the core as built, the very code the roles under test run as child processes: the
 * sources may already hold a change that the build does not (or the other way round), and that is no fault.
 */
const dist = (path: string) => pathToFileURL(join(DIST, path)).href;
const { replay } = (await import(dist('processor/replay.js'))) as typeof import('../../processor/replay.js');
const { Core: DistCore } = (await import(
  dist('processor/core/index.js')
)) as typeof import('../../processor/core/index.js');
const { createGate } = (await import(
  dist('processor/intake.js')
)) as typeof import('../../processor/intake.js');
const { recipients } = (await import(dist('notify/match.js'))) as typeof import('../../notify/match.js');

export interface Stored {
  seq: number;
  subject: string;
  text: string;
  msgId?: string;
  headers: Record<string, string>;
}

/** Every message of a stream in order, with its stream sequence and headers. */
export async function readAll(nc: NatsConnection, stream: string): Promise<Stored[]> {
  const { messages: count, first_seq } = (await (await jetstreamManager(nc)).streams.info(stream)).state;
  const out: Stored[] = [];
  if (count === 0) return out;
  const consumer = await jetstream(nc).consumers.get(stream, {
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: first_seq,
  });
  while (out.length < count) {
    const batch = await consumer.fetch({
      max_messages: Math.min(count - out.length, 10_000),
      expires: 10_000,
    });
    let got = 0;
    for await (const m of batch) {
      got++;
      const headers: Record<string, string> = {};
      for (const key of m.headers?.keys() ?? []) headers[key] = m.headers!.get(key);
      out.push({ seq: m.seq, subject: m.subject, text: m.string(), msgId: headers[HEADERS.msgId], headers });
      if (out.length === count) break;
    }
    if (got === 0) break;
  }
  return out;
}

/** What an uninterrupted run makes of the stored input. */
export interface Expected {
  transitions: EventTransition[];
  /** CADRE_IN sequences of the inputs replay rejects. */
  rejectedSeqs: Set<number>;
  /** The core after the whole input, for the grid documents. */
  core: Core;
}

/**
 * `cadre replay` (clock from the log's ticks, as a `--no-ticks` processor runs) of CADRE_IN as
 * stored, plus a core fed the same way for what grid documents must show. The input must end in a
 * tick past its last message (as time going on would live): replay flushes at the end, live does not.
 */
export async function expectedOf(
  input: readonly Stored[],
  config: Config,
  refusedTicks: ReadonlySet<number> = new Set(),
): Promise<Expected> {
  const options = { rules: config.rules, topology: config.topology, clock: 'ticks' as const };
  // The processor's own gate first (the subject's type and city count, which a replay line lacks):
  // what it refuses must be in the DLQ; what it admits goes to replay as a line of its type.
  // Commands are judged with the roles' key (stack.ts puts it in the environment), as they are.
  const key = process.env.CADRE_COMMAND_KEY;
  const judge = createGate(config.topology, key ? { sign: key, verify: [key] } : undefined);
  const encoder = new TextEncoder();
  const rejectedSeqs = new Set<number>();
  const admitted: Input[] = [];
  const lines = input.map((m) => {
    const verdict = judge({ subject: m.subject, seq: m.seq, data: encoder.encode(m.text) });
    if (!verdict.ok || refusedTicks.has(m.seq)) {
      rejectedSeqs.add(m.seq);
      return ''; // skipped by replay, and keeps its line numbers those of CADRE_IN
    }
    admitted.push(verdict.input);
    const raw = JSON.parse(m.text) as Record<string, unknown>;
    return JSON.stringify({ ...raw, type: verdict.input.type });
  });
  const transitions: EventTransition[] = [];
  await replay(
    [
      {
        name: 'CADRE_IN',
        lines: (async function* () {
          yield* lines;
        })(),
      },
    ],
    { ...options, locale: config.cadre.locale, timeZone: config.cadre.timeZone },
    {
      out: (text) => {
        for (const line of text.split('\n')) if (line) transitions.push(JSON.parse(line) as EventTransition);
      },
      // What the core refuses (an absurd time) is dead-lettered too.
      err: (text) => {
        for (const line of text.split('\n')) {
          const at = line ? (JSON.parse(line) as { line: number }).line : 0;
          if (at > 0) rejectedSeqs.add(input[at - 1]!.seq);
        }
      },
    },
  );
  const core = new DistCore({ ...options, locale: config.cadre.locale, timeZone: config.cadre.timeZone });
  for (const i of admitted) core.push(i);
  return { transitions, rejectedSeqs, core };
}

/** A webhook request as a receiver recorded it. */
export interface Notice {
  headers: Record<string, string | string[] | undefined>;
  status: number;
  /** The request body (the transition). */
  body: string;
}

/** What one subscriber's receiver got. */
export interface ReceiverLog {
  /** The subscriber's name in notify.yaml. */
  subscriber: string;
  notices: readonly Notice[];
  /** False for a receiver that never accepts (410): only duplicates are counted. */
  accepts?: boolean;
}

/** What a screen shows at the end: id:seq of every active event. */
export interface ScreenView {
  name: string;
  digest(): string[];
}

export interface Report {
  transitions: number;
  /** Expected id:seq missing from CADRE_EVENTS. */
  lost: string[];
  /** id:seq stored more than once. */
  duplicated: string[];
  /** id:seq missing between two stored seqs of one event. */
  gaps: string[];
  /** Stored id:seq that replay does not make, or makes differently. */
  unexpected: string[];
  /** CADRE_IN sequences that replay rejects and CADRE_DLQ does not hold. */
  rejectsWithoutDlq: number[];
  /** CADRE_DLQ entries of input that replay accepts. */
  unexpectedRejects: number[];
  /** Event documents in KV that are not the event's last transition. */
  staleEventDocs: string[];
  /** Grid documents whose complaints or KPI series differ from the uninterrupted run's. */
  wrongGridDocs: string[];
  /**
   * `subscriber id:seq` answered 2xx under more than one webhook-id: a duplicate no receiver can
   * drop. (The same webhook-id again is `redelivered`.)
   */
  noticesTwice: string[];
  /**
   * webhook-ids answered 2xx more than once: the at-least-once repeat after a notifier died between
   * the receiver's answer and its ack (docs/notifications.md), which receivers drop by webhook-id.
   * Counted, not a fault.
   */
  redelivered: string[];
  /** `subscriber id:seq` of notices due and never answered 2xx. */
  noticesLost: string[];
  /** Screens whose active events differ from the uninterrupted run's. */
  screensOff: string[];
}

export interface CheckOptions {
  config: Config;
  /** Grid documents to compare (all grids with a complaint transition when omitted; [] for none). */
  grids?: string[];
  receivers?: readonly ReceiverLog[];
  screens?: readonly ScreenView[];
}

const key = (t: EventTransition) => `${t.id}:${t.seq}`;

/**
 * The ticks the live processor refused by its own wall clock (processor/live.ts), as its dead letters
 * say: the one judgement of the input that is not in the log itself. Replay, with no wall clock,
 * would take a tick from 2099 and move its clock there; the processor did not, and said so.
 */
export function refusedTicksOf(dlq: readonly Stored[]): Set<number> {
  const seqs = new Set<number>();
  for (const m of dlq)
    if (
      m.headers[HEADERS.originalSubject]?.startsWith('cadre.in.tick') &&
      m.headers[HEADERS.rejectReason]?.includes("ahead of this processor's clock")
    )
      seqs.add(Number(m.headers[HEADERS.originalSeq]));
  return seqs;
}

/** Reads every sink and counts what differs from replay of the stored input. */
export async function check(nc: NatsConnection, options: CheckOptions): Promise<Report> {
  const input = await readAll(nc, STREAMS.input.name);
  const dlq = await readAll(nc, STREAMS.dlq.name);
  const expected = await expectedOf(input, options.config, refusedTicksOf(dlq));
  const stored = (await readAll(nc, STREAMS.events.name)).map((m) => JSON.parse(m.text) as EventTransition);
  const report = compare(expected, stored, dlq, {
    ...options,
    subscribers: options.config.notify.subscribers,
  });

  // Read models are written about once a second after the stream: each gets a few seconds to agree.
  const eventsKv = await new Kvm(nc).open(BUCKETS.events);
  const last = new Map<string, EventTransition>();
  for (const t of expected.transitions) if (t.kind === 'event') last.set(t.id, t); // incidents have no document here
  const gridsKv = await new Kvm(nc).open(BUCKETS.grids);
  const grids = options.grids ?? [
    ...new Set(expected.transitions.filter((t) => t.rule === 'complaint').map((t) => t.grid)),
  ];
  for (const deadline = Date.now() + READ_MODEL_GRACE_MS; ;) {
    report.staleEventDocs = [];
    report.wrongGridDocs = [];
    for (const [id, t] of last) {
      const doc = (await eventsKv.get(kvKey(id)))?.json<EventTransition>();
      if (!doc || doc.seq !== t.seq)
        report.staleEventDocs.push(`${id}: ${doc ? doc.seq : 'none'} ≠ ${t.seq}`);
    }
    for (const grid of grids) {
      const want = expected.core.gridDoc(grid);
      const doc = (await gridsKv.get(kvKey(grid)))?.json<GridDoc>();
      if (
        !doc ||
        JSON.stringify(doc.complaints) !== JSON.stringify(want.complaints) ||
        JSON.stringify(doc.kpi) !== JSON.stringify(want.kpi)
      )
        report.wrongGridDocs.push(grid);
    }
    if ((!report.staleEventDocs.length && !report.wrongGridDocs.length) || Date.now() > deadline)
      return report;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const READ_MODEL_GRACE_MS = 10_000;

/** The pure part of `check`: replay's output against what the sinks hold. */
export function compare(
  expected: Expected,
  stored: readonly EventTransition[],
  dlq: readonly Stored[],
  options: Pick<CheckOptions, 'receivers' | 'screens'> & { subscribers?: readonly Subscriber[] } = {},
): Report {
  const want = new Map(expected.transitions.map((t) => [key(t), JSON.stringify(t)]));
  const seen = new Map<string, number>();
  const seqs = new Map<string, number[]>();
  const report: Report = {
    transitions: stored.length,
    lost: [],
    duplicated: [],
    gaps: [],
    unexpected: [],
    rejectsWithoutDlq: [],
    unexpectedRejects: [],
    staleEventDocs: [],
    wrongGridDocs: [],
    noticesTwice: [],
    redelivered: [],
    noticesLost: [],
    screensOff: [],
  };
  for (const t of stored) {
    const k = key(t);
    seen.set(k, (seen.get(k) ?? 0) + 1);
    if (seen.get(k) === 2) report.duplicated.push(k);
    if (want.get(k) !== JSON.stringify(t)) {
      report.unexpected.push(k);
    }
    (seqs.get(t.id) ?? seqs.set(t.id, []).get(t.id)!).push(t.seq);
  }
  for (const k of want.keys()) if (!seen.has(k)) report.lost.push(k);
  for (const [id, list] of seqs) {
    const present = new Set(list);
    for (let s = 1; s < Math.max(...list); s++) if (!present.has(s)) report.gaps.push(`${id}:${s}`);
  }
  const dead = new Set(dlq.map((m) => Number(m.headers[HEADERS.originalSeq])));
  for (const seq of expected.rejectedSeqs) if (!dead.has(seq)) report.rejectsWithoutDlq.push(seq);
  for (const seq of dead) if (!expected.rejectedSeqs.has(seq)) report.unexpectedRejects.push(seq);

  for (const receiver of options.receivers ?? []) {
    const delivered = new Map<string, number>();
    const ids = new Map<string, Set<string>>();
    for (const n of receiver.notices) {
      if (n.status < 200 || n.status >= 300) continue;
      const id = String(n.headers['webhook-id']);
      delivered.set(id, (delivered.get(id) ?? 0) + 1);
      if (delivered.get(id) === 2) report.redelivered.push(`${receiver.subscriber} ${id}`);
      const k = key(JSON.parse(n.body) as EventTransition);
      const under = ids.get(k) ?? ids.set(k, new Set()).get(k)!;
      if (!under.has(id) && under.add(id).size === 2) report.noticesTwice.push(`${receiver.subscriber} ${k}`);
    }
    const got = ids;
    const subscriber = options.subscribers?.find((s) => s.name === receiver.subscriber);
    if (!subscriber || receiver.accepts === false) continue;
    for (const t of expected.transitions)
      if (recipients([subscriber], t).length && !got.has(key(t)))
        report.noticesLost.push(`${receiver.subscriber} ${key(t)}`);
  }
  if (options.screens?.length) {
    const active = activeDigest(expected.transitions);
    for (const s of options.screens)
      if (JSON.stringify(s.digest()) !== JSON.stringify(active)) report.screensOff.push(s.name);
  }
  return report;
}

/** id:seq of the events an uninterrupted run leaves active, sorted as screens give theirs. */
export function activeDigest(transitions: readonly EventTransition[]): string[] {
  const last = new Map<string, EventTransition>();
  for (const t of transitions) if (t.kind === 'event') last.set(t.id, t);
  return [...last.values()]
    .filter((t) => t.state === 'open' || t.state === 'acknowledged')
    .map(key)
    .sort();
}

/** One line for the test output and docs/reliability.md. */
export function summary(name: string, report: Report, recoveryMs: number[]): string {
  const worst = recoveryMs.length ? Math.max(...recoveryMs) : 0;
  const mean = recoveryMs.length ? recoveryMs.reduce((a, b) => a + b, 0) / recoveryMs.length : 0;
  return (
    `fault ${name}: ${report.transitions} transitions, lost ${report.lost.length}, duplicated ` +
    `${report.duplicated.length}, gaps ${report.gaps.length}, unexpected ${report.unexpected.length}, ` +
    `rejects without DLQ ${report.rejectsWithoutDlq.length}, unexpected rejects ` +
    `${report.unexpectedRejects.length}, notices twice ${report.noticesTwice.length}, notices lost ` +
    `${report.noticesLost.length}, redelivered (same webhook-id) ${report.redelivered.length}; ` +
    `recovery ${recoveryMs.length}× mean ${Math.round(mean)} ms, worst ${Math.round(worst)} ms`
  );
}

/** Every count 0; the report printed first so that a failure shows all of it. */
export function expectClean(report: Report): void {
  const dirty = Object.fromEntries(
    Object.entries(report).filter(
      ([k, v]) => k !== 'transitions' && k !== 'redelivered' && (v as unknown[]).length,
    ),
  );
  expect(dirty).toEqual({});
}
