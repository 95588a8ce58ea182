/**
 * The transitions of one event, read back from CADRE_EVENTS. Only the event's subject
 * (`cadre.event.<city>.<grid>`) is read, starting a margin before `openedAt`: the stream's timestamps
 * are publish times, which follow event time closely in live use. When that window misses the
 * event's first transitions (event time far from publish time, as in a replayed or simulated feed),
 * the subject is read again from its start, so the answer is complete either way.
 */
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { STREAMS, subjects } from '../shared/subjects.js';
import { readToEnd } from './stream_read.js';
import { formatTime, HOUR, parseTime } from '../shared/time.js';
import type { EventDoc } from '../shared/views.js';
import {
  EventTransitionSchema,
  IncidentTransitionSchema,
  type EventTransition,
  type IncidentTransition,
} from '../shared/schemas.js';
import { compile, decodeChecked, type CheckLog, type Checker } from '../shared/validate.js';

const EVENT_TRANSITION = compile(EventTransitionSchema);
const INCIDENT_TRANSITION = compile(IncidentTransitionSchema);

const START_MARGIN_MS = HOUR;

export async function readHistory(
  js: JetStreamClient,
  doc: EventDoc,
  log?: CheckLog,
): Promise<EventTransition[]> {
  return readTransitions(js, doc, subjects.event(doc.city, doc.grid), EVENT_TRANSITION, log);
}

/** The transitions of an incident, from its city's subject `cadre.incident.<city>`. */
export async function readIncidentHistory(
  js: JetStreamClient,
  doc: IncidentTransition,
  log?: CheckLog,
): Promise<IncidentTransition[]> {
  return readTransitions(js, doc, subjects.incident(doc.city), INCIDENT_TRANSITION, log);
}

type Transition = { id: string; seq: number };

/**
 * The same for any transition kind on its subject (an incident's: `cadre.incident.<city>`), each
 * message checked by the kind's compiled schema: one that fails it is logged and is in no history.
 */
export async function readTransitions<T extends Transition>(
  js: JetStreamClient,
  doc: { id: string; openedAt: string },
  subject: string,
  validator: Checker<T>,
  log?: CheckLog,
): Promise<T[]> {
  const opened = parseTime(doc.openedAt);
  const from = Number.isNaN(opened) ? undefined : formatTime(opened - START_MARGIN_MS);
  const read = (startTime: string | undefined) => readSubject(js, doc.id, subject, startTime, validator, log);
  let found = await read(from);
  if (from !== undefined && !found.has(1)) found = await read(undefined);
  return [...found.values()].sort((a, b) => a.seq - b.seq);
}

/** The transitions of `id` on `subject` from `startTime` (or the start), by seq. */
async function readSubject<T extends Transition>(
  js: JetStreamClient,
  id: string,
  subject: string,
  startTime: string | undefined,
  validator: Checker<T>,
  log: CheckLog | undefined,
): Promise<Map<number, T>> {
  const found = new Map<number, T>();
  await readToEnd(js, STREAMS.events.name, subject, startTime, 1000, (m: JsMsg) => {
    const t = decodeChecked(m, validator, log);
    if (t && t.id === id) found.set(t.seq, t);
  });
  return found;
}
