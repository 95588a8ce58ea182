/**
 * The core's public types: what it is built from, what one step returns, and the scorecard line.
 * Internal state types live beside the modules that own them.
 */
import type { Rules } from '../../config/rules.js';
import type { Topology } from '../../config/topology.js';
import type { Reject } from '../../shared/errors.js';
import type { Locale } from '../../shared/titles.js';
import type { EventTransition, IncidentTransition } from '../../shared/schemas.js';
import type { CommandReply } from '../../shared/views.js';

export type ClockMode = 'input' | 'ticks' | 'live';

export interface CoreContext {
  rules: Rules;
  topology: Topology;
  /**
   * `input` (replay): tick inputs and the event times of inputs advance the clock.
   * `live`: tick inputs and the arrival (broker-stored) times of inputs do — both are in the input
   * log, so a restart or a replay of the log moves it alike, and no input waits for a tick.
   * `ticks`: only tick inputs do (re-running a recorded log whose ticks are in it).
   */
  clock: ClockMode;
  /** The language of transition titles (default zh-CN; `titleParts` lets a screen render its own). */
  locale?: Locale;
  /** The zone of the scorecard counters' days (cadre.yaml `timeZone`); UTC when not given. */
  timeZone?: string;
  /** Days of per-grid scorecard counters kept (default 31); replay keeps the whole input span. */
  keepDays?: number;
}

export interface CommandResult {
  commandId: string;
  reply: CommandReply;
}

/** Read-only: an output with nothing in it is one shared object. */
export interface CoreOutput {
  readonly transitions: readonly EventTransition[];
  /** Incident transitions of the same steps, after the events' (incidents.ts). */
  readonly incidents: readonly IncidentTransition[];
  /** Inputs refused by the core itself (absurd time); normalize() catches everything else. */
  readonly rejects: readonly Reject[];
  readonly replies: readonly CommandResult[];
}

export interface CoreCounters {
  /** Inputs older than the watermark on arrival, applied at once out of order. */
  late: number;
  /** Inputs whose dedup key was seen before (ignored). */
  duplicates: number;
  /** Inputs rejected by the time-range check. */
  rejected: number;
  /** Inputs accepted (alarm, kpi, complaint, maintenance, command): neither rejected nor duplicates. */
  applied: number;
}

export type { Scorecard } from '../../contract/scorecard.js';

/** The core's whole state as plain JSON (opaque to callers; `version` says how to restore it). */
export interface CoreSnapshot {
  version: number;
  [key: string]: unknown;
}
