/**
 * Maintenance windows: outage alarms of their elements/grids raised inside a window open no outage
 * event (they stay evidence, marked `maintenance`). A window applies from the moment it is known:
 * alarms already raised before it arrived are not revisited.
 */
import type { MaintenanceInput } from '../../ingest/normalize.js';

export interface MaintenanceWindow {
  id: string;
  start: number;
  end: number;
  grids: string[];
  elements: string[];
}

export class MaintenanceBook {
  constructor(readonly windows: MaintenanceWindow[] = []) {}

  add(input: MaintenanceInput): void {
    const { msg } = input;
    this.windows.push({
      id: msg.id,
      start: input.start,
      end: input.end,
      grids: msg.grids ?? [],
      elements: msg.elements ?? [],
    });
  }

  /** Windows are few; a linear look is cheaper than keeping indexes in step. */
  covers(grid: string, ne: string, at: number): boolean {
    return this.windows.some(
      (w) => at >= w.start && at < w.end && (w.grids.includes(grid) || w.elements.includes(ne)),
    );
  }

  /** Drops windows that ended before `before` (older input is rejected as too old anyway). */
  prune(before: number): void {
    for (let i = this.windows.length - 1; i >= 0; i--)
      if (this.windows[i]!.end < before) this.windows.splice(i, 1);
  }
}
