/** Builders of replay input lines and a runner over the core, for the processor tests. */
import { readFileSync } from 'node:fs';
import { rulesFrom } from '../../config/load.js';
import { Topology, type TopologyFile } from '../../config/topology.js';
import { normalize, type Input } from '../../contract/normalize.js';
import type { EventTransition } from '../../shared/schemas.js';
import { Core, type ClockMode, type CoreOutput } from '../../processor/core/index.js';

export const SCENARIOS = new URL('../fixtures/scenarios/', import.meta.url).pathname;
export const topology = new Topology(
  JSON.parse(readFileSync(`${SCENARIOS}topology.json`, 'utf8')) as TopologyFile,
);

/** 2026-10-15T09:00:00+08:00, the scenarios' origin. */
/** The JSON objects of NDJSON text (empty lines skipped). */
export function ndjson<T = Record<string, unknown>>(text: string): T[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}

export const T0 = Date.parse('2026-10-15T01:00:00Z');
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
export const iso = (minutes: number) => new Date(T0 + minutes * MIN).toISOString();

type Line = Record<string, unknown>;

export function alarm(
  id: string,
  ne: string,
  code: string,
  state: 'raised' | 'cleared',
  minute: number,
  extra: Line = {},
): Line {
  return { type: 'alarm', id, ne, severity: 1, category: 'fault', code, state, time: iso(minute), ...extra };
}
export function raised(id: string, ne: string, code: string, minute: number, extra: Line = {}): Line {
  return alarm(id, ne, code, 'raised', minute, extra);
}
export function cleared(id: string, ne: string, code: string, minute: number, extra: Line = {}): Line {
  return alarm(id, ne, code, 'cleared', minute, extra);
}
export function kpi(ne: string, minute: number, metrics: Line, competitor?: Line): Line {
  return { type: 'kpi', ne, time: iso(minute), period: 900, metrics, ...(competitor ? { competitor } : {}) };
}
export function complaint(
  id: string,
  minute: number,
  customer: string,
  tier: number,
  grid: string,
  extra: Line = {},
): Line {
  return {
    type: 'complaint',
    id,
    time: iso(minute),
    customer: { id: customer, tier },
    category: 'voice',
    grid,
    ...extra,
  };
}
export function tick(minute: number): Line {
  return { type: 'tick', time: iso(minute) };
}
export function command(id: string, action: string, event: string, minute: number, extra: Line = {}): Line {
  return { type: 'command', id, action, event, by: 'disp-1', time: iso(minute), ...extra };
}

export function toInput(line: Line): Input {
  const n = normalize(line, undefined, topology);
  if (!n.ok) throw new Error(`test input rejected: ${n.reject.reason}`);
  return n.input;
}

export interface Run {
  core: Core;
  transitions: EventTransition[];
  outputs: CoreOutput[];
}

/** Pushes the lines through a fresh core (and flushes): every output, in order. */
export function run(lines: Line[], rules: Record<string, unknown> = {}, clock: ClockMode = 'input'): Run {
  const core = new Core({ rules: rulesFrom(rules), topology, clock });
  return continueRun({ core, transitions: [], outputs: [] }, lines, true);
}

export function continueRun(r: Run, lines: Line[], flush: boolean): Run {
  for (const line of lines) collect(r, r.core.push(toInput(line)));
  if (flush) collect(r, r.core.flush());
  return r;
}

function collect(r: Run, out: CoreOutput): void {
  r.outputs.push(out);
  r.transitions.push(...out.transitions);
}

/** The transitions of one grid and rule. */
export function of(transitions: EventTransition[], grid: string, rule: string): EventTransition[] {
  return transitions.filter((t) => t.grid === grid && t.rule === rule);
}

export const minutesBetween = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / MIN;

/** Where two texts part, with a little of each around it; undefined when they are the same. */
export function firstDifference(a: string, b: string): string | undefined {
  if (a === b) return undefined;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i}: …${a.slice(Math.max(0, i - 80), i + 80)}… vs …${b.slice(Math.max(0, i - 80), i + 80)}…`;
}
