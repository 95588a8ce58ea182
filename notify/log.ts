/**
 * The notification log (CONTRACT.md "Incidents", issue 16): per event and per incident, who was told
 * what, when, by which channel, with the outcome and the attempts. The notifier keeps it in the
 * `cadre_notify_log` bucket, one key per event or incident id holding all its entries; the gateway
 * reads it into `GET /api/events/:id` and `GET /api/incidents/:id`. Writes are revision-checked, so
 * several notifiers (and several stages of one) may add to the same event's log without losing an
 * entry. The log is a record, never a gate: a write that fails is logged and delivery goes on.
 */
import type { KV } from '@nats-io/kv';
import { kvKey } from '../shared/subjects.js';
import { compile, decodeChecked } from '../shared/validate.js';
import {
  NotifyLogDocSchema,
  type NoticeAttempt,
  type NoticeEntry,
  type NotifyLogDoc,
} from '../shared/views.js';
import type { NotifyTask } from './task.js';

/** Entries kept per event or incident, and attempts per entry (the newest). */
const MAX_ENTRIES = 200;
const MAX_ATTEMPTS = 10;
const MAX_CAS_TRIES = 20;
const NOTIFY_LOG = compile(NotifyLogDocSchema);

export interface NotifyLog {
  /** Adds or changes the entry of a task. */
  record(task: NotifyTask, change: (entry: NoticeEntry) => void): Promise<void>;
}

/** A new entry for a task just queued. */
export function newEntry(task: NotifyTask, at: number): NoticeEntry {
  const t = task.transition;
  return {
    task: task.id,
    kind: t.kind,
    id: t.id,
    subscriber: task.subscriber,
    channel: task.channel,
    transition: t.transition,
    seq: t.seq,
    level: t.level,
    queuedAt: new Date(at).toISOString(),
    outcome: 'queued',
    attemptCount: 0,
    attempts: [],
  };
}

/** Records one attempt on an entry. */
export function addAttempt(entry: NoticeEntry, attempt: NoticeAttempt, count: number): void {
  entry.attemptCount = Math.max(entry.attemptCount + 1, count);
  entry.attempts.push(attempt);
  if (entry.attempts.length > MAX_ATTEMPTS) entry.attempts.splice(0, entry.attempts.length - MAX_ATTEMPTS);
}

export function notifyLog(kv: KV, now: () => number, log: (line: string) => void): NotifyLog {
  // One write at a time per key in this process; other processes are met by the revision check.
  const chains = new Map<string, Promise<void>>();
  const write = async (task: NotifyTask, change: (entry: NoticeEntry) => void) => {
    const key = kvKey(task.transition.id);
    for (let i = 0; i < MAX_CAS_TRIES; i++) {
      const current = await kv.get(key);
      let stored: NotifyLogDoc | undefined = { id: task.transition.id, entries: [] };
      if (current && current.operation === 'PUT' && current.length > 0)
        // What is stored there and is no log is kept as it is (the gateway skips it too), not overwritten.
        stored = decodeChecked(current, NOTIFY_LOG, (line) => log(`notify log: ${line}`));
      if (!stored) throw new Error(`the stored log of ${task.transition.id} is unreadable`);
      let entry = stored.entries.find((e) => e.task === task.id);
      if (!entry) {
        entry = newEntry(task, now());
        stored.entries.push(entry);
        if (stored.entries.length > MAX_ENTRIES)
          stored.entries.splice(0, stored.entries.length - MAX_ENTRIES);
      }
      change(entry);
      try {
        if (current) await kv.update(key, JSON.stringify(stored), current.revision);
        else await kv.create(key, JSON.stringify(stored));
        return;
      } catch {
        // Someone else wrote first (or the key was created meanwhile): read again and re-apply.
      }
    }
    throw new Error(`too many concurrent writes to the log of ${task.transition.id}`);
  };
  return {
    async record(task, change) {
      const key = task.transition.id;
      const before = chains.get(key) ?? Promise.resolve();
      const next = before.then(() =>
        write(task, change).catch((err: Error) =>
          log(`notify log: ${task.id} not recorded (${err.message})`),
        ),
      );
      chains.set(key, next);
      await next;
      if (chains.get(key) === next) chains.delete(key);
    },
  };
}
