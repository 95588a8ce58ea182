/**
 * `cadre replay`: NDJSON lines through the one validation gate and the processor core, transitions
 * out as JSON lines, rejects as JSON lines on the error side. Deterministic: the same input gives
 * byte-identical output. IO-free itself: the caller hands in the lines and the two writers.
 */
import type { Rules } from '../config/rules.js';
import type { Topology } from '../config/topology.js';
import { normalize, parseJson, type Input } from '../contract/normalize.js';
import type { Locale } from '../shared/titles.js';
import { Core, type ClockMode, type CoreOutput } from './core/index.js';
import { forgedInput, type CommandKeys } from '../shared/command_signature.js';

export interface ReplaySource {
  /** Named in rejects when there is more than one source. */
  name: string;
  lines: AsyncIterable<string>;
}

export interface ReplayOptions {
  rules: Rules;
  topology: Topology;
  scorecards?: boolean;
  clock?: ClockMode;
  locale?: Locale;
  /** The zone of scorecard days (cadre.yaml `timeZone`); UTC when not given. */
  timeZone?: string;
  /**
   * Commands must be signed by one of these keys, as the live processor requires: a command it
   * dead-lettered (forged, unsigned) is still in CADRE_IN, and replay refuses it the same way.
   */
  commandKeys?: CommandKeys;
  /** Sees every input the core took, and the core once the input ends (`cadre report`). */
  inspect?: { input(input: Input): void; end(core: Core): void };
}

/** Where output goes; a returned promise is awaited (back-pressure). */
export interface ReplaySink {
  out(text: string): void | Promise<void>;
  err(text: string): void | Promise<void>;
}

export interface ReplaySummary {
  lines: number;
  transitions: number;
  rejected: number;
  late: number;
  duplicates: number;
}

/** Output is written in chunks of about this many characters. */
const CHUNK = 64 * 1024;

export async function replay(
  sources: ReplaySource[],
  options: ReplayOptions,
  sink: ReplaySink,
): Promise<ReplaySummary> {
  const core = new Core({
    rules: options.rules,
    topology: options.topology,
    clock: options.clock ?? 'input',
    locale: options.locale,
    timeZone: options.timeZone,
    keepDays: Infinity,
  });
  const summary: ReplaySummary = { lines: 0, transitions: 0, rejected: 0, late: 0, duplicates: 0 };
  let out = '';
  let err = '';
  const flushOut = async (force = false) => {
    if (out.length >= CHUNK || (force && out)) {
      const text = out;
      out = '';
      await sink.out(text);
    }
    if (err.length >= CHUNK || (force && err)) {
      const text = err;
      err = '';
      await sink.err(text);
    }
  };
  /** Where each command came from, to place a failed reply. */
  const commandLines = new Map<string, { file: string; line: number }>();
  const many = sources.length > 1;
  const rejectLine = (
    file: string,
    line: number,
    r: { reason: string; code: string },
    extra: object = {},
  ) => {
    summary.rejected++;
    err +=
      JSON.stringify({ line, ...(many ? { file } : {}), ...extra, reason: r.reason, code: r.code }) + '\n';
  };
  const write = (result: CoreOutput, file: string, line: number) => {
    for (const t of result.transitions) out += JSON.stringify(t) + '\n';
    for (const t of result.incidents) out += JSON.stringify(t) + '\n';
    summary.transitions += result.transitions.length + result.incidents.length;
    for (const r of result.rejects) rejectLine(file, line, r);
    for (const { commandId, reply } of result.replies) {
      const origin = commandLines.get(commandId);
      commandLines.delete(commandId);
      if (!reply.ok) {
        const extra = reply.alarms ? { command: commandId, alarms: reply.alarms } : { command: commandId };
        rejectLine(
          origin?.file ?? file,
          origin?.line ?? line,
          { reason: reply.message, code: reply.code },
          extra,
        );
      }
    }
  };

  let from = Infinity;
  let to = -Infinity;
  for (const source of sources) {
    let line = 0;
    for await (const text of source.lines) {
      line++;
      summary.lines++;
      if (!text.trim()) continue;
      const parsed = parseJson(text);
      const normalized = parsed.ok ? normalize(parsed.value, undefined, options.topology) : parsed;
      if (!normalized.ok) {
        rejectLine(source.name, line, normalized.reject);
        continue;
      }
      const input = normalized.input;
      const forged = forgedInput(input, options.commandKeys);
      if (forged) {
        rejectLine(source.name, line, forged);
        continue;
      }
      if (input.type === 'command') commandLines.set(input.msg.id, { file: source.name, line });
      const result = core.push(input);
      if (result.rejects.length === 0) options.inspect?.input(input);
      if (input.type !== 'maintenance' && result.rejects.length === 0) {
        from = Math.min(from, input.time);
        to = Math.max(to, input.time);
      }
      write(result, source.name, line);
      // Awaited only when there is a chunk to write: an await per line costs more than the line.
      if (out.length >= CHUNK || err.length >= CHUNK) await flushOut();
    }
  }
  write(core.flush(), sources.at(-1)?.name ?? '', 0);
  if (options.scorecards && from <= to)
    for (const card of core.scorecards(from, to)) out += JSON.stringify(card) + '\n';
  options.inspect?.end(core);
  const stats = core.stats();
  summary.late = stats.late;
  summary.duplicates = stats.duplicates;
  await flushOut(true);
  return summary;
}
