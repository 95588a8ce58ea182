/**
 * The wall's series rebuilt from the streams when the gateway starts, so a restart does not draw the
 * past hour as zero:
 * - transitions: CADRE_EVENTS from an hour before the series starts (the extra hour teaches the
 *   series each event's level, so a lift early in the window is told from a plain update) up to the
 *   stream's last sequence at start; the live consumer follows from the next one;
 * - input rate: per minute, the input messages (alarm, kpi, complaint) published in it, counted as
 *   the difference of a consumer's pending count at consecutive minute starts — no message is read.
 * The lag of a minute before the start is unknown and stays null (a gap on the chart, not a zero).
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { decodeChecked, TRANSITION_DOC } from '../shared/validate.js';
import { STREAMS } from '../shared/subjects.js';
import { formatTime, MINUTE } from '../shared/time.js';
import type { MinuteSeries } from './series.js';

/** How much earlier than the series the transitions are read, to learn the levels events had. */
const LEVEL_MARGIN_MS = 60 * MINUTE;
/** A storm's history is read in chunks; past this many transitions the rest is skipped (logged). */
const MAX_TRANSITIONS = 500_000;
const INPUT_FILTERS = ['cadre.in.alarm.>', 'cadre.in.kpi.>', 'cadre.in.complaint.>'];

type Log = { warn(obj: object, msg: string): void } | undefined;

export async function rebuildSeries(
  js: JetStreamClient,
  series: MinuteSeries,
  now: () => number,
  lastSeq: number,
  log: Log,
): Promise<void> {
  const startMinute = Math.floor(now() / MINUTE) * MINUTE - (series.minutes - 1) * MINUTE;
  try {
    await readTransitions(js, series, now, lastSeq, startMinute - LEVEL_MARGIN_MS, log);
  } catch (err) {
    log?.warn({ err: (err as Error).message }, 'the events chart starts empty: transitions unreadable');
  }
  // The input counts need no order with anything else: not awaited, the gateway need not wait.
  void readInputCounts(js, series, now, startMinute).catch((err: Error) =>
    log?.warn({ err: err.message }, 'the input chart starts empty: input stream unreadable'),
  );
}

async function readTransitions(
  js: JetStreamClient,
  series: MinuteSeries,
  now: () => number,
  lastSeq: number,
  from: number,
  log: Log,
): Promise<void> {
  if (lastSeq === 0) return;
  const consumer = await js.consumers.get(STREAMS.events.name, { opt_start_time: formatTime(from) });
  try {
    let read = 0;
    let pending = (await consumer.info(true)).num_pending;
    while (pending > 0 && read < MAX_TRANSITIONS) {
      const messages = await consumer.fetch({ max_messages: Math.min(pending, 2000), expires: 5000 });
      let got = 0;
      for await (const m of messages) {
        got += 1;
        read += 1;
        pending = m.info.pending;
        if (m.seq > lastSeq) {
          pending = 0;
          break;
        }
        // The chart counts grid events; an incident's transitions are told apart (its own counters).
        const t = decodeChecked(m, TRANSITION_DOC, log);
        if (t?.kind === 'event') series.countTransition(now(), t);
        if (pending === 0) break;
      }
      if (got === 0) break;
    }
    if (read >= MAX_TRANSITIONS) log?.warn({ read }, 'events chart history cut short');
  } finally {
    await consumer.delete().catch(() => undefined);
  }
}

async function readInputCounts(
  js: JetStreamClient,
  series: MinuteSeries,
  now: () => number,
  startMinute: number,
): Promise<void> {
  const current = Math.floor(now() / MINUTE) * MINUTE;
  let after: number | undefined;
  // Newest minute first: pending(m) − pending(m + 1 min) = the messages published in minute m.
  for (let m = current; m >= startMinute; m -= MINUTE) {
    const pending = await pendingSince(js, m);
    if (after !== undefined && m < current) series.rebuiltInput(now(), m, Math.max(0, pending - after));
    after = pending;
  }
}

/** Input messages (alarm, kpi, complaint: not ticks or commands) published since `from`. */
async function pendingSince(js: JetStreamClient, from: number): Promise<number> {
  let total = 0;
  // One filter per consumer: servers before 2.10 take no list of filters.
  for (const filter of INPUT_FILTERS) {
    const consumer = await js.consumers.get(STREAMS.input.name, {
      opt_start_time: formatTime(from),
      filter_subjects: filter,
    });
    try {
      total += (await consumer.info(true)).num_pending;
    } finally {
      await consumer.delete().catch(() => undefined);
    }
  }
  return total;
}
