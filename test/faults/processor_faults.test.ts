/**
 * Faults around a running processor (its own process, re-running a log whose clock is its ticks),
 * each on its own nats-server while the province's input streams in, each ending in the checker:
 * nats-server restarted mid-stream; the processor SIGSTOPped past every timeout and resumed; the
 * dead-letter stream, a KV bucket and the checkpoint store deleted for a while and recreated; and
 * poison input mixed into the stream. Recovery: from the fault's end until transitions flow again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { ensureStreams } from '../../broker/streams.js';
import { Rng } from '../../sim/random.js';
import { BUCKETS, HEADERS, STREAMS, subjects } from '../../shared/subjects.js';
import { streamCount, waitFor } from '../processor/live_helpers.js';
import { check, expectClean, readAll, summary } from './checker.js';
import {
  LONG,
  RUN_STARTED,
  faultBroker,
  paceInput,
  processorRole,
  provinceInput,
  settle,
  untilGrows,
  type RawItem,
  useStarted,
} from './stack.js';

const CADRE_YAML = 'processor:\n  checkpointInterval: 0.5\n  batchSize: 200\n';
const open = useStarted(afterEach);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A nats-server, the streams, a processor child running, and `minutes` of input to pace in. */
async function stack(minutes: number, files: Record<string, string> = {}) {
  const { nats, dir, config } = await faultBroker({ 'cadre.yaml': CADRE_YAML, ...files });
  open.stop = () => nats.stop();
  const processor = processorRole(nats.server.url, dir).start();
  open.roles.push(processor);
  await processor.running();
  return { nats, config, processor, lines: provinceInput(config, minutes) };
}

describe('nats-server restarted mid-stream', () => {
  const RESTARTS = LONG ? 5 : 1;
  it(`${RESTARTS} times: the processor rides it out, nothing lost or doubled`, async () => {
    const { nats, config, processor } = await stack(0);
    const lines = provinceInput(config, LONG ? 240 : 30);
    const publishing = paceInput(nats.nc, config, lines, 6000, { lossy: true });
    const recoveries: number[] = [];
    for (let i = 0; i < RESTARTS; i++) {
      await sleep(LONG ? 4000 : 2000);
      const before = await streamCount(nats.nc, STREAMS.events.name);
      await nats.restart();
      const back = performance.now();
      await untilGrows(nats.nc, before, 60_000, processor);
      recoveries.push(performance.now() - back);
    }
    await publishing;
    await settle(nats.nc);
    const report = await check(nats.nc, { config });
    console.log(summary(`nats-server restart ×${recoveries.length}`, report, recoveries));
    expectClean(report);
    expect(report.transitions, processor.log).toBeGreaterThan(500);
  }, 240_000);
});

describe('the processor SIGSTOPped', () => {
  // Long: past the server's stale-connection pings (2 × 2 min) as well; short: past the consumer's
  // heartbeats and pull expiry and every 5 s PubAck and JetStream API timeout.
  const PAUSE_MS = LONG ? 400_000 : 8_000;
  it(
    `for ${PAUSE_MS / 1000} s and resumed goes on where it was`,
    async () => {
      const { nats, config, processor, lines } = await stack(LONG ? 120 : 20);
      const publishing = paceInput(nats.nc, config, lines, LONG ? 500 : 3000);
      await sleep(1000);
      processor.signal('SIGSTOP');
      await sleep(PAUSE_MS);
      const before = await streamCount(nats.nc, STREAMS.events.name);
      processor.signal('SIGCONT');
      const resumed = performance.now();
      await untilGrows(nats.nc, before, 120_000, processor);
      const recovery = performance.now() - resumed;
      await publishing;
      await settle(nats.nc);
      const report = await check(nats.nc, { config });
      console.log(summary(`processor SIGSTOP ${PAUSE_MS / 1000} s`, report, [recovery]));
      expectClean(report);
    },
    LONG ? 600_000 : 120_000,
  );
});

describe('sinks unavailable for a while', () => {
  const SINKS = [
    STREAMS.dlq.name,
    `KV_${BUCKETS.grids}`,
    `KV_${BUCKETS.events}`,
    `OBJ_${BUCKETS.checkpoints}`,
  ];
  /**
   * `full`: the stream refuses every write (as when the account's JetStream limits are hit) and
   * keeps what it holds; `deleted`: deleted and recreated empty. Long: each sink alone for a minute,
   * both ways; short: all of them at once refusing writes for a few seconds.
   */
  const CASES: { sinks: string[]; how: 'full' | 'deleted' }[] = LONG
    ? SINKS.flatMap((sink) => [
        { sinks: [sink], how: 'full' as const },
        { sinks: [sink], how: 'deleted' as const },
      ])
    : [{ sinks: SINKS, how: 'full' }];
  const GONE_MS = LONG ? 60_000 : 4000;
  for (const { sinks, how } of CASES) {
    it(
      `${sinks.join(', ')} ${how} for ${GONE_MS / 1000} s: nothing lost`,
      async () => {
        const { nats, config, processor, lines } = await stack(LONG ? 120 : 15);
        // A bad line in every chunk once the sinks are away (a deleted DLQ takes what it held along).
        let away = false;
        const bad = (from: number): RawItem[] =>
          away ? [{ subject: subjects.input('alarm', 'CS'), text: `{bad ${from}` }] : [];
        const publishing = paceInput(nats.nc, config, lines, LONG ? 500 : 2000, { extra: bad });
        await sleep(1000);
        const jsm = await jetstreamManager(nats.nc);
        const configs = await Promise.all(sinks.map(async (sink) => (await jsm.streams.info(sink)).config));
        for (const c of configs)
          if (how === 'deleted') await jsm.streams.delete(c.name);
          else await jsm.streams.update(c.name, { ...c, max_msg_size: 1 });
        away = true;
        await sleep(GONE_MS);
        if (how === 'deleted') await ensureStreams(nats.nc, config);
        else for (const c of configs) await jsm.streams.update(c.name, c);
        // Recovered once the first sink is written again (transitions never waited for the sinks:
        // they go on their own chain, processor/outbox.ts, and may all be out by now).
        const lastSeq = async () =>
          (await jsm.streams.info(sinks[0]!).catch(() => undefined))?.state.last_seq ?? -1;
        const before = await lastSeq();
        const back = performance.now();
        await waitFor(
          `${sinks[0]} written again`,
          async () => (await lastSeq()) > before || undefined,
          60_000,
        ).catch((err: Error) => {
          throw new Error(`${err.message}; the processor said:\n${processor.log}`);
        });
        const recovery = performance.now() - back;
        await publishing;
        await settle(nats.nc).catch((err: Error) => {
          throw new Error(`${err.message}; the processor said:\n${processor.log}`);
        });
        // And a restart from whatever checkpoint it could take: nothing again.
        await processor.kill();
        processor.start();
        await waitFor('the restart', () => processor.count(RUN_STARTED) > 1 || undefined, 30_000);
        await settle(nats.nc);
        const report = await check(nats.nc, { config });
        // A deleted bucket loses the documents of what has not changed since (docs/reliability.md).
        if (how === 'deleted' && sinks[0] === `KV_${BUCKETS.events}`) report.staleEventDocs = [];
        if (how === 'deleted' && sinks[0] === `KV_${BUCKETS.grids}`) report.wrongGridDocs = [];
        console.log(summary(`${sinks.join(' + ')} ${how} ${GONE_MS / 1000} s`, report, [recovery]));
        expectClean(report);
      },
      // Long: 120 minutes of province paced at 500/s, a minute away, two settles and a restart.
      LONG ? 600_000 : 120_000,
    );
  }
});

describe('poison input', () => {
  it('1% bad JSON, 0.1% rule-breaking, a 1 MB string, deep nesting, __proto__ keys: each rejected with its reason, nothing else disturbed', async () => {
    const { nats, config, processor, lines } = await stack(LONG ? 120 : 15);
    const rng = new Rng(12);
    const special = poisonSpecials();
    const poison = (from: number, to: number): RawItem[] => {
      const out: RawItem[] = from === 0 ? special : [];
      for (let i = from; i < to; i++) {
        if (rng.chance(0.01))
          out.push({
            subject: subjects.input('alarm', 'CS'),
            text: lines[i]!.slice(0, rng.int(0, lines[i]!.length - 1)),
          });
        if (rng.chance(0.001)) out.push(ruleBreaking(i, JSON.parse(lines[i]!) as { time: string }));
      }
      return out;
    };
    await paceInput(nats.nc, config, lines, 4000, { extra: poison });
    await settle(nats.nc);
    const report = await check(nats.nc, { config });
    console.log(summary('poison input', report, []));
    expectClean(report);
    const dlq = await readAll(nats.nc, STREAMS.dlq.name);
    console.log(`poison input: ${dlq.length} rejects in CADRE_DLQ among ${lines.length} good lines`);
    expect(dlq.length).toBeGreaterThan(lines.length / 200);
    for (const m of dlq) expect(m.headers[HEADERS.rejectReason], m.text.slice(0, 200)).toMatch(/\S/);
    expect(processor.child?.exitCode, processor.log).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 120_000);
});

/** Valid-looking input that breaks a rule: an element nobody knows, a customer tier that is not one. */
function ruleBreaking(i: number, near: { time: string }): RawItem {
  const time = near.time ?? new Date().toISOString();
  return i % 2
    ? {
        subject: subjects.input('alarm', 'CS'),
        text: JSON.stringify({
          type: 'alarm',
          id: `rb-${i}`,
          ne: `CS-NE-NOPE-${i}`,
          severity: 1,
          category: 'fault',
          code: 'SITE_DOWN',
          state: 'raised',
          time,
        }),
      }
    : {
        subject: subjects.input('complaint', 'CS'),
        text: JSON.stringify({
          type: 'complaint',
          id: `rb-${i}`,
          time,
          customer: { id: 'c', tier: 7 },
          category: 'data',
          grid: 'CS-YL-0001',
        }),
      };
}

/** One each of a 1 MB string, 100,000-deep nesting and prototype keys. */
function poisonSpecials(): RawItem[] {
  const alarm = {
    type: 'alarm',
    id: 'p',
    ne: 'x',
    severity: 1,
    category: 'fault',
    code: 'X',
    state: 'raised',
    time: '2026-10-15T00:00:00Z',
  };
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  return [
    {
      subject: subjects.input('alarm', 'CS'),
      text: JSON.stringify({ ...alarm, text: 'x'.repeat(1_000_000) }),
    },
    { subject: subjects.input('alarm', 'CS'), text: `{"type":"alarm","id":"deep","extra":${deep}}` },
    {
      subject: subjects.input('complaint', 'CS'),
      text: '{"type":"complaint","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
    },
    {
      subject: subjects.input('alarm', 'CS'),
      text: JSON.stringify({ ...alarm, __proto__: { severity: 1 } }).replace(
        '"type"',
        '"__proto__":{"polluted":1},"type"',
      ),
    },
  ];
}
