/**
 * Red / amber / green against `rules.yaml` `targets` (Evaluate): green within the target, amber up to
 * `amber` (a fraction of the target) past it, red beyond; and the composite score that ranks grids
 * against the same targets. Pure.
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

/**
 * One number to rank grids by (the wall's worst ten): each target figure's distance from its target,
 * in units of the target, added up — complaints per 10k ÷ its target + repeat rate ÷ its target +
 * (1 − deadline compliance) ÷ (1 − its target). A grid exactly at all three targets scores 3, a
 * grid with nothing to count 0; higher is worse. A figure that does not exist adds nothing.
 */
export function compositeScore(figures: Record<TargetFigure, number | null>, targets: Targets): number {
  const part = (value: number | null, target: number) => (value === null ? 0 : value / target);
  const missed = figures.deadlineCompliance === null ? null : 1 - figures.deadlineCompliance;
  const score =
    part(figures.complaintsPer10k, targets.complaintsPer10k) +
    part(figures.repeatRate, targets.repeatRate) +
    part(missed, 1 - targets.deadlineCompliance);
  return Math.round(score * 1000) / 1000;
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
