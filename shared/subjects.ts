/**
 * NATS subjects, streams and buckets. The last token of an input subject is the producer's city:
 * the partition key a scaled-out processor filters on (`cadre.in.*.<city>`).
 */
import type { InputType, ProducerType } from './schemas.js';
import { parseTime } from './time.js';

export const subjects = {
  input: (type: InputType, city: string) => `cadre.in.${type}.${city}`,
  /** All input of one partition: a city, or `>`-style everything. */
  inputFilter: (partition: string | undefined) => (partition ? `cadre.in.*.${partition}` : 'cadre.in.>'),
  dlq: (type: string) => `cadre.dlq.${type}`,
  tick: (partition: string | undefined) => `cadre.in.tick.${partition ?? 'all'}`,
  commandReply: (commandId: string) => `cadre.reply.command.${commandId}`,
  processorStats: (partition: string | undefined) => `cadre.stats.processor.${partition ?? 'all'}`,
  event: (city: string, grid: string) => `cadre.event.${city}.${grid}`,
  /** Incident transitions (CONTRACT.md "Incidents"), in the events stream beside the events'. */
  incident: (city: string) => `cadre.incident.${city}`,
  eventFilter: (city?: string) => (city ? `cadre.event.${city}.>` : 'cadre.event.>'),
  /** Notification tasks (work queue CADRE_NOTIFY), one subject per channel. */
  notify: (channel: 'webhook' | 'sms') => `cadre.notify.${channel}`,
  /** Notifications given up after the last retry, kept for inspection (CADRE_NOTIFY_FAILED). */
  notifyFailed: (channel: 'webhook' | 'sms') => `cadre.notify.failed.${channel}`,
  /** Notices held for a subscriber's quiet hours, released to their channel's subject when they end. */
  notifyHeld: () => 'cadre.notify.held',
};

/** Streams: the input log (the processor's source of truth), the DLQ, the published transitions, notifications. */
export const STREAMS = {
  input: { name: 'CADRE_IN', subjects: ['cadre.in.>'] },
  dlq: { name: 'CADRE_DLQ', subjects: ['cadre.dlq.>'] },
  events: { name: 'CADRE_EVENTS', subjects: ['cadre.event.>', 'cadre.incident.>'] },
  /** The notifier's durable outbox: a work queue, a task leaves it when delivered or given up. */
  notify: {
    name: 'CADRE_NOTIFY',
    subjects: ['cadre.notify.webhook', 'cadre.notify.sms', 'cadre.notify.held'],
  },
  notifyFailed: { name: 'CADRE_NOTIFY_FAILED', subjects: ['cadre.notify.failed.>'] },
} as const;

/** KV buckets (read models, leases) and the object store of processor checkpoints. */
export const BUCKETS = {
  events: 'cadre_events',
  grids: 'cadre_grids',
  /** Deal: complaint id → the customer's phone, for the satisfaction SMS (notify/surveys.ts). */
  contacts: 'cadre_contacts',
  checkpoints: 'cadre_checkpoints',
  /** Who owns which partition (and the SMS stage): broker/leases.ts. */
  leases: 'cadre_leases',
  /** The notification log: event or incident id → who was told what, when, how (notify/log.ts). */
  notifyLog: 'cadre_notify_log',
  /** Webhook endpoints that answered 410 Gone: subscriber → when and at which url (notify/disabled.ts). */
  notifyDisabled: 'cadre_notify_disabled',
} as const;

/** KV keys allow `[-/_=.a-zA-Z0-9]`; any other id is hex-encoded behind an `x_` prefix. */
export function kvKey(id: string): string {
  return /^[-_=.a-zA-Z0-9]+$/.test(id) ? id : `x_${Buffer.from(id).toString('hex')}`;
}

export const HEADERS = {
  msgId: 'Nats-Msg-Id',
  rejectReason: 'Cadre-Reject-Reason',
  rejectCode: 'Cadre-Reject-Code',
  /** On a DLQ message: where the rejected message was published, and its sequence in CADRE_IN. */
  originalSubject: 'Cadre-Original-Subject',
  originalSeq: 'Cadre-Original-Seq',
} as const;

/** The city token of an input subject, or undefined when the subject is not one. */
export function cityOfSubject(subject: string): string | undefined {
  const parts = subject.split('.');
  return parts.length === 4 && parts[0] === 'cadre' && parts[1] === 'in' ? parts[3] : undefined;
}

export function typeOfSubject(subject: string): string | undefined {
  const parts = subject.split('.');
  return parts.length === 4 && parts[0] === 'cadre' && parts[1] === 'in' ? parts[2] : undefined;
}

/**
 * The dedup id of an input (JetStream `Nats-Msg-Id` and the core's own duplicate check), by meaning:
 * a time is keyed as its instant (epoch ms), so the same alarm re-sent with `+08:00` instead of `Z`
 * is the same message. No grid: a re-send with another `grid` override is still the same alarm.
 */
export function messageId(
  type: ProducerType | 'maintenance' | 'command',
  msg: Record<string, unknown>,
): string {
  switch (type) {
    case 'alarm':
      return `alarm:${msg.id}:${msg.state}:${parseTime(msg.time as string)}`;
    case 'kpi':
      return `kpi:${msg.ne}:${parseTime(msg.time as string)}`;
    case 'complaint':
      return `complaint:${msg.id}`;
    case 'maintenance':
      return `maintenance:${msg.id}`;
    case 'command':
      return `command:${msg.id}`;
  }
}
