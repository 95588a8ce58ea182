/**
 * cadre.yaml (extension): settings of the running system itself rather than of its rules — HTTP
 * limits, the retention of the NATS streams and buckets, the processor's batching. Every default
 * lives here, beside its key.
 */
import { Type, type StaticDecode } from '@sinclair/typebox';
import { duration, int, oneOf, section, timeZone } from './schema_helpers.js';

/** Label (or annotation) names tried in order. */
const names = (defaults: string[]) => Type.Array(Type.String({ minLength: 1 }), { default: defaults });
import { LOCALES } from '../shared/titles.js';

const MiB = 1024 * 1024;

export const CadreSchema = section({
  /** The language of event titles sent out (transitions' `title`, hence SMS); screens pick their own. */
  locale: oneOf(LOCALES, 'zh-CN'),
  /** The operator's zone: every day boundary (scorecards, reports) and every time a screen shows. */
  timeZone: timeZone('Asia/Shanghai'),
  http: section({
    /** The largest request body accepted, in bytes (CONTRACT.md: 413 above it). */
    bodyLimit: int(10 * MiB, { minimum: 1024 }),
    /** Answers at least this many bytes are compressed (br, gzip) for clients that accept it (UI files: always). */
    compressThreshold: int(1024, { minimum: 0 }),
    /**
     * Origins allowed to show the UI in a frame (CSP frame-ancestors), e.g. an operator portal's
     * "https://portal.example"; none by default (the UI is never framed).
     */
    frameAncestors: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
    /** Login attempts allowed per client address within `window`. */
    loginRateLimit: section({ max: int(10, { minimum: 1 }), window: duration('1m') }),
    /** Socket.IO `subscribe` calls allowed per connection within `window` (each sends a snapshot). */
    subscribeRateLimit: section({ max: int(10, { minimum: 1 }), window: duration('10s') }),
    /** Per HTTP ingest request: items taken, bytes of one item (its JSON), rejects listed by index. */
    ingest: section({
      maxItems: int(10_000, { minimum: 1 }),
      maxItemBytes: int(256 * 1024, { minimum: 1024, maximum: 900 * 1024 }),
      maxRejectsListed: int(1000, { minimum: 1 }),
    }),
  }),
  /**
   * How `POST /api/ingest/alertmanager` makes an alarm of an Alertmanager alert: each field from the
   * first of its labels (annotations for `text`) that the alert carries.
   */
  alertmanager: section({
    ne: names(['ne', 'instance']),
    /** Overrides the topology's grid of `ne` (as an alarm's `grid` does). */
    grid: names(['grid']),
    code: names(['alertname']),
    severity: names(['severity']),
    /** Severity label values → cadre severity 1 (worst) … 4. */
    severities: Type.Record(
      Type.String(),
      Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3), Type.Literal(4)]),
      {
        default: { critical: 1, major: 2, minor: 3, warning: 3, info: 4 },
      },
    ),
    /** `fault` or `performance`; alerts without one of these labels are `fault`. */
    category: names(['category']),
    text: names(['summary', 'description']),
  }),
  nats: section({
    /** Replicas of every stream and bucket (1 on a single server, 3 or 5 in a cluster). */
    replicas: int(1, { minimum: 1, maximum: 5 }),
    /** How long the input log (CADRE_IN) keeps messages: the furthest back a rebuild can replay. */
    inputMaxAge: duration('7d'),
    /** How long published transitions (CADRE_EVENTS) and the KV read models are kept. */
    eventsMaxAge: duration('30d'),
    /** How long rejected input (CADRE_DLQ) is kept for inspection. */
    dlqMaxAge: duration('30d'),
    /** JetStream de-duplication window of CADRE_IN and CADRE_DLQ (same Nats-Msg-Id within it is dropped). */
    duplicateWindow: duration('2m'),
    /** De-duplication window of CADRE_EVENTS: covers a processor re-running a batch after a crash. */
    eventsDuplicateWindow: duration('10m'),
  }),
  processor: section({
    /** How often the processor writes its checkpoint (snapshot + last sequence applied). */
    checkpointInterval: duration('5s'),
    /** Messages fetched and applied per batch. */
    batchSize: int(500, { minimum: 1, maximum: 100_000 }),
    /**
     * `all`: one partition, the whole province (a second instance is a hot standby); `cities`: each
     * city is a partition, shared among every running `cadre processor` (docs/architecture.md, HA).
     */
    partitions: oneOf(['all', 'cities'] as const, 'all'),
  }),
  /**
   * Signed commands (docs/reliability.md "Who may speak on the broker"): the gateway signs every
   * command with `key` (HMAC-SHA256), the processor and `cadre replay` accept only commands signed
   * by `key` or one of `previousKeys` (the old key while rotating). Env `CADRE_COMMAND_KEY`
   * overrides `key`; with neither, a role uses `CADRE_DATA/command-key` (created on first start), so
   * give a processor and a gateway on different machines the same key.
   */
  commands: section({
    key: Type.Optional(Type.String({ minLength: 16 })),
    previousKeys: Type.Array(Type.String({ minLength: 16 }), { default: [] }),
  }),
  /** Ownership of partitions (and of the SMS folding stage) by leases in the KV bucket cadre_leases. */
  leases: section({
    /**
     * A lease not renewed for this long expires and another instance takes the work: the failover
     * time. Longer than a JetStream leader election (a few seconds), or a node loss moves every partition.
     */
    ttl: duration('10s'),
    /** How often an owner renews its leases and looks for partitions to take or give back. */
    renewInterval: duration('1s'),
  }),
});

export type CadreSettings = StaticDecode<typeof CadreSchema>;
