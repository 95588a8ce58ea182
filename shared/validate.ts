/** Compiled validators that name the field and the rule broken. */
import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import {
  EventTransitionSchema,
  IncidentTransitionSchema,
  type EventTransition,
  type IncidentTransition,
} from './schemas.js';

/** Checks that a value is a V, and says why one is not. */
export interface Checker<V> {
  check(value: unknown): value is V;
  /** The first problem as `path: message`, e.g. `/customer/tier: Expected union value`. */
  explain(value: unknown): string;
}

export type Validator<T extends TSchema> = Checker<Static<T>>;

export function compile<T extends TSchema>(schema: T): Validator<T> {
  const checker: TypeCheck<T> = TypeCompiler.Compile(schema);
  return {
    check: (value): value is Static<T> => checker.Check(value),
    explain: (value) => describeErrors(checker, value),
  };
}

function describeErrors(checker: TypeCheck<TSchema>, value: unknown): string {
  // The deepest error is the most specific one: a union reports its own failure before the member's.
  const errors = [...checker.Errors(value)].slice(0, 8);
  if (errors.length === 0) return 'invalid';
  const first = errors.reduce((a, b) => (b.path.length > a.path.length ? b : a));
  const allowed = first.schema.anyOf
    ? ` (one of ${first.schema.anyOf.map((s: { const?: unknown }) => JSON.stringify(s.const)).join(', ')})`
    : '';
  return `${first.path || '/'}: ${first.message}${allowed}`;
}

/** Where a reader logs what it skipped: a pino-like logger, or the notifier's line log. */
export type CheckLog = { warn(obj: object, msg: string): void } | ((line: string) => void);

/**
 * A message or KV entry read from NATS: JetStream and core messages (subject, seq) and KV entries
 * (bucket, key, revision) all have `json()`; the other fields name it in the log line.
 */
export interface ReadFromNats {
  json<T = unknown>(): T;
  subject?: string;
  seq?: number;
  bucket?: string;
  key?: string;
  revision?: number;
}

/**
 * The one way cadre's readers take a message from NATS: parsed and checked by the compiled schema
 * of what should be there. Anything else (not JSON, another shape: a foreign publisher, input the
 * processor rejected, another version's document) is logged once, naming where it was read and the
 * first problem, and answered undefined. Never throws, so it is safe in a subscription callback.
 */
export function decodeChecked<V>(m: ReadFromNats, validator: Checker<V>, log?: CheckLog): V | undefined {
  let value: unknown;
  let problem: string;
  try {
    value = m.json<unknown>();
    if (validator.check(value)) return value;
    problem = validator.explain(value);
  } catch (err) {
    problem = `not JSON (${(err as Error).message})`;
  }
  const where = whereRead(m);
  if (typeof log === 'function') log(`${where}: unreadable message skipped: ${problem}`);
  else
    log?.warn({ where, subject: m.subject, seq: m.seq, key: m.key, problem }, 'unreadable message skipped');
  return undefined;
}

function whereRead(m: ReadFromNats): string {
  if (m.key !== undefined)
    return `${m.bucket ?? 'KV'} ${m.key}${m.revision === undefined ? '' : ` rev ${m.revision}`}`;
  return m.seq === undefined ? `${m.subject}` : `${m.subject} #${m.seq}`;
}

const EVENT_TRANSITION = compile(EventTransitionSchema);
const INCIDENT_TRANSITION = compile(IncidentTransitionSchema);
const byKind = (value: unknown) =>
  (value as { kind?: unknown } | null)?.kind === 'incident' ? INCIDENT_TRANSITION : EVENT_TRANSITION;

/**
 * An event's or an incident's transition (they share CADRE_EVENTS and KV `cadre_events`): the
 * document's `kind` picks the schema, so a problem is explained by its own kind's.
 */
export const TRANSITION_DOC: Checker<EventTransition | IncidentTransition> = {
  check: (value): value is EventTransition | IncidentTransition => byKind(value).check(value),
  explain: (value) => byKind(value).explain(value),
};
