/**
 * Red / amber / green against `rules.yaml` `targets` (Evaluate): green within the target, amber up to
 * `amber` (a fraction of the target) past it, red beyond. Pure.
 */
import type { Rules } from '../config/rules.js';

export type TargetStatus = 'green' | 'amber' | 'red';
export type Targets = Rules['targets'];
/** The figures that have a target; `deadlineCompliance` is the only one where higher is better. */
export type TargetFigure = Exclude<keyof Targets, 'amber'>;

const HIGHER_IS_BETTER: ReadonlySet<TargetFigure> = new Set(['deadlineCompliance']);

/** The status of one figure; null when the figure is (no complaints, no deadline due). */
export function statusOf(figure: TargetFigure, value: number | null, targets: Targets): TargetStatus | null {
  if (value === null) return null;
  const target = targets[figure];
  if (HIGHER_IS_BETTER.has(figure)) {
    if (value >= target) return 'green';
    return value >= target * (1 - targets.amber) ? 'amber' : 'red';
  }
  if (value <= target) return 'green';
  return value <= target * (1 + targets.amber) ? 'amber' : 'red';
}

/** The status of every figure that has a target. */
export function statuses(
  figures: Record<TargetFigure, number | null>,
  targets: Targets,
): Record<TargetFigure, TargetStatus | null> {
  return {
    complaintsPer10k: statusOf('complaintsPer10k', figures.complaintsPer10k, targets),
    repeatRate: statusOf('repeatRate', figures.repeatRate, targets),
    deadlineCompliance: statusOf('deadlineCompliance', figures.deadlineCompliance, targets),
  };
}
