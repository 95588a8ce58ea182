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
import type { EventTransition } from '../shared/schemas.js';

const START_MARGIN_MS = HOUR;

export async function readHistory(js: JetStreamClient, doc: EventDoc): Promise<EventTransition[]> {
  return readTransitions<EventTransition>(js, doc, subjects.event(doc.city, doc.grid));
}

/** The same for any transition kind on its subject (an incident's: `cadre.incident.<city>`). */
export async function readTransitions<T extends { id: string; seq: number }>(
  js: JetStreamClient,
  doc: { id: string; openedAt: string },
  subject: string,
): Promise<T[]> {
  const opened = parseTime(doc.openedAt);
  const from = Number.isNaN(opened) ? undefined : formatTime(opened - START_MARGIN_MS);
  let found = await readSubject<T>(js, doc.id, subject, from);
  if (from !== undefined && !found.has(1)) found = await readSubject<T>(js, doc.id, subject, undefined);
  return [...found.values()].sort((a, b) => a.seq - b.seq);
}

/** The transitions of `id` on `subject` from `startTime` (or the start), by seq. */
async function readSubject<T extends { id: string; seq: number }>(
  js: JetStreamClient,
  id: string,
  subject: string,
  startTime: string | undefined,
): Promise<Map<number, T>> {
  const found = new Map<number, T>();
  await readToEnd(js, STREAMS.events.name, subject, startTime, 1000, (m) => keepIfOurs(m, id, found));
  return found;
}

function keepIfOurs<T extends { id: string; seq: number }>(
  m: JsMsg,
  id: string,
  found: Map<number, T>,
): void {
  try {
    const t = m.json<T>();
    if (t.id === id) found.set(t.seq, t);
  } catch {
    // An unreadable message is not part of any history.
  }
}
