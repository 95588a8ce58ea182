/**
 * Validation and normalization of one input message: the single gate every input path uses (HTTP
 * ingest, the processor's NATS intake, replay). Pure: the topology and `now` are passed in.
 */
import {
  INPUT_SCHEMAS,
  type Alarm,
  type Command,
  type Complaint,
  type InputType,
  type Kpi,
  type Maintenance,
} from '../shared/schemas.js';
import { compile } from '../shared/validate.js';
import { reject, type Reject } from '../shared/errors.js';
import { parseTime } from '../shared/time.js';
import { messageId } from '../shared/subjects.js';
import type { Topology } from '../config/topology.js';

interface Located {
  /** Event time, epoch ms. */
  time: number;
  grid: string;
  city: string;
  /**
   * When it reached the input log (the broker's stored time, epoch ms), when known: live, a time
   * further ahead of its own arrival than rules.maxFuture is absurd. Part of the log, so replaying
   * the stored log judges it the same way.
   */
  arrival?: number;
}
export type AlarmInput = Located & { type: 'alarm'; msg: Alarm };
export type KpiInput = Located & { type: 'kpi'; msg: Kpi };
/** Alarms and KPI samples are duplicates by id and instant (core/seen.ts); the rest by `key`. */
export type ComplaintInput = Located & {
  type: 'complaint';
  /** Dedup id (also the JetStream Nats-Msg-Id). */
  key: string;
  msg: Complaint;
};
export interface MaintenanceInput {
  type: 'maintenance';
  key: string;
  start: number;
  end: number;
  msg: Maintenance;
}
export interface TickInput {
  type: 'tick';
  time: number;
  /** As on every input from the log: when the broker stored it. */
  arrival?: number;
}
export interface CommandInput {
  type: 'command';
  time: number;
  key: string;
  arrival?: number;
  msg: Command;
}
export type Input = AlarmInput | KpiInput | ComplaintInput | MaintenanceInput | TickInput | CommandInput;

export type Normalized = { ok: true; input: Input } | { ok: false; reject: Reject };

const validators = Object.fromEntries(
  Object.entries(INPUT_SCHEMAS).map(([type, schema]) => [type, compile(schema)]),
) as { [K in InputType]: ReturnType<typeof compile<(typeof INPUT_SCHEMAS)[K]>> };

const fail = (r: Reject): Normalized => ({ ok: false, reject: r });

/** Parses JSON text; a reject names the parse error. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; reject: Reject } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, reject: reject('CADRE_ERR_BAD_JSON', `bad JSON: ${(err as Error).message}`) };
  }
}

/**
 * Validates `raw` as an input of `expected` type (or of its own `type` field when `expected` is
 * undefined, as in replay) and resolves its grid and city from the topology.
 */
export function normalize(raw: unknown, expected: InputType | undefined, topology: Topology): Normalized {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return fail(reject('CADRE_ERR_SCHEMA', '/: expected a JSON object'));
  const declared = (raw as { type?: unknown }).type;
  const type = (expected ?? declared) as InputType;
  if (!(type in validators))
    return fail(reject('CADRE_ERR_UNKNOWN_TYPE', `unknown type ${JSON.stringify(declared)}`));
  if (declared !== undefined && declared !== type)
    return fail(reject('CADRE_ERR_SCHEMA', `/type: is ${JSON.stringify(declared)} on the ${type} path`));
  const validator = validators[type];
  if (!validator.check(raw)) return fail(reject('CADRE_ERR_SCHEMA', validator.explain(raw)));

  switch (type) {
    case 'alarm':
      return alarm(raw as Alarm, topology);
    case 'kpi':
      return kpi(raw as Kpi, topology);
    case 'complaint':
      return complaint(raw as Complaint, topology);
    case 'maintenance':
      return maintenance(raw as Maintenance, topology);
    case 'tick': {
      const text = (raw as { time: string }).time;
      const time = parseTime(text);
      return Number.isNaN(time) ? badTime(text) : ok({ type: 'tick', time });
    }
    case 'command': {
      const msg = raw as Command;
      const time = parseTime(msg.time);
      if (Number.isNaN(time)) return badTime(msg.time);
      return ok({ type: 'command', time, key: messageId('command', msg), msg });
    }
  }
}

const ok = (input: Input): Normalized => ({ ok: true, input });
const badTime = (text: string): Normalized =>
  fail(reject('CADRE_ERR_TIME_RANGE', `/time: ${text} is not a valid time`));

function alarm(msg: Alarm, topology: Topology): Normalized {
  const element = topology.element(msg.ne);
  const gridId = msg.grid ?? element?.grid;
  if (!gridId) return fail(reject('CADRE_ERR_UNKNOWN_ELEMENT', `unknown element ${msg.ne}`));
  const grid = topology.grid(gridId);
  if (!grid) return fail(reject('CADRE_ERR_UNKNOWN_GRID', `unknown grid ${gridId}`));
  const time = parseTime(msg.time);
  if (Number.isNaN(time)) return badTime(msg.time);
  return ok({ type: 'alarm', time, grid: grid.id, city: grid.city, msg });
}

function kpi(msg: Kpi, topology: Topology): Normalized {
  const element = topology.element(msg.ne);
  if (!element) return fail(reject('CADRE_ERR_UNKNOWN_ELEMENT', `unknown element ${msg.ne}`));
  const grid = topology.grid(element.grid);
  if (!grid)
    return fail(reject('CADRE_ERR_UNKNOWN_GRID', `unknown grid ${element.grid} of element ${msg.ne}`));
  const time = parseTime(msg.time);
  if (Number.isNaN(time)) return badTime(msg.time);
  return ok({ type: 'kpi', time, grid: grid.id, city: grid.city, msg });
}

function complaint(msg: Complaint, topology: Topology): Normalized {
  let gridId: string | undefined;
  if (msg.grid !== undefined) {
    if (!topology.grid(msg.grid)) return fail(reject('CADRE_ERR_UNKNOWN_GRID', `unknown grid ${msg.grid}`));
    gridId = msg.grid;
  } else if (msg.ne !== undefined) {
    gridId = topology.element(msg.ne)?.grid;
    if (!gridId) return fail(reject('CADRE_ERR_UNKNOWN_ELEMENT', `unknown element ${msg.ne}`));
  } else if (msg.location) {
    gridId = topology.gridAt(msg.location.lon, msg.location.lat)?.id;
    if (!gridId)
      return fail(
        reject(
          'CADRE_ERR_NO_GRID',
          `no grid holds or is within 2 km of ${msg.location.lon},${msg.location.lat}`,
        ),
      );
  } else {
    return fail(reject('CADRE_ERR_NO_GRID', 'a complaint needs grid, ne or location'));
  }
  const grid = topology.grid(gridId);
  if (!grid) return fail(reject('CADRE_ERR_UNKNOWN_GRID', `unknown grid ${gridId}`));
  const time = parseTime(msg.time);
  if (Number.isNaN(time)) return badTime(msg.time);
  return ok({
    type: 'complaint',
    time,
    grid: grid.id,
    city: grid.city,
    key: messageId('complaint', msg),
    msg,
  });
}

function maintenance(msg: Maintenance, topology: Topology): Normalized {
  const unknownGrid = msg.grids?.find((g) => !topology.grid(g));
  if (unknownGrid) return fail(reject('CADRE_ERR_UNKNOWN_GRID', `unknown grid ${unknownGrid}`));
  const unknownElement = msg.elements?.find((e) => !topology.element(e));
  if (unknownElement) return fail(reject('CADRE_ERR_UNKNOWN_ELEMENT', `unknown element ${unknownElement}`));
  if (!msg.grids?.length && !msg.elements?.length)
    return fail(reject('CADRE_ERR_SCHEMA', '/grids: a maintenance window needs grids or elements'));
  const start = parseTime(msg.start);
  const end = parseTime(msg.end);
  if (Number.isNaN(start) || Number.isNaN(end) || end <= start)
    return fail(
      reject('CADRE_ERR_TIME_RANGE', `/end: the window ${msg.start} – ${msg.end} is empty or invalid`),
    );
  return { ok: true, input: { type: 'maintenance', key: messageId('maintenance', msg), start, end, msg } };
}

/**
 * The absurd-time check against a clock (the wall clock at HTTP ingest, the core's clock in the
 * processor): null when `time` is within [now − maxAge, now + maxFuture].
 */
export function checkTimeRange(
  time: number,
  now: number,
  maxAgeMs: number,
  maxFutureMs: number,
): Reject | null {
  if (time > now + maxFutureMs)
    return reject('CADRE_ERR_TIME_RANGE', `/time: ${Math.round((time - now) / 1000)} s ahead of the clock`);
  if (time < now - maxAgeMs)
    return reject(
      'CADRE_ERR_TIME_RANGE',
      `/time: ${Math.round((now - time) / 1000)} s older than the clock allows`,
    );
  return null;
}
