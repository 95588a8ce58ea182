/**
 * The complaints of a report period, read back from the input log (CADRE_IN, subjects
 * `cadre.in.complaint.<city>`): the top repeat customers and locations need single complaints,
 * which the processor's daily counters do not keep. Read from `rules.maxAge` before the period
 * starts (the latest an input may arrive and still count) to the stream's end, each complaint
 * placed by the same gate as everywhere (normalize). The log keeps `cadre.yaml` `nats.inputMaxAge`
 * (7 days by default): `complete` says whether it still reaches back to the period's start (or has
 * never dropped a message).
 */
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Topology } from '../config/topology.js';
import { normalize } from '../contract/normalize.js';
import { complaintRecord, type ComplaintRecord } from '../contract/report.js';
import { STREAMS } from '../shared/subjects.js';
import { formatTime } from '../shared/time.js';
import { readToEnd } from './stream_read.js';

export async function readComplaints(
  js: JetStreamClient,
  jsm: JetStreamManager,
  topology: Topology,
  window: { from: number; to: number; lateBy: number; city?: string },
): Promise<{ complaints: ComplaintRecord[]; complete: boolean }> {
  const state = (await jsm.streams.info(STREAMS.input.name)).state;
  const firstStored = state.first_ts ? Date.parse(state.first_ts) : Infinity;
  const complaints: ComplaintRecord[] = [];
  const filter = `cadre.in.complaint.${window.city ?? '*'}`;
  await readToEnd(js, STREAMS.input.name, filter, formatTime(window.from - window.lateBy), 5000, (m) => {
    let raw: unknown;
    try {
      raw = m.json();
    } catch {
      return; // rejected at intake as well: not a complaint of any report
    }
    const n = normalize(raw, 'complaint', topology);
    if (n.ok && n.input.type === 'complaint' && n.input.time >= window.from && n.input.time < window.to)
      complaints.push(complaintRecord(n.input.msg, n.input.grid, n.input.time));
  });
  // Complete when the log still holds its first message ever, or reaches back past the window.
  return { complaints, complete: state.first_seq <= 1 || firstStored <= window.from - window.lateBy };
}
