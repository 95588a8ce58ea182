/**
 * What each transition of an event changed, against the one before it: the level, the evidence
 * counts, the deadlines, the title. Runs of `updated` that changed nothing a person can see fold into
 * one row ("×12") instead of twelve identical "更新 · 红色" lines.
 */
import type { EventTransition, Level } from './types.js';
import type { ContactChannel, ContactOutcome, DeferReason, Owner } from '../../../shared/schemas.js';

export type Diff =
  | { kind: 'level'; from: Level; to: Level }
  | { kind: 'alarms' | 'complaints' | 'elements'; n: number }
  | { kind: 'ack' | 'fix'; at: string }
  | { kind: 'title' }
  // Deal: what a transition did to the work orders and to the event's way to its end.
  | { kind: 'contact'; complaint: string; channel: ContactChannel; outcome: ContactOutcome }
  | { kind: 'promise'; complaint: string; at: string; moves: number }
  | { kind: 'broken' | 'satisfied' | 'dissatisfied'; complaint: string }
  | { kind: 'pending' | 'resumed' }
  | { kind: 'deferReason'; reason: DeferReason }
  | { kind: 'owner'; owner: Owner }
  | { kind: 'unrelated'; ids: string[]; reason?: string }
  | { kind: 'reopen'; of: string };

export interface HistoryRow {
  t: EventTransition;
  diffs: Diff[];
  /** Transitions folded into this row (1 = itself). */
  count: number;
}

const total = (t: EventTransition, k: 'alarms' | 'complaints' | 'elements') =>
  t.evidenceTotal?.[k] ?? t.evidence[k].length;

export function diffOf(prev: EventTransition | undefined, t: EventTransition): Diff[] {
  if (!prev) return t.reopenOf ? [{ kind: 'reopen', of: t.reopenOf }] : [];
  const out: Diff[] = [];
  if (prev.level !== t.level) out.push({ kind: 'level', from: prev.level, to: t.level });
  for (const k of ['complaints', 'alarms', 'elements'] as const) {
    const n = total(t, k) - total(prev, k);
    if (n > 0) out.push({ kind: k, n });
  }
  if (prev.ackDeadline !== t.ackDeadline) out.push({ kind: 'ack', at: t.ackDeadline });
  if (prev.deadline !== t.deadline) out.push({ kind: 'fix', at: t.deadline });
  if (prev.title !== t.title && !out.some((d) => d.kind === 'elements' || d.kind === 'complaints'))
    out.push({ kind: 'title' });
  out.push(...dealDiffs(prev, t));
  return out;
}

/** The Deal side of a transition: contacts, promises, answers, waiting, handing over, naming unrelated alarms. */
function dealDiffs(prev: EventTransition, t: EventTransition): Diff[] {
  const out: Diff[] = [];
  const before = new Map((prev.workOrders ?? []).map((o) => [o.complaint, o]));
  for (const o of t.workOrders ?? []) {
    const b = before.get(o.complaint);
    const c = o.complaint;
    if (
      o.contact &&
      (t.transition === 'contacted' || !b?.contact) &&
      (JSON.stringify(o.contact) !== JSON.stringify(b?.contact) || o.contactedAt !== b?.contactedAt)
    )
      out.push({ kind: 'contact', complaint: c, channel: o.contact.channel, outcome: o.contact.outcome });
    if (o.promise && o.promise.at !== b?.promise?.at)
      out.push({ kind: 'promise', complaint: c, at: o.promise.at, moves: o.promise.moves });
    if (o.promiseBroken && !b?.promiseBroken) out.push({ kind: 'broken', complaint: c });
    if (o.satisfied !== undefined && b?.satisfied === undefined)
      out.push({ kind: o.satisfied ? 'satisfied' : 'dissatisfied', complaint: c });
  }
  if (t.resolvePending && !prev.resolvePending) out.push({ kind: 'pending' });
  if (t.transition === 'deferred' && t.deferReason) out.push({ kind: 'deferReason', reason: t.deferReason });
  if (t.transition === 'resumed') out.push({ kind: 'resumed' });
  if (t.owner && t.owner !== prev.owner) out.push({ kind: 'owner', owner: t.owner });
  if (t.unrelated?.length && (t.transition === 'resolved' || (t.resolvePending && !prev.resolvePending)))
    out.push({ kind: 'unrelated', ids: t.unrelated, ...(t.reason ? { reason: t.reason } : {}) });
  return out;
}

export function historyRows(history: EventTransition[]): HistoryRow[] {
  const rows: HistoryRow[] = [];
  let prev: EventTransition | undefined;
  for (const t of history) {
    const diffs = diffOf(prev, t);
    const last = rows.at(-1);
    if (
      last &&
      t.transition === 'updated' &&
      last.t.transition === 'updated' &&
      diffs.length === 0 &&
      last.diffs.length === 0
    ) {
      last.count++;
      last.t = t;
    } else rows.push({ t, diffs, count: 1 });
    prev = t;
  }
  return rows;
}
