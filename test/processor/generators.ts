/**
 * fast-check arbitraries of replay input for the core's property tests: "a province" — hours to
 * ~3 days of alarms, KPI samples, complaints, maintenance windows and dispatcher commands over the
 * scenario topology, with quiet gaps (minutes to ~12 h without any input), time-ordered, every time
 * written in a zone picked at random. Plus the transformations the properties apply to one: a
 * shuffle within the lateness, and duplicates re-sent later in another zone's text.
 *
 * Every arbitrary builds its lines from a plain spec with a pure function, so fast-check shrinks the
 * spec and reports the built lines.
 */
import fc from 'fast-check';
import { run, topology, T0 } from './helpers.js';
import { Rng } from '../../sim/random.js';

export type Line = Record<string, unknown>;

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export const GRIDS = topology.grids.map((g) => g.id);
export const ELEMENTS = topology.elements.map((e) => e.id);
export const OUTAGE = ['CELL_DOWN', 'SITE_DOWN', 'CORE_DOWN', 'TRANSPORT_DOWN', 'POWER_DOWN'] as const;
export const NON_OUTAGE = ['LINK_FLAP', 'HIGH_PRB_UTIL', 'HIGH_TEMP', 'DOOR_OPEN'] as const;
const CATEGORIES = ['voice', 'data', 'sms', 'coverage', 'wlan', 'other'] as const;
const KPI_PERIOD = 15 * MIN;

// ---- time text ------------------------------------------------------------------------------------

/** Zones a producer may write a time in (offset minutes, suffix). */
export const ZONES = [
  { offset: 0, suffix: 'Z' },
  { offset: 480, suffix: '+08:00' },
  { offset: -300, suffix: '-05:00' },
  { offset: 330, suffix: '+05:30' },
  { offset: 0, suffix: '+00:00' },
] as const;

/** The instant `ms` written in zone `zone` (index into ZONES), with or without milliseconds. */
export function zoned(ms: number, zone: number, withMs: boolean): string {
  const z = ZONES[((zone % ZONES.length) + ZONES.length) % ZONES.length]!;
  const local = new Date(ms + z.offset * MIN).toISOString().slice(0, -1); // drop the 'Z'
  const text = withMs || ms % SEC !== 0 ? local : local.slice(0, 19);
  return text + z.suffix;
}

/** Seeded PRNG (the simulator's) for the cosmetic choices (zone texts): reproducible from the spec. */
function prng(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

// ---- specs --------------------------------------------------------------------------------------

/** True with `percent` % probability; shrinks to false. */
const chance = (percent: number) => fc.integer({ min: 0, max: 99 }).map((n) => n >= 100 - percent);
/** A position in the province's active time, as a fraction (shrinks to its start). */
const frac = fc.integer({ min: 0, max: 9999 }).map((n) => n / 10000);
const index = (n: number) => fc.integer({ min: 0, max: n - 1 });

const periodSpec = fc.record({
  /** Minutes with input. */
  active: fc.integer({ min: 30, max: 300 }),
  /** Minutes without any input after it (a quiet night at most ~12 h). */
  gap: fc.oneof(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 30, max: 720 })),
});

const alarmSpec = fc.record({
  ne: index(ELEMENTS.length),
  outage: chance(70),
  outageCode: fc.constantFrom(...OUTAGE),
  otherCode: fc.constantFrom(...NON_OUTAGE),
  severity: fc.constantFrom(1, 2, 3, 4),
  category: fc.constantFrom('fault', 'performance'),
  at: frac,
  /** Sub-second part of the raise time. */
  ms: fc.oneof(
    { weight: 4, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 999 }) },
  ),
  /** Seconds of active time until the clear: below, at and above the 60 s debounce, up to hours. */
  duration: fc.oneof(
    fc.integer({ min: 1, max: 59 }),
    fc.constantFrom(59, 60, 61),
    fc.integer({ min: 61, max: 1800 }),
    fc.integer({ min: 1800, max: 6 * 3600 }),
  ),
  neverCleared: chance(12),
  /** The optional `grid` override field (index into GRIDS). */
  grid: fc.option(index(GRIDS.length), { freq: 8 }),
});

const flapSpec = fc.record({
  ne: index(ELEMENTS.length),
  code: fc.constantFrom(...OUTAGE, 'LINK_FLAP'),
  /** One alarm id for every cycle, or one id per cycle (flapping by element). */
  sameId: fc.boolean(),
  at: frac,
  cycles: fc.integer({ min: 2, max: 8 }),
  /** Seconds between raises. */
  every: fc.integer({ min: 60, max: 900 }),
  /** Seconds each cycle stays raised (mostly under the debounce). */
  up: fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 5, max: 55 }) },
    { weight: 1, arbitrary: fc.integer({ min: 5, max: 120 }) },
  ),
});

/** A storm: several elements of one grid going down together (at one instant, or seconds apart). */
const stormSpec = fc.record({
  grid: index(GRIDS.length),
  at: frac,
  elements: fc.integer({ min: 2, max: 8 }),
  code: fc.constantFrom(...OUTAGE),
  /** Seconds between one element's raise and the next (0: all at one instant). */
  spread: fc.constantFrom(0, 0, 1, 5),
  /** Seconds of active time until they clear (none when 0). */
  duration: fc.constantFrom(0, 30, 90, 600, 3600),
});

const METRICS = ['drop_rate', 'setup_success', 'congestion', 'dl_mbps', 'mos'] as const;
type MetricName = (typeof METRICS)[number];
const GOOD: Record<MetricName, number> = {
  drop_rate: 0.005,
  setup_success: 0.99,
  congestion: 0.02,
  dl_mbps: 20,
  mos: 4.2,
};
const WARNING: Record<MetricName, number> = {
  drop_rate: 0.03,
  setup_success: 0.95,
  congestion: 0.08,
  dl_mbps: 3,
  mos: 3.3,
};
const CRITICAL: Record<MetricName, number> = {
  drop_rate: 0.07,
  setup_success: 0.85,
  congestion: 0.2,
  dl_mbps: 0.5,
  mos: 2.8,
};
/** A competitor a little better than our good values: within warning, but leading by less than the margin. */
const COMPETITOR: Record<MetricName, number> = {
  drop_rate: 0.003,
  setup_success: 0.995,
  congestion: 0.01,
  dl_mbps: 21,
  mos: 4.3,
};

const kpiSpec = fc.record({
  ne: index(ELEMENTS.length),
  at: frac,
  samples: fc.integer({ min: 1, max: 10 }),
  badFrom: fc.integer({ min: 0, max: 9 }),
  badLength: fc.integer({ min: 0, max: 5 }),
  metric: fc.constantFrom(...METRICS),
  critical: fc.boolean(),
  competitor: chance(25),
});

const complaintSpec = fc.record({
  at: frac,
  customer: fc.integer({ min: 0, max: 11 }),
  tier: fc.constantFrom(1, 2, 3, 4),
  category: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...CATEGORIES) },
    { weight: 1, arbitrary: fc.constant('coverage' as const) },
  ),
  media: chance(5),
  escalated: chance(10),
  locate: fc.constantFrom('grid', 'ne', 'location'),
  grid: index(GRIDS.length),
  ne: index(ELEMENTS.length),
});

const maintenanceSpec = fc.record({
  at: frac,
  minutes: fc.integer({ min: 10, max: 240 }),
  /** Minutes between the window's announcement (its place in the input) and its start. */
  lead: fc.integer({ min: 10, max: 60 }),
  grid: fc.option(index(GRIDS.length), { freq: 2 }),
  elements: fc.array(index(ELEMENTS.length), { minLength: 1, maxLength: 3 }),
});

const commandSpec = fc.record({
  /** Which opened event (modulo how many opened). */
  pick: fc.nat(1000),
  /** Seconds of active time after the event opened. */
  delay: fc.integer({ min: 30, max: 4 * 3600 }),
  action: fc.constantFrom('ack', 'ack', 'comment', 'assign', 'plan', 'resolve'),
});

export interface ProvinceOptions {
  /**
   * A tick before every line more than 5 min after the previous timed one: `false` (the default)
   * leaves quiet gaps without any input at all; `'sometimes'` draws it per province (shrinking
   * towards ticks, so a counterexample does not hinge on the gaps when it need not).
   */
  gapTicks?: boolean | 'sometimes';
  /** Add dispatcher commands on events opened in a first run (default true). */
  commands?: boolean;
  /** Upper bounds on the number of each kind of spec. */
  size?: 'small' | 'medium';
}

const provinceSpec = (o: ProvinceOptions) => {
  const big = o.size !== 'small';
  return fc.record({
    /** Seconds after T0 the province starts (moves day boundaries around). */
    start: fc.integer({ min: 0, max: 86_400 }),
    periods: fc.array(periodSpec, { minLength: 1, maxLength: 6, size: 'max' }),
    alarms: fc.array(alarmSpec, { maxLength: big ? 40 : 15, size: '+1' }),
    flaps: fc.array(flapSpec, { maxLength: big ? 4 : 2 }),
    storms: fc.array(stormSpec, { maxLength: big ? 3 : 1 }),
    kpis: fc.array(kpiSpec, { maxLength: big ? 8 : 3, size: '+1' }),
    complaints: fc.array(complaintSpec, { maxLength: big ? 30 : 12, size: '+1' }),
    maintenance: fc.array(maintenanceSpec, { maxLength: 2 }),
    commands: fc.array(commandSpec, { maxLength: o.commands === false ? 0 : big ? 10 : 5 }),
    gapTicks: o.gapTicks === 'sometimes' ? fc.constantFrom(true, false) : fc.constant(o.gapTicks ?? false),
    zoneSeed: fc.integer(),
  });
};
type ValueOf<A> = A extends fc.Arbitrary<infer T> ? T : never;
export type ProvinceSpec = ValueOf<ReturnType<typeof provinceSpec>>;

// ---- building ------------------------------------------------------------------------------------

/** A line with the instant it is ordered by (a maintenance window: its announcement). */
export interface Item {
  at: number;
  line: Line;
}

export interface Province {
  /** Time-ordered replay lines. */
  lines: Line[];
  /** The same lines with their ordering instants (ticks included). */
  items: Item[];
  /** First and last event time of the input (epoch ms). */
  from: number;
  to: number;
}

/** Active time (ms since the province's start, gaps left out) ↔ event time. */
class Timeline {
  readonly windows: { start: number; length: number; offset: number }[] = [];
  readonly total: number;
  constructor(start: number, periods: { active: number; gap: number }[]) {
    let t = start;
    let offset = 0;
    for (const p of periods) {
      this.windows.push({ start: t, length: p.active * MIN, offset });
      offset += p.active * MIN;
      t += (p.active + p.gap) * MIN;
    }
    this.total = offset;
  }
  /** Event time of an active-time offset; undefined past the end. */
  at(offset: number): number | undefined {
    if (offset < 0 || offset >= this.total) return undefined;
    const w = this.windows.findLast((x) => x.offset <= offset)!;
    return w.start + (offset - w.offset);
  }
  /** Active-time offset of an event time (a time in a gap: the next window's start). */
  offsetOf(time: number): number {
    for (const w of this.windows) {
      if (time < w.start) return w.offset;
      if (time < w.start + w.length) return w.offset + (time - w.start);
    }
    return this.total;
  }
  isActive(time: number): boolean {
    return this.windows.some((w) => time >= w.start && time < w.start + w.length);
  }
}

function build(spec: ProvinceSpec): Province {
  const random = prng(spec.zoneSeed);
  const time = (ms: number) => zoned(ms, Math.floor(random() * ZONES.length), random() < 0.5);
  const tl = new Timeline(T0 + spec.start * SEC, spec.periods);
  const items: Item[] = [];
  const add = (at: number, line: Line) => items.push({ at, line });

  spec.alarms.forEach((a, i) => {
    const raisedAt = tl.at(Math.floor((a.at * tl.total) / SEC) * SEC + a.ms);
    if (raisedAt === undefined) return;
    const base: Line = {
      type: 'alarm',
      id: `OMC-${i}`,
      ne: ELEMENTS[a.ne]!,
      severity: a.severity,
      category: a.category,
      code: a.outage ? a.outageCode : a.otherCode,
      ...(a.grid !== null ? { grid: GRIDS[a.grid]! } : {}),
    };
    add(raisedAt, { ...base, state: 'raised', time: time(raisedAt) });
    if (a.neverCleared) return;
    const clearedAt = tl.at(tl.offsetOf(raisedAt) + a.duration * SEC);
    if (clearedAt !== undefined) add(clearedAt, { ...base, state: 'cleared', time: time(clearedAt) });
  });

  spec.flaps.forEach((f, i) => {
    const first = Math.floor((f.at * tl.total) / SEC) * SEC;
    for (let c = 0; c < f.cycles; c++) {
      const raisedAt = tl.at(first + c * f.every * SEC);
      if (raisedAt === undefined) break;
      const base: Line = {
        type: 'alarm',
        id: f.sameId ? `FLP-${i}` : `FLP-${i}-${c}`,
        ne: ELEMENTS[f.ne]!,
        severity: 2,
        category: 'fault',
        code: f.code,
      };
      add(raisedAt, { ...base, state: 'raised', time: time(raisedAt) });
      const clearedAt = tl.at(tl.offsetOf(raisedAt) + Math.min(f.up, f.every - 1) * SEC);
      if (clearedAt !== undefined) add(clearedAt, { ...base, state: 'cleared', time: time(clearedAt) });
    }
  });

  spec.storms.forEach((st, i) => {
    const grid = GRIDS[st.grid]!;
    const elements = topology.elements.filter((e) => e.grid === grid).slice(0, st.elements);
    const first = Math.floor((st.at * tl.total) / SEC) * SEC;
    elements.forEach((e, k) => {
      const raisedAt = tl.at(first + k * st.spread * SEC);
      if (raisedAt === undefined) return;
      const base: Line = {
        type: 'alarm',
        id: `STM-${i}-${k}`,
        ne: e.id,
        severity: 1,
        category: 'fault',
        code: st.code,
      };
      add(raisedAt, { ...base, state: 'raised', time: time(raisedAt) });
      const clearedAt = st.duration ? tl.at(tl.offsetOf(raisedAt) + st.duration * SEC) : undefined;
      if (clearedAt !== undefined) add(clearedAt, { ...base, state: 'cleared', time: time(clearedAt) });
    });
  });

  const kpiSeen = new Set<string>();
  for (const k of spec.kpis) {
    const start = tl.at(Math.floor(k.at * tl.total));
    if (start === undefined) continue;
    const first = start - ((start - T0) % KPI_PERIOD) + KPI_PERIOD;
    const ne = ELEMENTS[k.ne]!;
    for (let s = 0; s < k.samples; s++) {
      const at = first + s * KPI_PERIOD;
      if (!tl.isActive(at) || kpiSeen.has(`${ne}|${at}`)) continue;
      kpiSeen.add(`${ne}|${at}`);
      const bad = s >= k.badFrom && s < k.badFrom + k.badLength;
      const metrics: Record<string, number> = { ...GOOD, traffic_erl: 12.5 };
      if (bad) metrics[k.metric] = (k.critical ? CRITICAL : WARNING)[k.metric];
      add(at, {
        type: 'kpi',
        ne,
        time: time(at),
        period: 900,
        metrics,
        ...(k.competitor ? { competitor: { ...COMPETITOR } } : {}),
      });
    }
  }

  spec.complaints.forEach((c, i) => {
    const at = tl.at(Math.floor((c.at * tl.total) / SEC) * SEC);
    if (at === undefined) return;
    const grid = topology.grid(GRIDS[c.grid]!)!;
    const where =
      c.locate === 'grid'
        ? { grid: grid.id }
        : c.locate === 'ne' || !grid.center
          ? { ne: ELEMENTS[c.ne]! }
          : { location: { lon: grid.center[0], lat: grid.center[1] } };
    add(at, {
      type: 'complaint',
      id: `CRM-${i}`,
      time: time(at),
      customer: { id: `cust-${c.customer}`, tier: c.tier },
      category: c.category,
      ...where,
      ...(c.media ? { media: true } : {}),
      ...(c.escalated ? { escalated: true } : {}),
      text: 'no signal',
    });
  });

  spec.maintenance.forEach((m, i) => {
    const start = tl.at(Math.floor((m.at * tl.total) / MIN) * MIN);
    if (start === undefined) return;
    add(start - m.lead * MIN, {
      type: 'maintenance',
      id: `MW-${i}`,
      ...(m.grid !== null
        ? { grids: [GRIDS[m.grid]!] }
        : { elements: [...new Set(m.elements.map((e) => ELEMENTS[e]!))] }),
      start: time(start),
      end: time(start + m.minutes * MIN),
      reason: 'planned works',
    });
  });

  if (spec.commands.length) {
    // Commands need event ids: a first run (default rules) tells which events open, and when.
    const first = run(orderItems(items, spec.gapTicks, time).map((x) => x.line));
    const opened = first.transitions.filter((t) => t.transition === 'opened');
    if (opened.length) {
      spec.commands.forEach((c, i) => {
        const ev = opened[c.pick % opened.length]!;
        const at = tl.at(tl.offsetOf(Date.parse(ev.openedAt)) + c.delay * SEC);
        if (at === undefined) return;
        const extra =
          c.action === 'comment'
            ? { text: 'crew on the way' }
            : c.action === 'assign'
              ? { to: 'crew-7' }
              : c.action === 'plan'
                ? { plan: { at: time(at + DAY), scenario: 'new site' } }
                : c.action === 'resolve'
                  ? { text: 'fixed' }
                  : {};
        add(at, {
          type: 'command',
          id: `K-${i}`,
          action: c.action,
          event: ev.id,
          by: 'disp-1',
          time: time(at),
          ...extra,
        });
      });
    }
  }

  const ordered = orderItems(items, spec.gapTicks, time);
  const timed = items.filter((x) => x.line.type !== 'maintenance').map((x) => x.at);
  return {
    lines: ordered.map((x) => x.line),
    items: ordered,
    from: timed.length ? Math.min(...timed) : T0,
    to: timed.length ? Math.max(...timed) : T0,
  };
}

/** Items sorted by instant (stable), with a tick before any line more than 5 min after the last timed one. */
function orderItems(items: Item[], gapTicks: boolean, time: (ms: number) => string): Item[] {
  const sorted = items.map((x, i) => ({ ...x, i })).sort((a, b) => a.at - b.at || a.i - b.i);
  const out: Item[] = [];
  let last: number | undefined;
  for (const x of sorted) {
    if (x.line.type !== 'maintenance') {
      if (gapTicks && last !== undefined && x.at - last > 5 * MIN)
        out.push({ at: x.at, line: { type: 'tick', time: time(x.at) } });
      last = x.at;
    }
    out.push({ at: x.at, line: x.line });
  }
  return out;
}

/** A province: time-ordered replay lines over the scenario topology (see the file's comment). */
export function province(options: ProvinceOptions = {}): fc.Arbitrary<Province> {
  return provinceSpec(options).map(build);
}

// ---- transformations -------------------------------------------------------------------------------

/**
 * Jitters below `latenessMs`, for `shuffledWithin` (used cyclically: a short list shrinks the shuffle
 * towards a simple one while the province shrinks on its own).
 */
export const jitters = (latenessMs: number) =>
  fc.array(fc.integer({ min: 0, max: latenessMs - 1 }), { minLength: 1, maxLength: 300 });

/**
 * The province's lines in another order: each line sorted by its instant plus a jitter below the
 * lateness (ticks stay where they are and order the lines around them), so no line comes after one
 * that is the lateness or more later than itself.
 */
export function shuffledWithin(p: Province, jitter: readonly number[]): Line[] {
  const out: Line[] = [];
  let segment: { key: number; i: number; line: Line }[] = [];
  const close = () => {
    segment.sort((a, b) => a.key - b.key || a.i - b.i);
    out.push(...segment.map((x) => x.line));
    segment = [];
  };
  p.items.forEach((x, i) => {
    if (x.line.type === 'tick') {
      close();
      out.push(x.line);
    } else segment.push({ key: x.at + jitter[i % jitter.length]!, i, line: x.line });
  });
  close();
  return out;
}

const dupSpec = fc.record({
  /** Which earlier line (alarm, kpi or complaint; modulo their number). */
  pick: fc.nat(10_000),
  /** Write its time in another zone's text. */
  rewrite: fc.boolean(),
  /** Re-send it hours later in input order (else a few lines later). */
  later: fc.boolean(),
  hours: fc.integer({ min: 1, max: 22 }),
  lines: fc.integer({ min: 0, max: 5 }),
  zone: fc.integer({ min: 1, max: ZONES.length - 1 }),
  withMs: fc.boolean(),
});

export type DuplicateSpec = ValueOf<typeof dupSpec>;

/** Which duplicates to insert, for `withDuplicates`. */
export const duplicates = fc.array(dupSpec, { minLength: 1, maxLength: 6 });

export interface WithDuplicates {
  lines: Line[];
  /** What was inserted: [index of the original in `lines`, index of the duplicate]. */
  inserted: [number, number][];
}

/**
 * The province with duplicates of earlier inputs inserted after them: the same alarm id+state+instant,
 * complaint id or kpi ne+instant, the time written in another zone and/or re-sent hours later (but
 * within 24 h of its event time, in input order).
 */
export function withDuplicates(p: Province, specs: readonly DuplicateSpec[]): WithDuplicates {
  const lines = p.lines;
  // Each duplicate is placed relative to the original lines only, so one spec's meaning does not
  // depend on the others (fast-check then shrinks them one by one).
  const candidates = lines.flatMap((l, i) =>
    l.type === 'alarm' || l.type === 'kpi' || l.type === 'complaint' ? [i] : [],
  );
  /** Per original index: the duplicates that go right before it (lines.length: at the end). */
  const before = new Map<number, { from: number; line: Line }[]>();
  if (candidates.length)
    for (const d of specs) {
      const from = candidates[d.pick % candidates.length]!;
      const original = lines[from]!;
      const t = Date.parse(original.time as string);
      let to = Math.min(from + 1 + d.lines, lines.length);
      if (d.later) {
        // The first place at least `hours` after it in input order…
        while (to < lines.length && clockAt(lines, to) < t + d.hours * HOUR) to++;
      }
      // …but never where the clock is 23 h or more past its event time.
      while (to > from + 1 && clockAt(lines, to) >= t + 23 * HOUR) to--;
      let text = original.time as string;
      if (d.rewrite) {
        const zone = ZONES.findIndex((z) => text.endsWith(z.suffix));
        text = zoned(t, zone + d.zone, d.withMs);
        if (text === original.time) text = zoned(t, zone + d.zone + 1, !d.withMs);
      }
      const copy = JSON.parse(JSON.stringify(original)) as Line;
      copy.time = text;
      (before.get(to) ?? before.set(to, []).get(to)!).push({ from, line: copy });
    }
  const out: Line[] = [];
  const position: number[] = [];
  const inserted: [number, number][] = [];
  for (let i = 0; i <= lines.length; i++) {
    for (const d of before.get(i) ?? []) {
      inserted.push([d.from, out.length]);
      out.push(d.line);
    }
    if (i < lines.length) {
      position[i] = out.length;
      out.push(lines[i]!);
    }
  }
  for (const pair of inserted) pair[0] = position[pair[0]]!;
  return { lines: out, inserted };
}

/** The latest event time among lines[0, end): the replay clock when lines[end] arrives. */
function clockAt(lines: Line[], end: number): number {
  let clock = -Infinity;
  for (let i = 0; i < end; i++) {
    const text = lines[i]!.time;
    if (typeof text === 'string') clock = Math.max(clock, Date.parse(text));
  }
  return clock;
}
