/**
 * Maintenance windows: alarms of their elements/grids raised inside a window are marked `maintenance`
 * (they stay evidence); an outage alarm among them is judged from the window's end, if it is still
 * raised then. A window applies from the moment it is known: alarms already raised before it arrived
 * are not revisited.
 */
import type { MaintenanceInput } from '../../contract/normalize.js';

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

  /**
   * The latest end of the windows covering `ne` (of `grid`) at `at`, or undefined when none does.
   * Windows are few; a linear look is cheaper than keeping indexes in step.
   */
  coveredUntil(grid: string, ne: string, at: number): number | undefined {
    let end: number | undefined;
    for (const w of this.windows)
      if (at >= w.start && at < w.end && (end === undefined || w.end > end))
        if (w.grids.includes(grid) || w.elements.includes(ne)) end = w.end;
    return end;
  }

  /** Drops windows that ended before `before` (older input is rejected as too old anyway). */
  prune(before: number): void {
    // In place and in order: the snapshot holds this array as it is.
    let kept = 0;
    for (const w of this.windows) if (w.end >= before) this.windows[kept++] = w;
    this.windows.length = kept;
  }
}
