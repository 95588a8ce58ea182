/**
 * The most recent complaints of each grid, as desks show them beside an event's evidence (the
 * evidence lists complaint ids; tier and category are what a dispatcher needs). Display only, so it
 * lives in the shell; it survives restarts through the grid documents in KV.
 */
import type { ComplaintInput } from '../ingest/normalize.js';
import type { ComplaintView } from '../shared/views.js';
import { formatTime } from '../shared/time.js';

/** Enough for a busy grid's open complaint events; older ones stay in the input log. */
const PER_GRID = 200;

export class ComplaintLog {
  private readonly grids = new Map<string, ComplaintView[]>();

  add(input: ComplaintInput): void {
    const { msg } = input;
    const view: ComplaintView = {
      id: msg.id,
      time: formatTime(input.time),
      tier: msg.customer.tier,
      category: msg.category,
      customer: msg.customer.id,
      ...(msg.media ? { media: true } : {}),
      ...(msg.escalated ? { escalated: true } : {}),
      ...(msg.text ? { text: msg.text.slice(0, 500) } : {}),
    };
    let list = this.grids.get(input.grid);
    if (!list) this.grids.set(input.grid, (list = []));
    list.push(view);
    if (list.length > PER_GRID) list.splice(0, list.length - PER_GRID);
  }

  of(grid: string): ComplaintView[] {
    return this.grids.get(grid) ?? [];
  }

  restore(grid: string, complaints: readonly ComplaintView[]): void {
    this.grids.set(grid, complaints.slice(-PER_GRID));
  }
}
