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

export const processorLagSeconds = new Gauge({
  name: 'cadre_processor_lag_seconds',
  help: 'How far the processor is behind the newest input (wall clock minus the publish time of the last applied message)',
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

let processMetricsOn = false;

/** Adds Node's process metrics (CPU, memory, event-loop lag) to the registry; for the app, once. */
export function enableProcessMetrics(): void {
  if (processMetricsOn) return;
  processMetricsOn = true;
  collectDefaultMetrics({ register: registry, prefix: 'cadre_' });
}
