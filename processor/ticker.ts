/**
 * The live processor's clock. Wall-clock time enters the input log as `tick` messages, so the core's
 * clock is part of the log: a restart or a replay of the stream fires every deadline at the same
 * place. A tick is published when the core next has something due (a debounce, a deadline, the
 * reorder buffer's release), and at least once a second as a heartbeat.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { subjects } from '../shared/subjects.js';
import { formatTime } from '../shared/time.js';

const HEARTBEAT_MS = 1000;
/** Ticks closer together than this are pointless: the core cannot act on them separately anyway. */
const MIN_GAP_MS = 50;

export class Ticker {
  private timer: NodeJS.Timeout | undefined;
  private lastTickAt = 0;
  private stopped = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly partition: string | undefined,
    private readonly now: () => number,
    /** Event time at which the core next has something due, if anything. */
    private readonly nextDue: () => number | undefined,
    /** False while this instance does not surely own the partition: its ticks would enter the log. */
    private readonly owns: () => boolean = () => true,
  ) {}

  start(): void {
    this.schedule();
  }

  /** Re-plans the next tick: call after the core's state changed. */
  schedule(): void {
    if (this.stopped) return;
    const now = this.now();
    const due = Math.min(this.nextDue() ?? Infinity, this.lastTickAt + HEARTBEAT_MS);
    const delay = Math.max(due - now, this.lastTickAt + MIN_GAP_MS - now, 0);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), delay);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private tick(): void {
    this.lastTickAt = this.now();
    if (this.owns())
      this.nc.publish(
        subjects.tick(this.partition),
        JSON.stringify({ type: 'tick', time: formatTime(this.lastTickAt) }),
      );
    this.schedule();
  }
}
