/**
 * Every Prometheus metric of cadre, defined once in one registry (`GET /metrics` serves it). Roles
 * import the metric they move; nobody creates their own. Names and labels of the contract
 * (CONTRACT.md, "HTTP API") are fixed; the others are extensions, documented where they are used.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();

// ---- The contract's metrics.

/** Input items accepted (HTTP ingest: stored in CADRE_IN, duplicates included). */
export const ingestedTotal = new Counter({
  name: 'cadre_ingested_total',
  help: 'Input items accepted into the input log, by type',
  labelNames: ['type'] as const,
  registers: [registry],
});

/** Input rejected anywhere (HTTP ingest, processor intake); `reason` is `reasonLabel(code)`. */
export const rejectedTotal = new Counter({
  name: 'cadre_rejected_total',
  help: 'Input items rejected, by type and reason code',
  labelNames: ['type', 'reason'] as const,
  registers: [registry],
});

/** Inputs applied by the processor core. Hot path: use `processedTotal.labels(type)` once and keep it. */
export const processedTotal = new Counter({
  name: 'cadre_processed_total',
  help: 'Inputs applied by the processor, by type',
  labelNames: ['type'] as const,
  registers: [registry],
});

/**
 * One series per partition this process runs; none at all in a process without a processor (a
 * gateway alone), so a missing processor never reads as "0 s behind".
 */
export const processorLagSeconds = new Gauge({
  name: 'cadre_processor_lag_seconds',
  help: 'How far the processor is behind the newest input (wall clock minus the publish time of the last applied message), by partition',
  labelNames: ['partition'] as const,
  registers: [registry],
});

export const eventsTotal = new Counter({
  name: 'cadre_events_total',
  help: 'Event transitions published, by level and transition',
  labelNames: ['level', 'transition'] as const,
  registers: [registry],
});

export const socketClients = new Gauge({
  name: 'cadre_socket_clients',
  help: 'Connected Socket.IO /live clients',
  registers: [registry],
});

export const notificationsTotal = new Counter({
  name: 'cadre_notifications_total',
  help: 'Notification deliveries, by channel and outcome',
  labelNames: ['channel', 'outcome'] as const,
  registers: [registry],
});

// ---- Extensions.

/** Accepted items JetStream already held (same Nats-Msg-Id within the duplicate window). */
export const ingestDuplicatesTotal = new Counter({
  name: 'cadre_ingest_duplicates_total',
  help: 'Accepted input items that JetStream recognised as duplicates and did not store again',
  labelNames: ['type'] as const,
  registers: [registry],
});

/** Valid items HTTP ingest could not store (NATS unavailable or timed out); the request answered 503. */
export const ingestStoreFailuresTotal = new Counter({
  name: 'cadre_ingest_store_failures_total',
  help: 'Valid input items that could not be stored in JetStream, by type',
  labelNames: ['type'] as const,
  registers: [registry],
});

export const ingestRequestSeconds = new Histogram({
  name: 'cadre_ingest_request_seconds',
  help: 'Duration of HTTP ingest requests until the answer (all accepted items stored)',
  labelNames: ['type'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

/** Rejected NATS input written to CADRE_DLQ, by outcome `stored` or `failed`. */
export const dlqPublishedTotal = new Counter({
  name: 'cadre_dlq_published_total',
  help: 'Rejected NATS input written to the dead-letter stream, by type and outcome',
  labelNames: ['type', 'outcome'] as const,
  registers: [registry],
});

/** Processor outputs the server refused for good (too large), dead-lettered to `cadre.dlq.output`. */
export const outputsRefusedTotal = new Counter({
  name: 'cadre_outputs_refused_total',
  help: 'Processor outputs refused for good by NATS (e.g. over max_payload), dead-lettered',
  labelNames: ['what'] as const,
  registers: [registry],
});

export const shadowFailuresTotal = new Counter({
  name: 'cadre_shadow_failures_total',
  help: "Checkpoints the processor took on its own thread: the shadow core's thread failed or was not in the same state (a defect)",
  registers: [registry],
});

// ---- Latency histograms (seconds): what an operator is promised — a change on screen within seconds.

/** Buckets from 5 ms to 1 min: live paths are sub-second; catching up on a backlog is minutes. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** From an input's arrival in CADRE_IN (its JetStream time) to the transition it caused stored in CADRE_EVENTS. */
export const inputToTransitionSeconds = new Histogram({
  name: 'cadre_input_to_transition_seconds',
  help: 'Seconds from an input stored in the input log to the event transition it caused stored in CADRE_EVENTS',
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

/** From a transition stored in CADRE_EVENTS to its `events` batch written to a screen's socket (per screen). */
export const transitionToScreenSeconds = new Histogram({
  name: 'cadre_transition_to_screen_seconds',
  help: 'Seconds from an event transition stored in CADRE_EVENTS to its Socket.IO events batch sent to a screen',
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

/** One webhook POST, from sending to the subscriber's answer (or the timeout), by outcome sent|retried|failed. */
export const webhookDeliverySeconds = new Histogram({
  name: 'cadre_webhook_delivery_seconds',
  help: 'Seconds one webhook delivery attempt took until the subscriber answered, by outcome',
  labelNames: ['outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

/** 1 while a webhook subscriber's endpoint is disabled (it answered 410 Gone), else 0 (notify/disabled.ts). */
export const webhookEndpointDisabled = new Gauge({
  name: 'cadre_webhook_endpoint_disabled',
  help: 'Whether a webhook subscriber is disabled because its endpoint answered 410 Gone (1) or not (0)',
  labelNames: ['subscriber'] as const,
  registers: [registry],
});

let processMetricsOn = false;

/** Adds Node's process metrics (CPU, memory, event-loop lag) to the registry; for the app, once. */
export function enableProcessMetrics(): void {
  if (processMetricsOn) return;
  processMetricsOn = true;
  collectDefaultMetrics({ register: registry, prefix: 'cadre_' });
  // Gauges named like counters fail `promtool check metrics`; the same figures stay in
  // cadre_nodejs_active_{handles,requests,resources}{type}, which these only sum.
  for (const name of ['handles', 'requests', 'resources'])
    registry.removeSingleMetric(`cadre_nodejs_active_${name}_total`);
}
