/**
 * Webhook endpoints that said `410 Gone` are disabled: no more deliveries to that subscriber, kept in
 * the `cadre_notify_disabled` bucket (subscriber → {url, at, task}) so a restart, or another
 * notifier, keeps it disabled. A disablement holds for the url that answered 410: an operator
 * re-enables the subscriber by deleting its key (`nats kv del cadre_notify_disabled <name>`) or by
 * giving it a new url in notify.yaml. Said on /metrics (`cadre_webhook_endpoint_disabled`) and in the log.
 */
import { KvWatchInclude, type KV } from '@nats-io/kv';
import { Type, type Static } from '@sinclair/typebox';
import type { Subscriber } from '../config/notify.js';
import { webhookEndpointDisabled } from '../shared/metrics.js';
import { kvKey } from '../shared/subjects.js';
import { compile, decodeChecked } from '../shared/validate.js';

export const DisablementSchema = Type.Object({
  subscriber: Type.String(),
  url: Type.String(),
  /** When the endpoint answered 410, ISO. */
  at: Type.String(),
  /** The task the 410 answered. */
  task: Type.String(),
  status: Type.Number(),
});
export type Disablement = Static<typeof DisablementSchema>;
const DISABLEMENT = compile(DisablementSchema);

export interface DisabledEndpoints {
  /** The disablement of this subscriber's current url, if any. */
  of(subscriber: Subscriber): Disablement | undefined;
  disable(subscriber: Subscriber, task: string, status: number, at: number): Promise<void>;
  stop(): Promise<void>;
}

export async function disabledEndpoints(
  kv: KV,
  subscribers: readonly Subscriber[],
  log: (line: string) => void,
): Promise<DisabledEndpoints> {
  const byKey = new Map(subscribers.map((s) => [kvKey(s.name), s]));
  const known = new Map<string, Disablement>();
  const show = (s: Subscriber) =>
    webhookEndpointDisabled.set({ subscriber: s.name }, known.get(s.name)?.url === s.url ? 1 : 0);
  for (const s of subscribers) if (s.channel === 'webhook') show(s);

  // Updates from now on first, then what is stored: nothing written in between is missed.
  const watch = await kv.watch({ include: KvWatchInclude.UpdatesOnly });
  const loop = (async () => {
    for await (const e of watch) {
      const s = byKey.get(e.key);
      const put = e.operation === 'PUT' && e.length > 0;
      // A value that is no disablement is logged and changes nothing.
      const d = put ? decodeChecked(e, DISABLEMENT, log) : undefined;
      if (d) {
        known.set(d.subscriber, d);
        if (s && d.url === s.url)
          log(`webhook: subscriber ${s.name} is disabled (${d.url} answered ${d.status} at ${d.at})`);
      } else if (s && !put) {
        if (known.delete(s.name)) log(`webhook: subscriber ${s.name} is enabled again`);
      }
      if (s) show(s);
    }
  })();
  for await (const key of await kv.keys()) {
    const e = await kv.get(key);
    const s = byKey.get(key);
    const d = e?.operation === 'PUT' && e.length > 0 ? decodeChecked(e, DISABLEMENT, log) : undefined;
    if (d && !known.has(d.subscriber)) {
      known.set(d.subscriber, d);
      if (s && d.url === s.url)
        log(`webhook: subscriber ${s.name} is disabled (${d.url} answered ${d.status} at ${d.at})`);
    }
    if (s) show(s);
  }

  return {
    of(s) {
      const d = known.get(s.name);
      return d && d.url === s.url ? d : undefined;
    },
    async disable(s, task, status, at) {
      const d: Disablement = {
        subscriber: s.name,
        url: s.url ?? '',
        at: new Date(at).toISOString(),
        task,
        status,
      };
      known.set(s.name, d);
      show(s);
      await kv.put(kvKey(s.name), JSON.stringify(d));
    },
    async stop() {
      watch.stop();
      await loop;
    },
  };
}
