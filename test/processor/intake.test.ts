import { describe, expect, it, beforeAll } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { useNats } from '../helpers/nats.js';
import { ensureStreams } from '../../broker/streams.js';
import { createIntake } from '../../processor/intake.js';
import { registry } from '../../shared/metrics.js';
import { reject } from '../../shared/errors.js';
import { fixtureConfig, sample } from '../ingest/helpers.js';

const TIME = '2026-10-15T09:00:00+08:00';

async function rejectedCount(type: string, reason: string): Promise<number> {
  const metric = (await registry.getSingleMetric('cadre_rejected_total')!.get()).values;
  return metric.find((v) => v.labels.type === type && v.labels.reason === reason)?.value ?? 0;
}

/** Polls `done` every 50 ms for up to 10 s. */
async function waitUntil(done: () => Promise<boolean>): Promise<void> {
  for (const end = Date.now() + 10_000; !(await done());) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('intake', () => {
  const nats = useNats();
  const config = fixtureConfig();
  beforeAll(async () => {
    await ensureStreams(nats.nc, config);
  });

  /** Publishes raw text to CADRE_IN and hands the stored message to intake, as the processor would. */
  async function through(subject: string, text: string) {
    const js = jetstream(nats.nc);
    const ack = await js.publish(subject, text);
    const jsm = await jetstreamManager(nats.nc);
    const stored = (await jsm.streams.getMessage('CADRE_IN', { seq: ack.seq }))!;
    return { msg: { subject: stored.subject, seq: stored.seq, data: stored.data }, seq: ack.seq };
  }

  async function dlqMessages() {
    const jsm = await jetstreamManager(nats.nc);
    const { state } = await jsm.streams.info('CADRE_DLQ');
    const out = [];
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++)
      out.push((await jsm.streams.getMessage('CADRE_DLQ', { seq }))!);
    return out;
  }

  it('returns the normalized input of valid messages of every type, ticks and commands included', async () => {
    const intake = createIntake({ nc: nats.nc, topology: config.topology });
    const alarm = await through('cadre.in.alarm.XT', JSON.stringify(sample.alarm('ok', TIME)));
    expect(intake.accept(alarm.msg)).toMatchObject({ type: 'alarm', grid: 'XT-YH-0003', city: 'XT' });
    const tick = await through('cadre.in.tick.XT', JSON.stringify({ type: 'tick', time: TIME }));
    expect(intake.accept(tick.msg)).toEqual({ type: 'tick', time: Date.parse(TIME) });
    const command = { type: 'command', id: 'cmd-1', action: 'ack', event: 'ev-1', by: 'ann', time: TIME };
    expect(intake.accept((await through('cadre.in.command.XT', JSON.stringify(command))).msg)).toMatchObject({
      type: 'command',
      key: 'command:cmd-1',
    });
    await intake.settled();
    expect(intake.pending).toBe(0);
  });

  it('dead-letters bad JSON, schema violations and unknown elements with the original payload and the reason', async () => {
    const intake = createIntake({ nc: nats.nc, topology: config.topology });
    const badJsonBefore = await rejectedCount('kpi', 'bad_json');
    const badJson = await through('cadre.in.kpi.XT', '{oops');
    const schema = await through(
      'cadre.in.complaint.HY',
      JSON.stringify({ ...sample.complaint('s', TIME), customer: { id: 'c', tier: 7 } }),
    );
    const unknown = await through(
      'cadre.in.alarm.HY',
      JSON.stringify({ ...sample.alarm('u', TIME), ne: 'NO-SUCH-NE' }),
    );
    expect(intake.accept(badJson.msg)).toBeNull();
    expect(intake.accept(schema.msg)).toBeNull();
    expect(intake.accept(unknown.msg)).toBeNull();
    intake.reject(
      (await through('cadre.in.alarm.XT', JSON.stringify(sample.alarm('late', TIME)))).msg,
      reject('CADRE_ERR_TIME_RANGE', 'time is 9 days older than the clock allows'),
    );
    await intake.settled();

    const dlq = await dlqMessages();
    expect(dlq.map((m) => m.subject)).toEqual([
      'cadre.dlq.kpi',
      'cadre.dlq.complaint',
      'cadre.dlq.alarm',
      'cadre.dlq.alarm',
    ]);
    const [json, bad, ne, late] = dlq;
    expect(json!.string()).toBe('{oops');
    expect(json!.header.get('Cadre-Reject-Code')).toBe('CADRE_ERR_BAD_JSON');
    expect(json!.header.get('Cadre-Reject-Reason')).toMatch(/^bad JSON/);
    expect(json!.header.get('Cadre-Original-Subject')).toBe('cadre.in.kpi.XT');
    expect(json!.header.get('Cadre-Original-Seq')).toBe(String(badJson.seq));
    expect(bad!.header.get('Cadre-Reject-Code')).toBe('CADRE_ERR_SCHEMA');
    expect(bad!.header.get('Cadre-Reject-Reason')).toContain('/customer/tier');
    expect(bad!.json()).toMatchObject({ id: 'CRM-s', customer: { tier: 7 } });
    expect(ne!.header.get('Cadre-Reject-Code')).toBe('CADRE_ERR_UNKNOWN_ELEMENT');
    expect(ne!.header.get('Cadre-Reject-Reason')).toContain('NO-SUCH-NE');
    expect(late!.header.get('Cadre-Reject-Code')).toBe('CADRE_ERR_TIME_RANGE');
    expect(await rejectedCount('kpi', 'bad_json')).toBe(badJsonBefore + 1);
    expect(await rejectedCount('complaint', 'schema')).toBeGreaterThanOrEqual(1);
  });

  it('dead-letters a redelivered reject only once, and an unknown type under cadre.dlq.unknown', async () => {
    const intake = createIntake({ nc: nats.nc, topology: config.topology });
    const before = (await dlqMessages()).length;
    const bad = await through('cadre.in.kpi.XT', '[1,2');
    intake.accept(bad.msg);
    intake.accept(bad.msg); // the processor crashed before acking: the same message comes again
    const weird = await through('cadre.in.gossip.XT', '{}');
    expect(intake.accept(weird.msg)).toBeNull();
    await intake.settled();
    const dlq = (await dlqMessages()).slice(before);
    expect(dlq.map((m) => m.subject)).toEqual(['cadre.dlq.kpi', 'cadre.dlq.unknown']);
    expect(dlq[1]!.header.get('Cadre-Reject-Code')).toBe('CADRE_ERR_UNKNOWN_TYPE');
  });

  it('keeps and writes again, not forgets, a reject the DLQ cannot store yet, and says so until it is stored', async () => {
    const jsm = await jetstreamManager(nats.nc);
    await jsm.streams.delete('CADRE_DLQ');
    const intake = createIntake({ nc: nats.nc, topology: config.topology, log: () => {} });
    intake.accept((await through('cadre.in.alarm.XT', 'not json')).msg);
    expect(await intake.settled()).toBe(false);
    await ensureStreams(nats.nc, config);
    await waitUntil(() => intake.settled());
    const stored = (await jsm.streams.getMessage('CADRE_DLQ', { last_by_subj: 'cadre.dlq.alarm' }))!;
    expect(new TextDecoder().decode(stored.data)).toBe('not json');
  });

  it('stores a flood of 20,000 rejects, each once with its reason, through one windowed publisher', async () => {
    const intake = createIntake({ nc: nats.nc, topology: config.topology, log: () => {} });
    const jsm = await jetstreamManager(nats.nc);
    const before = (await jsm.streams.info('CADRE_DLQ')).state.messages;
    const data = new TextEncoder().encode('{not json');
    // Sequences no other test of this file uses: the DLQ's dedup id is the original's sequence.
    for (let seq = 1_000_000; seq < 1_020_000; seq++)
      intake.accept({ subject: 'cadre.in.alarm.XT', seq, data });
    expect(intake.pending).toBe(20_000);
    expect(await intake.settled()).toBe(true);
    expect(intake.pending).toBe(0);
    expect((await jsm.streams.info('CADRE_DLQ')).state.messages - before).toBe(20_000);
    const last = (await jsm.streams.getMessage('CADRE_DLQ', { last_by_subj: 'cadre.dlq.alarm' }))!;
    expect(last.header.get('Cadre-Reject-Code')).toBe('CADRE_ERR_BAD_JSON');
    expect(last.header.get('Cadre-Original-Seq')).toBe('1019999');
  });

  it("dead-letters input published under another city than its grid's, which the wrong partition would take", async () => {
    const intake = createIntake({ nc: nats.nc, topology: config.topology });
    const before = (await dlqMessages()).length;
    const wrong = await through('cadre.in.alarm.HY', JSON.stringify(sample.alarm('wrong-city', TIME)));
    expect(intake.accept(wrong.msg)).toBeNull();
    const unknown = await through('cadre.in.alarm.ZZZ', JSON.stringify(sample.alarm('no-city', TIME)));
    expect(intake.accept(unknown.msg)).toBeNull();
    await intake.settled();
    const dlq = (await dlqMessages()).slice(before);
    expect(dlq.map((m) => m.header.get('Cadre-Reject-Code'))).toEqual([
      'CADRE_ERR_WRONG_CITY',
      'CADRE_ERR_WRONG_CITY',
    ]);
    expect(dlq[0]!.header.get('Cadre-Reject-Reason')).toContain('publish on cadre.in.alarm.XT');
  });
});
