/**
 * One time-ordered feed: the background traffic plus the scenarios triggered on top of it. Given the
 * same triggers it gives the same messages, whoever walks it (the live publisher, the file writer).
 */
import type { Topology } from '../config/topology.js';
import type { TimedMessage } from './catalog.js';
import { runScenario } from './scenarios.js';
import { TrafficModel, type TrafficOptions } from './traffic.js';

export interface Triggered {
  name: string;
  at: number;
}

export class Feed {
  readonly model: TrafficModel;
  private readonly seed: number;
  /** Scenario messages not yet handed out, by time. */
  private pending: TimedMessage[] = [];
  private quiet: { elements: Set<string>; until: number }[] = [];
  readonly triggered: Triggered[] = [];

  constructor(topology: Topology, options: TrafficOptions) {
    this.model = new TrafficModel(topology, options);
    this.seed = options.seed ?? 1;
  }

  /** Schedules scenario `name` from `at`; throws on an unknown name. */
  trigger(name: string, at: number): void {
    const run = runScenario(name, { index: this.model.index, seed: this.seed, start: at });
    this.pending = mergeByTime(this.pending, run.messages);
    if (run.quiet) this.quiet.push({ elements: new Set(run.quiet.elements), until: run.quiet.until });
    this.triggered.push({ name, at });
  }

  /** Everything due in [from, to). Windows are expected in order (scenario messages are handed out once). */
  between(from: number, to: number): TimedMessage[] {
    this.quiet = this.quiet.filter((q) => q.until > from);
    let background = this.model.between(from, to);
    if (this.quiet.length)
      background = background.filter(
        ({ time, msg }) =>
          msg.type !== 'kpi' || !this.quiet.some((q) => time < q.until && q.elements.has(msg.ne)),
      );
    const split = this.pending.findIndex((m) => m.time >= to);
    const due = split === -1 ? this.pending : this.pending.slice(0, split);
    this.pending = split === -1 ? [] : this.pending.slice(split);
    return due.length ? mergeByTime(background, due) : background;
  }
}

/** A stable merge of two time-ordered lists: on ties, `a` first. */
function mergeByTime(a: readonly TimedMessage[], b: readonly TimedMessage[]): TimedMessage[] {
  const out: TimedMessage[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i].time <= b[j].time)) out.push(a[i++]);
    else out.push(b[j++]);
  }
  return out;
}
