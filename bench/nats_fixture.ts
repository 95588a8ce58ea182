/**
 * What the processor benchmarks do to the private nats-server between measurements: publish a
 * prepared input log into CADRE_IN, and give each processor run an empty world (no checkpoint, no
 * transitions, no read models), so every run starts from the beginning of the stream.
 */
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { cadreFrom } from '../config/load.js';
import { ensureStreams } from '../broker/streams.js';
import { normalize } from '../contract/normalize.js';
import type { Topology } from '../config/topology.js';
import { BUCKETS, STREAMS, messageId, subjects } from '../shared/subjects.js';

/** One message of the input log as published: subject, payload and its dedup id (none for ticks). */
export interface LogMessage {
  subject: string;
  data: string;
  msgId?: string;
}

/** Replay NDJSON lines (with their `type`) as the messages a producer would publish into CADRE_IN. */
export function logMessages(lines: Iterable<string>, topology: Topology): LogMessage[] {
  const out: LogMessage[] = [];
  for (const data of lines) {
    const raw = JSON.parse(data) as Record<string, unknown>;
    if (raw.type === 'tick') {
      out.push({ subject: subjects.tick(undefined), data });
      continue;
    }
    const result = normalize(raw, undefined, topology);
    if (!result.ok || !('city' in result.input)) throw new Error(`bench: generated line rejected: ${data}`);
    const { type, city } = result.input;
    out.push({ subject: subjects.input(type, city), data, msgId: messageId(type, raw) });
  }
  return out;
}

/** Core publishes (the fastest way in), flushed every `chunk`; returns how many the stream stored. */
export async function publishLog(
  nc: NatsConnection,
  log: readonly LogMessage[],
  chunk = 5000,
): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const before = (await jsm.streams.info(STREAMS.input.name)).state.messages;
  for (let i = 0; i < log.length; i++) {
    const m = log[i];
    let h;
    if (m.msgId) {
      h = headers();
      h.set('Nats-Msg-Id', m.msgId);
    }
    nc.publish(m.subject, m.data, h ? { headers: h } : undefined);
    if (i % chunk === chunk - 1) await nc.flush();
  }
  await nc.flush();
  return (await jsm.streams.info(STREAMS.input.name)).state.messages - before;
}

/**
 * Deletes every output of the processor (events stream, DLQ, KV read models, checkpoints) and
 * creates them again empty, and removes CADRE_IN's consumers; `freshInput` recreates CADRE_IN too.
 */
export async function resetOutputs(
  nc: NatsConnection,
  options: { freshInput?: boolean } = {},
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const owned = [
    ...(options.freshInput ? [STREAMS.input.name] : []),
    STREAMS.events.name,
    STREAMS.dlq.name,
    `KV_${BUCKETS.events}`,
    `KV_${BUCKETS.grids}`,
    `OBJ_${BUCKETS.checkpoints}`,
  ];
  for (const name of owned) await jsm.streams.delete(name).catch(() => false);
  // A stopped processor's ordered consumer lingers until its inactivity threshold, under the name
  // the next processor of this process picks again: that one would then receive nothing.
  if (!options.freshInput)
    for await (const c of jsm.consumers.list(STREAMS.input.name))
      await jsm.consumers.delete(STREAMS.input.name, c.name);
  await ensureStreams(nc, { cadre: cadreFrom() });
}

/** Samples process.memoryUsage() until stopped; returns the peaks. */
export function sampleMemory(everyMs = 50): () => { rss: number; heapUsed: number } {
  const peak = { rss: 0, heapUsed: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return () => {
    clearInterval(timer);
    sample();
    return peak;
  };
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** p50/p99/max of latencies in ms, as a table figure. */
export function percentiles(ms: number[]): { p50: number; p99: number; max: number; figure: string } {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  const p50 = at(0.5);
  const p99 = at(0.99);
  const max = sorted.at(-1) ?? NaN;
  const f = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
  return { p50, p99, max, figure: `p50 ${f(p50)} / p99 ${f(p99)} / max ${f(max)} ms` };
}
