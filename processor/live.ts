/**
 * The live processor: the deterministic core behind a JetStream consumer. It consumes CADRE_IN (one
 * partition: a city, or everything) from just after its checkpoint, feeds every message through the
 * intake gate into the core, and hands the core's output to the outbox. Checkpoints (core snapshot +
 * stream sequence) make a restart — even after SIGKILL — continue exactly where the stored output
 * ends: the same transitions, none lost, none doubled (the events stream drops re-published ids).
 *
 * Why an ordered consumer and not a durable one: the position that matters is the one the *state*
 * has reached, and only the checkpoint stores both together. A durable consumer's ack floor would
 * be a second, disagreeing position (and redeliveries after ack_wait would reorder the log).
 */
import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import type { Config } from '../config/load.js';
import { Core, type CoreContext, type CoreSnapshot } from './core/index.js';
import { CheckpointStore, encodeState } from './checkpoint.js';
import { Outbox, retry } from './outbox.js';
import { Shadow, fingerprint, type ShadowCheckpoint } from './shadow.js';
import { Ticker } from './ticker.js';
import { createIntake } from './intake.js';
import { commandKeysOf } from '../shared/command_signature.js';
import { reject as makeReject } from '../shared/errors.js';
import { STREAMS, subjects } from '../shared/subjects.js';
import { formatTime } from '../shared/time.js';
import type { ProcessorStats } from '../shared/views.js';
import type { EventTransition } from '../shared/schemas.js';
import {
  eventsTotal,
  inputToTransitionSeconds,
  processedTotal,
  processorLagSeconds,
  shadowFailuresTotal,
} from '../shared/metrics.js';
import { publishedSince } from './published_since.js';
import { startFeed, type Feed } from './feeder.js';
import { forEachMessage, type FeedBatch, type FeedMessage } from './feed_batch.js';
import type { Input } from '../contract/normalize.js';
import type { Lease } from '../broker/leases.js';
import { retryTimeouts } from '../broker/broker_waits.js';

export interface ProcessorOptions {
  /** For the outputs (events, KV, checkpoints, DLQ). */
  nc: NatsConnection;
  /** The same server, for the feeder thread's own connection that receives CADRE_IN. */
  natsUrl: string;
  config: Config;
  /** A city id: consume only `cadre.in.*.<city>`. Undefined: everything. */
  partition?: string;
  /** Publish wall-clock ticks (default true). Off for re-running a recorded log whose ticks are in it. */
  ticks?: boolean;
  now?: () => number;
  log?: (message: string) => void;
  /**
   * The partition's lease (processor/ownership.ts): nothing is written once it is no longer surely
   * ours, and every checkpoint first renews it at the revision held — a stale owner writes nothing.
   */
  lease?: Pick<Lease, 'valid' | 'renew'>;
  /**
   * Called once, when the lease was first found not surely ours: from then on nothing is written — no
   * output, no checkpoint — even if the lease turns out to be ours still, since outputs were dropped.
   * The caller stops this processor; a new one resumes from the last checkpoint.
   */
  onFenced?: () => void;
}

export interface RunningProcessor {
  stats(): ProcessorStats;
  /** Nothing left in the stream for this partition and nothing waiting to be written. */
  caughtUp(): boolean;
  /** Stops consuming, writes a last checkpoint. */
  stop(): Promise<void>;
  /** Stops consuming and writes nothing more: the partition belongs to another instance now. */
  abandon(): Promise<void>;
}

/** How many times a start's read is made when it times out (broker/broker_waits.ts retryTimeouts). */
const READ_TRIES = 6;
/** Outputs of one feed batch (up to 1,024 messages) beyond which they are written before its end. */
const FLUSH_AT_SIZE = 2000;
/**
 * Event and grid documents are read models for grid pages and desks (screens take transitions from
 * the stream at once); rewriting them on every 20 ms flush cost up to ~2,000 KV writes a flush while
 * catching up, and in an alarm storm a write per transition. Once a second (and before every
 * checkpoint) is enough for a person, and bounded whatever the input rate.
 */
const GRID_DOCS_EVERY_MS = 1000;
/**
 * Catching up on a backlog (more than this many messages behind), the processor runs through minutes
 * of event time a second and every grid's document changes all the time: they are then written with
 * the checkpoints only (every 5 s by default), which cost ~13% of its speed at once a second.
 */
const BEHIND_MESSAGES = 10_000;

export async function startProcessor(options: ProcessorOptions): Promise<RunningProcessor> {
  const { nc, config, partition } = options;
  const now = options.now ?? Date.now;
  const log = options.log ?? ((m: string) => console.log(`processor: ${m}`));
  const partitionName = partition ?? 'all';
  const { checkpointInterval, batchSize } = config.cadre.processor;

  const js = jetstream(nc);
  const checkpoints = await CheckpointStore.open<CoreSnapshot>(nc, partitionName);
  // Each read below creates a consumer that a cluster which just lost a node may place on that node.
  const again = (what: string) => (err: Error) => log(`${what}: ${err.message}; trying again`);
  const checkpoint = await retryTimeouts(() => checkpoints.load(), READ_TRIES, again('checkpoint read'));
  const context: CoreContext = {
    rules: config.rules,
    topology: config.topology,
    // Its own ticks and the log's arrival times move the clock; a recorded log's ticks alone.
    clock: options.ticks === false ? 'ticks' : 'live',
    locale: config.cadre.locale,
    timeZone: config.cadre.timeZone,
  };
  const core = new Core(context, checkpoint?.state);
  const commandKeys = commandKeysOf(config.cadre.commands);
  let appliedSeq = checkpoint?.seq ?? 0;
  log(
    checkpoint
      ? `resuming after stream sequence ${appliedSeq} (checkpoint of ${checkpoint.savedAt})`
      : 'starting from the beginning of the stream',
  );

  const intake = createIntake({
    nc,
    topology: config.topology,
    log,
    commandKeys,
  });
  let fenced = false;
  const owns = () => {
    if (!fenced && options.lease && !options.lease.valid()) {
      fenced = true;
      options.onFenced?.();
    }
    return !fenced;
  };
  // Transitions stored after the checkpoint, before a crash: re-running must not publish them again.
  const alreadyPublished = checkpoint
    ? await retryTimeouts(
        () => publishedSince(js, checkpoint.eventsSeq),
        READ_TRIES,
        again('CADRE_EVENTS read since the checkpoint'),
      )
    : new Set<string>();
  const eventsSeq = (await (await js.streams.get(STREAMS.events.name)).info()).state.last_seq;
  // A first checkpoint before consuming: a crash before the first periodic one must still know
  // where this processor's transitions start in CADRE_EVENTS.
  if (!checkpoint) await checkpoints.save(0, eventsSeq, encodeState(core.snapshot()), formatTime(now()));
  // Checkpoints and grid documents come from a second core on its own thread (processor/shadow.ts),
  // started once the broker has answered the reads above (a start that fails there leaves no thread).
  let shadow = await Shadow.start(context, commandKeys, checkpoint?.state);
  const outbox = new Outbox({
    nc,
    alreadyPublished,
    eventsSeq,
    owns,
    onPublished: (t) => {
      eventsTotal.inc({ level: t.level, transition: t.transition });
      const storedAt = causedAt.get(t);
      if (storedAt !== undefined) inputToTransitionSeconds.observe(Math.max(0, now() - storedAt) / 1000);
    },
    onIdle: () => {
      if (flushWhenIdle) flush();
    },
    log,
  });
  const ticker =
    options.ticks === false ? undefined : new Ticker(nc, partition, now, () => core.nextDue(), owns);

  const counts: Record<string, number> = {};
  const writeDocs = async () => {
    core.dirtyGrids(); // the shadow's are the ones written; the live core's only need forgetting
    outbox.addGridDocs(await shadow.gridDocs().catch(() => []));
    void outbox.flushDocs();
  };
  const processed = new Map<string, { inc(): void }>();
  /** The input log time of the input behind each transition not yet published (for the latency histogram). */
  const causedAt = new WeakMap<EventTransition, number>();

  // Outputs are written as soon as a feed batch is applied; while a write is running, the next batch
  // keeps growing instead of queueing behind it and is written when the chain is idle: a grid or
  // event changed in many batches is then written once, so writes keep up with any input rate.
  let flushWhenIdle = false;
  const flush = () => {
    flushWhenIdle = outbox.busy;
    if (!flushWhenIdle) void outbox.flush();
  };

  let refusedTicks = 0;
  /** The batch's accepted inputs, and the ticks refused by this wall clock (the shadow core skips them too). */
  const accepted: { m: FeedMessage; input: Input }[] = [];
  const refused: number[] = [];
  const onBatch = (batch: FeedBatch) => {
    const after = appliedSeq;
    forEachMessage(batch, gate);
    shadow.apply({ batch, after, refused });
    for (const { m, input } of accepted) apply(m, input);
    accepted.length = 0;
    refused.length = 0;
    flush();
    ticker?.schedule();
  };
  const gate = (m: FeedMessage) => {
    if (m.seq <= appliedSeq) return; // a restarted feed may hand over again what was already applied
    appliedSeq = m.seq;
    const input = intake.accept(m);
    if (!input) return;
    // A tick far ahead of this processor's own wall clock is refused whoever stamped it (the core
    // checks it against its arrival, which a broker whose clock leapt would stamp as well).
    if (input.type === 'tick' && input.time > now() + config.rules.maxFuture) {
      refusedTicks++;
      refused.push(m.seq);
      intake.reject(
        m,
        makeReject(
          'CADRE_ERR_TIME_RANGE',
          `/time: tick ${Math.round((input.time - now()) / 1000)} s ahead of this processor's clock (maxFuture ${config.rules.maxFuture / 1000} s)`,
        ),
      );
      return;
    }
    accepted.push({ m, input });
  };
  const apply = (m: FeedMessage, input: Input) => {
    const out = core.push(input);
    if (out.transitions.length) {
      for (const t of out.transitions) causedAt.set(t, m.storedAt);
      outbox.addTransitions(out.transitions);
    }
    if (out.incidents.length) outbox.addIncidents(out.incidents);
    for (const r of out.replies) outbox.addReply(r.commandId, r.reply);
    // The core's rejects (absurd time) are counted as rejected by intake, not as processed too.
    for (const r of out.rejects) intake.reject(m, r);
    if (!out.rejects.length) {
      counts[input.type] = (counts[input.type] ?? 0) + 1;
      let counter = processed.get(input.type);
      if (!counter) processed.set(input.type, (counter = processedTotal.labels(input.type)));
      counter.inc();
    }
    if (outbox.size >= FLUSH_AT_SIZE) flush();
  };

  const feedFrom = (): Promise<Feed> =>
    startFeed(
      {
        // Every server known now, the cluster's gossip included: the one in NATS_URL may be the dead one.
        servers: [...options.natsUrl.split(','), ...(nc.info?.connect_urls ?? [])].join(','),
        name: `cadre-processor-feed-${partitionName}`,
        stream: STREAMS.input.name,
        filter: subjects.inputFilter(partition),
        // A fresh name each start: the previous run's consumer may linger until its inactivity threshold.
        namePrefix: `cadre-processor-${partitionName}-${randomUUID().slice(0, 8)}`,
        startSeq: appliedSeq + 1,
        pullBatch: batchSize,
      },
      onBatch,
      // The feeder lost its connection or consumer for good: another starts from where the state is.
      (why) => restartLater(`failed (${why})`),
    );
  let restartTimer: NodeJS.Timeout | undefined;
  let stopping = false;
  const restartLater = (why: string) => {
    log(`input feed ${why}; restarting it after stream sequence ${appliedSeq}`);
    restartTimer = setTimeout(() => void restartFeed(), 1000);
  };
  const restartFeed = async (): Promise<void> => {
    if (stopping) return;
    await feed.stop();
    try {
      feed = await feedFrom();
    } catch (err) {
      restartLater(`could not restart (${(err as Error).message})`);
    }
  };
  let feed = await retryTimeouts(feedFrom, READ_TRIES, again('input feed start')).catch(
    async (err: Error) => {
      await shadow.stop();
      throw err;
    },
  );
  ticker?.start();
  const gridDocsTimer = setInterval(() => {
    if (feed.progress().pending <= BEHIND_MESSAGES) void writeDocs();
  }, GRID_DOCS_EVERY_MS);

  /**
   * The state at `appliedSeq` and its grid documents, from the shadow core; from this thread's own
   * core when the shadow failed or is not in the same state (a defect: logged and counted), and the
   * shadow then starts again from this core's state.
   */
  const snapshotNow = async (): Promise<ShadowCheckpoint> => {
    const expected = fingerprint(core);
    const answer = await shadow.checkpoint(expected).catch((err: Error) => ({ diverged: err.message }));
    if (!('diverged' in answer)) return answer;
    shadowFailuresTotal.inc();
    log(
      `the shadow core failed or diverged (${answer.diverged}; here ${expected}); checkpointing on this thread`,
    );
    const state = core.snapshot();
    const docs = config.topology.grids.map((g): [string, string] => [
      g.id,
      JSON.stringify(core.gridDoc(g.id)),
    ]);
    void shadow.stop();
    // Not once stopping: stop()/abandon() end the shadow, and a new one would outlive them.
    if (!stopping)
      shadow = await Shadow.start(context, commandKeys, state).catch((err: Error) => {
        // The stopped one refuses every request: the next checkpoint lands here again and retries.
        log(`the shadow core did not start again (${err.message}); checkpointing on this thread`);
        return shadow;
      });
    return { docs, state: encodeState(state) };
  };
  let checkpointing: Promise<void> | undefined;
  const takeCheckpoint = (): Promise<void> =>
    (checkpointing ??= checkpointAt(appliedSeq).finally(() => (checkpointing = undefined)));
  const checkpointAt = async (seq: number): Promise<void> => {
    // Both taken now, between two batches: the state of `seq`, and the outputs up to it.
    const stored = outbox.position();
    const { docs, state } = await snapshotNow();
    outbox.addGridDocs(docs); // the checkpoint covers the grid documents of its state too
    await outbox.flushDocs();
    const eventsSeq = await stored;
    await retry(
      'checkpoint',
      async () => {
        // No checkpoint passes a reject that is not in the DLQ yet: this one is skipped, a later one
        // is taken once the DLQ has them (restarting from an older checkpoint loses nothing).
        if (!(await intake.settled())) return log('checkpoint skipped: rejected input not yet in the DLQ');
        // Fencing: a checkpoint only from the owner of the lease at the revision it holds, and never
        // once an output was dropped (the checkpoint would skip it for good).
        if (!owns() || (options.lease && !(await options.lease.renew())))
          return log('checkpoint skipped: the lease is lost');
        await checkpoints.save(seq, eventsSeq, state, formatTime(now()));
      },
      log,
    );
  };
  let lastCheckpointSeq = appliedSeq;
  const checkpointTimer = setInterval(() => {
    if (appliedSeq === lastCheckpointSeq || checkpointing) return;
    lastCheckpointSeq = appliedSeq;
    void takeCheckpoint();
  }, checkpointInterval);

  let lastCounts: Record<string, number> = {};
  let lastStatsAt = now();
  let current: ProcessorStats = emptyStats(partitionName, now());
  const statsTimer = setInterval(() => {
    const at = now();
    const seconds = Math.max((at - lastStatsAt) / 1000, 0.001);
    const rates = Object.fromEntries(
      Object.entries(counts).map(([t, n]) => [t, round((n - (lastCounts[t] ?? 0)) / seconds)]),
    );
    lastCounts = { ...counts };
    lastStatsAt = at;
    const { pending, storedAtMs } = feed.progress();
    const lagSeconds = pending > 0 && storedAtMs ? Math.max(0, (at - storedAtMs) / 1000) : 0;
    processorLagSeconds.set({ partition: partitionName }, lagSeconds);
    current = {
      partition: partitionName,
      at: formatTime(at),
      rates,
      lagSeconds: round(lagSeconds),
      pending,
      appliedSeq,
      active: core.activeByLevel(),
      clock: clockStats(core.now(), at, config.rules.maxFuture, refusedTicks),
    };
    nc.publish(subjects.processorStats(partition), JSON.stringify(current));
  }, 1000);

  return {
    stats: () => current,
    caughtUp: () => feed.progress().pending === 0 && !outbox.busy && outbox.size === 0,
    async stop() {
      await halt();
      await checkpointing; // one at an earlier sequence, maybe: the last one is taken after it
      await takeCheckpoint(); // it writes whatever a busy outbox left pending
      await shadow.stop();
      log(`stopped after stream sequence ${appliedSeq}`);
    },
    async abandon() {
      await halt();
      await shadow.stop();
      log(`gave up the partition at stream sequence ${appliedSeq}; its owner goes on from its checkpoint`);
    },
  };

  async function halt(): Promise<void> {
    ticker?.stop();
    clearInterval(checkpointTimer);
    clearInterval(gridDocsTimer);
    clearInterval(statsTimer);
    clearTimeout(restartTimer);
    stopping = true;
    processorLagSeconds.remove({ partition: partitionName });
    await feed.stop();
  }
}

function clockStats(clock: number | null, wall: number, maxFuture: number, refusedTicks: number) {
  const ahead = clock === null ? 0 : clock - wall;
  return {
    at: clock === null ? null : formatTime(clock),
    aheadSeconds: round(ahead / 1000),
    jumped: ahead > maxFuture,
    refusedTicks,
  };
}

function emptyStats(partition: string, at: number): ProcessorStats {
  return {
    partition,
    at: formatTime(at),
    rates: {},
    lagSeconds: 0,
    pending: 0,
    active: { red: 0, orange: 0, yellow: 0, blue: 0 },
  };
}

const round = (v: number) => Math.round(v * 100) / 100;
