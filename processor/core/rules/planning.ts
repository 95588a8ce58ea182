/**
 * The planning rule (docs/rules.md "planning"): ≥ count coverage complaints within the window, while
 * the grid had no outage or kpi event in that window, open a blue planning event; later coverage
 * complaints join it. Pure: complaints.ts keeps the grid's coverage complaints, apply.ts does what it
 * decides.
 */
import type { Rules } from '../../../config/rules.js';
import type { EventState, GridState } from '../state.js';

export type PlanningDecision =
  | { kind: 'none'; reason: 'too-few' | 'network-event' }
  | { kind: 'open'; reason: 'recurring-coverage' }
  | { kind: 'join'; reason: 'planning-open' };

const TOO_FEW: PlanningDecision = { kind: 'none', reason: 'too-few' };
const NETWORK_EVENT: PlanningDecision = { kind: 'none', reason: 'network-event' };
const OPEN: PlanningDecision = { kind: 'open', reason: 'recurring-coverage' };
const JOIN: PlanningDecision = { kind: 'join', reason: 'planning-open' };

/**
 * A coverage complaint at `now` was added to `g.coverage`; `ev`: the grid's active planning event;
 * `outage` / `kpi`: its active network events.
 */
export function decidePlanning(
  rules: Rules['planning'],
  g: GridState,
  now: number,
  ev: EventState | undefined,
  outage: EventState | undefined,
  kpi: EventState | undefined,
): PlanningDecision {
  if (ev) return JOIN;
  if (g.coverage.length < rules.count) return TOO_FEW;
  const quietNetwork = !outage && !kpi && (g.netEventAt === null || g.netEventAt <= now - rules.window);
  return quietNetwork ? OPEN : NETWORK_EVENT;
}
