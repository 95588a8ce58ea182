/**
 * Live traffic for the latency benchmarks: a realistic mix (bench/dataset.ts: ~45% alarms, ~40%
 * KPI samples, ~15% complaints) published at a steady rate with event time = now, each complaint's
 * publish instant remembered — a complaint opens or updates its grid's complaint event at once, so
 * its id in a transition's evidence marks the end of its trip. Also an alarm storm.
 */
import { headers, type NatsConnection } from '@nats-io/transport-node';
import type { Topology } from '../config/topology.js';
import { normalize } from '../contract/normalize.js';
import { formatTime } from '../shared/time.js';
import { messageId, subjects } from '../shared/subjects.js';
import type { ProducerType } from '../shared/schemas.js';
import { mixedLines } from './dataset.js';

interface Template {
  type: ProducerType;
  subject: string;
  msg: Record<string, unknown>;
}

/** Complaint id → publish instant (performance.now()). */
export type SentAt = Map<string, number>;

const TEMPLATES = 5000;
const STEP_MS = 5;

function templates(topology: Topology, now: number): Template[] {
  return mixedLines(topology, { count: TEMPLATES, now, tag: 't' }).map(({ type, line }) => {
    const msg = JSON.parse(line) as Record<string, unknown>;
    const result = normalize(msg, type, topology);
    if (!result.ok || !('city' in result.input)) throw new Error('bench: generated input rejected');
    return { type, subject: subjects.input(type, result.input.city), msg };
  });
}

/**
 * Publishes `rate` messages a second for `seconds` (core publishes with Nats-Msg-Id, as the
 * simulator does), ids prefixed by `tag`; returns when the last is flushed.
 */
export async function publishPaced(
  nc: NatsConnection,
  topology: Topology,
  options: { rate: number; seconds: number; tag: string; sent: SentAt },
): Promise<number> {
  const list = templates(topology, Date.now());
  const total = Math.round(options.rate * options.seconds);
  const start = performance.now();
  let i = 0;
  while (i < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * options.rate));
    for (; i < due; i++) {
      const { type, subject, msg: template } = list[i % list.length];
      const msg: Record<string, unknown> = { ...template, time: formatTime(Date.now()) };
      if (type !== 'kpi') msg.id = `${options.tag}-${i}`;
      const h = headers();
      h.set('Nats-Msg-Id', messageId(type, msg));
      if (type === 'complaint') options.sent.set(msg.id as string, performance.now());
      nc.publish(subject, JSON.stringify(msg), { headers: h });
    }
    await new Promise((r) => setTimeout(r, STEP_MS));
  }
  await nc.flush();
  return total;
}

const OUTAGE_CODES = ['CELL_DOWN', 'SITE_DOWN', 'TRANSPORT_DOWN', 'POWER_DOWN'];

/** An alarm storm: `count` outage alarms raised over `seconds`, spread over every element. */
export async function publishStorm(
  nc: NatsConnection,
  topology: Topology,
  options: { count: number; seconds: number; tag: string },
): Promise<void> {
  const elements = topology.elements;
  const perStep = Math.ceil((options.count / options.seconds / 1000) * STEP_MS);
  for (let i = 0; i < options.count;) {
    const time = formatTime(Date.now());
    for (const end = Math.min(options.count, i + perStep); i < end; i++) {
      const ne = elements[(i * 7919) % elements.length];
      const msg = {
        id: `${options.tag}-${i}`,
        ne: ne.id,
        severity: 1,
        category: 'fault',
        code: OUTAGE_CODES[i % OUTAGE_CODES.length],
        state: 'raised',
        time,
        text: '基站退服告警风暴',
      };
      const h = headers();
      h.set('Nats-Msg-Id', messageId('alarm', msg));
      const grid = topology.grid(ne.grid);
      if (!grid) throw new Error(`bench: element ${ne.id} names grid ${ne.grid}, not in the topology`);
      nc.publish(subjects.input('alarm', grid.city), JSON.stringify(msg), { headers: h });
    }
    await new Promise((r) => setTimeout(r, STEP_MS));
  }
  await nc.flush();
}
