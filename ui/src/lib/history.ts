/**
 * What each transition of an event changed, against the one before it: the level, the evidence
 * counts, the deadlines, the title. Runs of `updated` that changed nothing a person can see fold into
 * one row ("×12") instead of twelve identical "更新 · 红色" lines.
 */
import type { EventTransition, Level } from './types.js';

export type Diff =
  | { kind: 'level'; from: Level; to: Level }
  | { kind: 'alarms' | 'complaints' | 'elements'; n: number }
  | { kind: 'ack' | 'fix'; at: string }
  | { kind: 'title' };

export interface HistoryRow {
  t: EventTransition;
  diffs: Diff[];
  /** Transitions folded into this row (1 = itself). */
  count: number;
}

const total = (t: EventTransition, k: 'alarms' | 'complaints' | 'elements') => t.evidenceTotal?.[k] ?? t.evidence[k].length;

export function diffOf(prev: EventTransition | undefined, t: EventTransition): Diff[] {
  if (!prev) return [];
  const out: Diff[] = [];
  if (prev.level !== t.level) out.push({ kind: 'level', from: prev.level, to: t.level });
  for (const k of ['complaints', 'alarms', 'elements'] as const) {
    const n = total(t, k) - total(prev, k);
    if (n > 0) out.push({ kind: k, n });
  }
  if (prev.ackDeadline !== t.ackDeadline) out.push({ kind: 'ack', at: t.ackDeadline });
  if (prev.deadline !== t.deadline) out.push({ kind: 'fix', at: t.deadline });
  if (prev.title !== t.title && !out.some((d) => d.kind === 'elements' || d.kind === 'complaints')) out.push({ kind: 'title' });
  return out;
}

export function historyRows(history: EventTransition[]): HistoryRow[] {
  const rows: HistoryRow[] = [];
  let prev: EventTransition | undefined;
  for (const t of history) {
    const diffs = diffOf(prev, t);
    const last = rows.at(-1);
    if (last && t.transition === 'updated' && last.t.transition === 'updated' && diffs.length === 0 && last.diffs.length === 0) {
      last.count++;
      last.t = t;
    } else rows.push({ t, diffs, count: 1 });
    prev = t;
  }
  return rows;
}
