/**
 * The notification log of an event or incident as the gateway answers it (`notifications` of
 * `GET /api/events/:id` and `GET /api/incidents/:id`): read from the notifier's `cadre_notify_log`
 * bucket (notify/log.ts). An event inside an incident was told of through its incident, so its log
 * holds the incident's entries too (`kind: "incident"`). No notifier yet, or the bucket unreadable:
 * an empty log, never a failed request.
 */
import { Kvm, type KV } from '@nats-io/kv';
import type { JetStreamClient } from '@nats-io/jetstream';
import { BUCKETS, kvKey } from '../shared/subjects.js';
import { compile, decodeChecked, type CheckLog } from '../shared/validate.js';
import { NotifyLogDocSchema, type NoticeEntry } from '../shared/views.js';

const NOTIFY_LOG = compile(NotifyLogDocSchema);

const buckets = new WeakMap<JetStreamClient, Promise<KV>>();

function bucket(js: JetStreamClient): Promise<KV> {
  let kv = buckets.get(js);
  if (!kv) {
    kv = new Kvm(js).open(BUCKETS.notifyLog);
    kv.catch(() => buckets.delete(js)); // asked again next time
    buckets.set(js, kv);
  }
  return kv;
}

/** Who was told of these ids (an event, and its incident if any), oldest first. */
export async function notificationsOf(
  js: JetStreamClient,
  ids: readonly (string | undefined)[],
  log?: (err: Error) => void,
  /** Where a document that is not a notification log is said to be skipped. */
  skipped?: CheckLog,
): Promise<NoticeEntry[]> {
  try {
    const kv = await bucket(js);
    const lists = await Promise.all(
      ids.filter((id) => id !== undefined).map((id) => readNotifyLog(kv, id, skipped)),
    );
    return lists.flat().sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
  } catch (err) {
    log?.(err as Error);
    return [];
  }
}

/** The log of one event or incident, oldest first; [] when nothing was told of it (or it is unreadable: logged). */
export async function readNotifyLog(kv: KV, id: string, log?: CheckLog): Promise<NoticeEntry[]> {
  const entry = await kv.get(kvKey(id));
  if (!entry || entry.operation !== 'PUT' || entry.length === 0) return [];
  return decodeChecked(entry, NOTIFY_LOG, log)?.entries ?? [];
}
