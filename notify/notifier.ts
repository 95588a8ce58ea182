/**
 * The notifier: three durable stages around the pure ladder (match.ts), like alertmanager's
 * notify pipeline —
 *   CADRE_EVENTS ─router─▶ CADRE_NOTIFY (cadre.notify.webhook | cadre.notify.sms) ─senders─▶ receivers
 * Every hand-over is a JetStream acknowledgement, so a restart or crash loses nothing: what was not
 * acknowledged is offered again, and the ids of tasks keep a re-run from doubling them.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { Config } from '../config/load.js';
import { Kvm } from '@nats-io/kv';
import { BUCKETS, STREAMS, subjects } from '../shared/subjects.js';
import { consumeDurable, ensureDurable, type Consuming, type DurableSpec } from './queue.js';
import { routeTransitions } from './router.js';
import { deliverWebhooks } from './webhook.js';
import { smsSender } from './sms.js';
import { Leases, whileLeased, type Leased } from '../broker/leases.js';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { rememberPhones } from './surveys.js';
import { notifyLog } from './log.js';
import { disabledEndpoints } from './disabled.js';
import { releaseHeld } from './held.js';

export interface NotifierOptions {
  nc: NatsConnection;
  config: Pick<Config, 'notify' | 'topology' | 'cadre'>;
  /** The clock of `webhook-timestamp` and of quiet hours (tests pin it). */
  now?: () => number;
  log?: (line: string) => void;
}

export interface RunningNotifier {
  /** Stops taking work, waits for deliveries in flight, and hands held SMS tasks back to the server. */
  stop(): Promise<void>;
}

/** Durable consumer names: the delivery state of cadre's notifications lives in them. */
export const NOTIFY_CONSUMERS = {
  router: 'cadre_notify_router',
  incidents: 'cadre_notify_incidents',
  /** Complaints' phones for the satisfaction SMS (surveys.ts). */
  contacts: 'cadre_notify_contacts',
  webhook: 'cadre_notify_webhook',
  sms: 'cadre_notify_sms',
  /** Notices held for quiet hours (held.ts). */
  held: 'cadre_notify_held',
} as const;

const ROUTER_CONCURRENCY = 64;
const WEBHOOK_CONCURRENCY = 32;
const SMS_CONCURRENCY = 64;
/** Room on top of the HTTP time limit before the server offers an unacknowledged task again. */
const ACK_MARGIN_MS = 30_000;

export async function startNotifier(options: NotifierOptions): Promise<RunningNotifier> {
  const { nc, config } = options;
  const { notify, topology } = config;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);

  const router: DurableSpec = {
    stream: STREAMS.events.name,
    name: NOTIFY_CONSUMERS.router,
    filter: subjects.eventFilter(),
    ackWaitMs: ACK_MARGIN_MS,
    // A first start notifies from now on, not the whole history of CADRE_EVENTS.
    deliverNew: true,
  };
  // Incidents are told of like events (once for all their grids): the same router, on their subject.
  const incidentRouter: DurableSpec = {
    ...router,
    name: NOTIFY_CONSUMERS.incidents,
    filter: subjects.incident('>'),
  };
  const webhook: DurableSpec = {
    stream: STREAMS.notify.name,
    name: NOTIFY_CONSUMERS.webhook,
    filter: subjects.notify('webhook'),
    ackWaitMs: notify.webhook.timeout + ACK_MARGIN_MS,
  };
  const sms: DurableSpec = {
    stream: STREAMS.notify.name,
    name: NOTIFY_CONSUMERS.sms,
    filter: subjects.notify('sms'),
    // SMS tasks are held for the fold window before their text is sent.
    ackWaitMs: notify.sms.foldWindow + notify.webhook.timeout + ACK_MARGIN_MS,
  };
  const held: DurableSpec = {
    stream: STREAMS.notify.name,
    name: NOTIFY_CONSUMERS.held,
    filter: subjects.notifyHeld(),
    ackWaitMs: ACK_MARGIN_MS,
  };
  const contacts: DurableSpec = {
    stream: STREAMS.input.name,
    name: NOTIFY_CONSUMERS.contacts,
    filter: subjects.input('complaint', '*'),
    ackWaitMs: ACK_MARGIN_MS,
  };
  for (const spec of [router, incidentRouter, webhook, sms, held, contacts]) await ensureDurable(jsm, spec);
  // The buckets are made with the others (ingest/streams.ts); they are only bound here.
  const kvm = new Kvm(js);
  const phones = await kvm.open(BUCKETS.contacts);
  const notices = notifyLog(await kvm.open(BUCKETS.notifyLog), now, log);
  const disabled = await disabledEndpoints(await kvm.open(BUCKETS.notifyDisabled), notify.subscribers, log);
  const routing = { notices, timeZone: config.cadre.timeZone, now };

  // SMS folding holds tasks per phone in memory: one notifier folds at a time (the `notify-sms` lease),
  // the others stand by. Webhooks and routing need no such thing: the work queue shares them out.
  const leases = await Leases.open(
    nc,
    config.cadre.leases.ttl,
    `notifier-${hostname()}-${process.pid}-${randomUUID().slice(0, 6)}`,
    { renewInterval: config.cadre.leases.renewInterval, log },
  );
  let smsStage: Leased | undefined;
  const texts = smsSender({
    js,
    notify,
    allowed: () => smsStage?.held() ?? false,
    notices,
    names: {
      city: (id) => topology.city(id)?.name ?? id,
      grid: (id) => topology.grid(id)?.name ?? id,
    },
    log,
  });
  const running: Consuming[] = [];
  const stop = async () => {
    // Each stage stops taking work and finishes what it is handling; held SMS tasks go back to the server.
    for (const r of running.reverse()) await r.stop();
    await texts.stop();
    await disabled.stop();
    await leases.close();
  };
  try {
    // Events' and incidents' transitions are routed alike, each from its own durable.
    for (const durable of [router, incidentRouter])
      running.push(
        await consumeDurable(
          js,
          durable,
          ROUTER_CONCURRENCY,
          routeTransitions(js, notify.subscribers, phones, log, routing),
          log,
        ),
      );
    running.push(
      await consumeDurable(js, contacts, ROUTER_CONCURRENCY, rememberPhones(phones, topology, log), log),
    );
    running.push(
      await consumeDurable(
        js,
        webhook,
        WEBHOOK_CONCURRENCY,
        deliverWebhooks({ js, notify, now, log, disabled, notices }),
        log,
      ),
    );
    running.push(await consumeDurable(js, held, ROUTER_CONCURRENCY, releaseHeld(js, notices, now, log), log));
    smsStage = whileLeased(
      leases,
      'notify-sms',
      config.cadre.leases.renewInterval,
      () => consumeDurable(js, sms, SMS_CONCURRENCY, texts.handle, log),
      log,
    );
    running.push(smsStage);
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop };
}
