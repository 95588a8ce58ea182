/**
 * The satisfaction SMS (CONTRACT.md "Deal"): resolving a complaint event sends each of its customers
 * with a phone one text asking whether they are satisfied; the SMS gateway's reply callback answers
 * `POST /api/complaints/:id/satisfaction`. Phone numbers never travel with events (screens and read
 * models see the last four digits only): the notifier keeps complaint → phone itself, in the
 * `cadre_contacts` bucket, from the complaints of the input log.
 */
import type { JsMsg } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { Topology } from '../config/topology.js';
import { normalize } from '../contract/normalize.js';
import type { EventTransition } from '../shared/schemas.js';
import { kvKey } from '../shared/subjects.js';
import type { NotifyTask } from './task.js';

/** The subscriber name of survey tasks: the customer, not anyone in notify.yaml. */
export const CUSTOMER = 'customer';

/** Follows CADRE_IN's complaints: each valid one with a phone is remembered under its id. */
export function rememberPhones(contacts: KV, topology: Topology, log: (line: string) => void) {
  return async (m: JsMsg): Promise<void> => {
    let raw: unknown;
    try {
      raw = m.json();
    } catch {
      m.ack(); // bad input is the DLQ's business (intake), not ours
      return;
    }
    const n = normalize(raw, 'complaint', topology);
    const phone = n.ok && n.input.type === 'complaint' ? n.input.msg.customer.phone : undefined;
    if (n.ok && n.input.type === 'complaint' && phone) {
      try {
        await contacts.put(kvKey(n.input.msg.id), phone);
      } catch (err) {
        log(`surveys: phone of ${n.input.msg.id} not kept (${(err as Error).message}), retrying`);
        m.nak(2000);
        return;
      }
    }
    m.ack();
  };
}

/**
 * The survey tasks of a transition: one per work order with a phone, when a complaint event is
 * resolved by a dispatcher (a complaint event that clears by itself asks nobody). Ids are stable
 * (`survey:<event>:<complaint>`), so a transition routed twice queues each survey once.
 */
export async function surveyTasks(contacts: KV, t: EventTransition): Promise<NotifyTask[]> {
  if (t.rule !== 'complaint' || t.transition !== 'resolved' || !t.workOrders) return [];
  const tasks: NotifyTask[] = [];
  for (const order of t.workOrders) {
    if (!order.phone4) continue;
    const entry = await contacts.get(kvKey(order.complaint));
    const phone = entry?.string();
    if (!phone) continue;
    tasks.push({
      id: `survey:${t.id}:${order.complaint}`,
      subscriber: CUSTOMER,
      channel: 'sms',
      transition: t,
      survey: { complaint: order.complaint, phone },
    });
  }
  return tasks;
}

/** One SMS in plain Chinese; the reply ("1" or "2") comes back through the SMS gateway's callback. */
export function surveyText(complaint: string): string {
  return `您的投诉（${complaint}）已处理。满意请回复1，不满意请回复2。`;
}
