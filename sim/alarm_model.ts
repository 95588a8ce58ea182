/**
 * The background alarm traffic of the province:
 * - noise: short non-outage alarms (door open, high temperature, interference…), the bulk of the
 *   volume, drawn per minute and scaled to the simulation's rate;
 * - incidents: outages (cell, site, transport, power, core) with realistic durations, a third of the
 *   cell/site ones transient (cleared before the outage debounce), and long faults (VSWR, boards);
 * - flapping: a few leased transport circuits that go down and up for seconds, again and again (the
 *   Guangdong case: 48,840 circuits, ~510,000 flaps a month);
 * - storms: now and then an aggregation ring breaks and every site of a district goes down at once.
 */
import type { NetworkElement } from '../config/topology.js';
import { HOUR, MINUTE } from '../shared/time.js';
import {
  localHour,
  NOISE_CODES,
  OUTAGE_TEXT,
  trafficCurve,
  type AlarmCode,
  type TimedMessage,
} from './catalog.js';
import { BucketedEpisodes, type AlarmEpisode } from './alarm_episodes.js';
import type { District, NetworkIndex } from './network_index.js';
import { Rng } from './random.js';

export interface AlarmModelOptions {
  seed: number;
  /** Non-outage noise episodes per hour (each is a raise and a clear). */
  noisePerHour: number;
  /** Mean number of district alarm storms a day. */
  stormsPerDay: number;
}

const NOISE_MAX_MS = 59 * MINUTE;
const INCIDENT_MAX_MS = 7.5 * HOUR;
/** Codes that usually clear within the hour are noise; the others are long faults. */
const SHORT_CODES = NOISE_CODES.filter((c) => c.medianMin <= 45);
const LONG_CODES = NOISE_CODES.filter((c) => c.medianMin > 45);
/** Incidents per 1000 elements of the kind per hour. */
const INCIDENT_RATES = { cell: 1, site: 0.6, transport: 0.2, power: 0.2, core: 1, longFault: 0.8 };
const FLAKY_CIRCUIT_SHARE = 0.02;
const FLAP_CHANCE_PER_HOUR = 0.25;

export class AlarmModel {
  private readonly noise: BucketedEpisodes;
  private readonly incidents: BucketedEpisodes;
  private readonly flaky: NetworkElement[];
  private readonly stormDistricts: District[];

  constructor(
    private readonly index: NetworkIndex,
    private readonly options: AlarmModelOptions,
  ) {
    this.flaky = index.byKind.transport.filter((t) =>
      Rng.of(options.seed, 'flaky', t.id).chance(FLAKY_CIRCUIT_SHARE),
    );
    this.stormDistricts = index.districts.filter((d) => d.grids.length >= 10);
    this.noise = new BucketedEpisodes(MINUTE, NOISE_MAX_MS + MINUTE, (b) => this.noiseIn(b));
    this.incidents = new BucketedEpisodes(HOUR, INCIDENT_MAX_MS + 2 * HOUR, (b) => this.incidentsIn(b));
  }

  /** Circuits that flap now and then (for tests and docs). */
  get flakyCircuits(): readonly string[] {
    return this.flaky.map((e) => e.id);
  }

  between(from: number, to: number, origin: number): TimedMessage[] {
    return [...this.noise.between(from, to, origin), ...this.incidents.between(from, to, origin)];
  }

  private noiseIn(bucket: number): AlarmEpisode[] {
    const start = bucket * MINUTE;
    const rng = Rng.of(this.options.seed, 'noise', bucket);
    const perMinute = (this.options.noisePerHour / 60) * (0.6 + 0.4 * trafficCurve(localHour(start)));
    const count = rng.poisson(perMinute);
    const out: AlarmEpisode[] = [];
    for (let i = 0; i < count; i++) {
      const code = rng.weighted(SHORT_CODES.map((c) => [c, c.weight] as const));
      const raise = start + rng.int(0, 59) * 1000;
      const duration = clampSeconds(rng.logNormal(code.medianMin * MINUTE, 0.7), 20_000, NOISE_MAX_MS);
      const ne = this.elementFor(code, rng);
      if (ne)
        out.push(
          this.episode(
            `OMC-N${bucket}-${i}`,
            ne,
            code.code,
            code.severity,
            code.category,
            code.text,
            raise,
            raise + duration,
          ),
        );
    }
    return out;
  }

  private incidentsIn(bucket: number): AlarmEpisode[] {
    const start = bucket * HOUR;
    const rng = Rng.of(this.options.seed, 'incidents', bucket);
    const out: AlarmEpisode[] = [];
    const times = (kind: keyof typeof INCIDENT_RATES, population: number) =>
      rng.poisson((INCIDENT_RATES[kind] * population) / 1000);
    const at = () => start + rng.int(0, 3599) * 1000;
    const { cell, site, transport, power, core } = this.index.byKind;
    let n = 0;
    const id = () => `OMC-I${bucket}-${n++}`;

    for (let k = times('cell', cell.length); k > 0; k--) {
      const raise = at();
      out.push(
        this.episode(
          id(),
          rng.pick(cell),
          'CELL_DOWN',
          2,
          'fault',
          OUTAGE_TEXT.CELL_DOWN,
          raise,
          raise + outageDuration(rng),
        ),
      );
    }
    for (let k = times('site', site.length); k > 0; k--)
      out.push(...this.siteDown(rng.pick(site), at(), outageDuration(rng), rng, id));
    for (let k = times('transport', transport.length); k > 0; k--) {
      const tx = rng.pick(transport);
      const raise = at();
      const end = raise + outageDuration(rng, 0);
      out.push(this.episode(id(), tx, 'TRANSPORT_DOWN', 1, 'fault', OUTAGE_TEXT.TRANSPORT_DOWN, raise, end));
      for (const s of this.index.ofGrid(tx.grid, 'site'))
        out.push(
          this.episode(
            id(),
            s,
            'SITE_DOWN',
            1,
            'fault',
            OUTAGE_TEXT.SITE_DOWN,
            raise + rng.int(2, 15) * 1000,
            end + rng.int(5, 60) * 1000,
          ),
        );
    }
    for (let k = times('power', power.length); k > 0; k--)
      out.push(...this.powerFailure(rng.pick(power), at(), rng, id));
    for (let k = times('core', core.length); k > 0; k--) {
      const raise = at();
      out.push(
        this.episode(
          id(),
          rng.pick(core),
          'CORE_DOWN',
          1,
          'fault',
          OUTAGE_TEXT.CORE_DOWN,
          raise,
          raise + rng.int(3, 25) * MINUTE,
        ),
      );
    }
    const elements = this.index.topology.elements.length;
    for (let k = times('longFault', elements); k > 0; k--) {
      const code = rng.weighted(LONG_CODES.map((c) => [c, c.weight] as const));
      const ne = this.elementFor(code, rng);
      const raise = at();
      const duration = clampSeconds(rng.logNormal(code.medianMin * MINUTE, 0.6), 5 * MINUTE, INCIDENT_MAX_MS);
      if (ne)
        out.push(
          this.episode(id(), ne, code.code, code.severity, code.category, code.text, raise, raise + duration),
        );
    }
    for (const circuit of this.flaky) {
      const flapRng = Rng.of(this.options.seed, 'flap', circuit.id, bucket);
      if (flapRng.chance(FLAP_CHANCE_PER_HOUR))
        out.push(
          ...flapEpisodes(
            circuit,
            this.index.cityOf(circuit.id),
            start + flapRng.int(0, 3000) * 1000,
            flapRng,
            `OMC-F${bucket}-${circuit.id}`,
            false,
          ),
        );
    }
    if (this.stormDistricts.length && rng.chance(this.options.stormsPerDay / 24)) {
      const district = rng.pick(this.stormDistricts);
      out.push(
        ...stormEpisodes(
          this.index,
          district,
          start + rng.int(0, 3300) * 1000,
          rng.int(20, 90) * MINUTE,
          rng,
          `OMC-S${bucket}`,
        ),
      );
    }
    return out;
  }

  /** A site out of service and all its cells with it. */
  private siteDown(
    s: NetworkElement,
    raise: number,
    duration: number,
    rng: Rng,
    id: () => string,
  ): AlarmEpisode[] {
    const end = raise + duration;
    return [
      this.episode(id(), s, 'SITE_DOWN', 1, 'fault', OUTAGE_TEXT.SITE_DOWN, raise, end),
      ...this.index
        .cellsOf(s.id)
        .map((c) =>
          this.episode(
            id(),
            c,
            'CELL_DOWN',
            2,
            'fault',
            OUTAGE_TEXT.CELL_DOWN,
            raise + rng.int(0, 5) * 1000,
            end + rng.int(0, 10) * 1000,
          ),
        ),
    ];
  }

  /** Mains fail; the batteries hold for a while; if the mains stay off longer, the grid's sites go down. */
  private powerFailure(p: NetworkElement, raise: number, rng: Rng, id: () => string): AlarmEpisode[] {
    const mainsOff = clampSeconds(rng.logNormal(150 * MINUTE, 0.5), 20 * MINUTE, INCIDENT_MAX_MS);
    const batteryHold = rng.int(30, 120) * MINUTE;
    const out = [
      this.episode(id(), p, 'MAINS_FAILURE', 2, 'fault', '市电停电（蓄电池供电）', raise, raise + mainsOff),
    ];
    if (mainsOff > batteryHold) {
      out.push(
        this.episode(
          id(),
          p,
          'POWER_DOWN',
          1,
          'fault',
          OUTAGE_TEXT.POWER_DOWN,
          raise + batteryHold,
          raise + mainsOff,
        ),
      );
      for (const s of this.index.ofGrid(p.grid, 'site'))
        out.push(
          ...this.siteDown(
            s,
            raise + batteryHold + rng.int(5, 30) * 1000,
            mainsOff - batteryHold + rng.int(60, 180) * 1000,
            rng,
            id,
          ),
        );
    }
    return out;
  }

  private elementFor(code: AlarmCode, rng: Rng): NetworkElement | undefined {
    const pool = this.index.byKind[code.kind];
    return pool.length ? rng.pick(pool) : undefined;
  }

  private episode(
    id: string,
    ne: NetworkElement,
    code: string,
    severity: AlarmEpisode['severity'],
    category: AlarmEpisode['category'],
    text: string,
    raise: number,
    clear: number,
  ): AlarmEpisode {
    return { id, ne: ne.id, city: this.index.cityOf(ne.id), code, severity, category, text, raise, clear };
  }
}

/** Outage durations: a third are transient (10–50 s, under the debounce), the rest last minutes to hours. */
function outageDuration(rng: Rng, transientShare = 0.33): number {
  if (rng.chance(transientShare)) return rng.int(10, 50) * 1000;
  return clampSeconds(rng.logNormal(25 * MINUTE, 0.9), 2 * MINUTE, INCIDENT_MAX_MS);
}

function clampSeconds(ms: number, lo: number, hi: number): number {
  return Math.round(Math.min(hi, Math.max(lo, ms)) / 1000) * 1000;
}

/**
 * A leased circuit flapping: 5–12 down/up cycles of 3–45 s, a few minutes apart. With `sameId` every
 * cycle reuses one alarm id (an OMC that re-raises its alarm), else each cycle has its own.
 */
export function flapEpisodes(
  circuit: NetworkElement,
  city: string,
  start: number,
  rng: Rng,
  idPrefix: string,
  sameId: boolean,
  cycles = rng.int(5, 12),
): AlarmEpisode[] {
  const out: AlarmEpisode[] = [];
  let t = start;
  for (let c = 0; c < cycles; c++) {
    const raise = t;
    const clear = raise + rng.int(3, 45) * 1000;
    out.push({
      id: sameId ? idPrefix : `${idPrefix}-${c + 1}`,
      ne: circuit.id,
      city,
      code: 'TRANSPORT_DOWN',
      severity: 2,
      category: 'fault',
      text: '电路瞬断',
      raise,
      clear,
    });
    t = clear + rng.int(2, 9) * MINUTE;
  }
  return out;
}

/**
 * An aggregation ring breaks: its transport goes down, then within seconds every site of the district
 * reports itself down with its links, clock and cells — thousands of alarms. They clear over a minute
 * or two after `durationMs`.
 */
export function stormEpisodes(
  index: NetworkIndex,
  district: District,
  start: number,
  durationMs: number,
  rng: Rng,
  idPrefix: string,
): AlarmEpisode[] {
  const out: AlarmEpisode[] = [];
  let n = 0;
  const end = start + durationMs;
  const add = (
    ne: NetworkElement,
    code: string,
    severity: AlarmEpisode['severity'],
    text: string,
    delayS: [number, number],
  ) =>
    out.push({
      id: `${idPrefix}-${++n}`,
      ne: ne.id,
      city: district.city,
      code,
      severity,
      category: 'fault',
      text,
      raise: start + rng.int(delayS[0], delayS[1]) * 1000,
      clear: end + rng.int(0, 120) * 1000,
    });
  const ring = index.ofGrid(district.grids[0].id, 'transport')[0];
  if (ring) add(ring, 'TRANSPORT_DOWN', 1, `${district.name}汇聚环光缆中断`, [0, 0]);
  for (const grid of district.grids) {
    for (const tx of index.ofGrid(grid.id, 'transport'))
      if (tx !== ring) add(tx, 'TRANSPORT_DOWN', 1, OUTAGE_TEXT.TRANSPORT_DOWN, [0, 3]);
    for (const site of index.ofGrid(grid.id, 'site')) {
      add(site, 'SITE_DOWN', 1, OUTAGE_TEXT.SITE_DOWN, [1, 12]);
      add(site, 'S1_LINK_FAIL', 2, 'S1链路故障', [1, 12]);
      add(site, 'X2_LINK_FAIL', 3, 'X2链路故障', [1, 15]);
      add(site, 'CLOCK_SYNC_LOSS', 3, '1588时钟失步', [2, 20]);
      for (const cell of index.cellsOf(site.id)) add(cell, 'CELL_DOWN', 2, OUTAGE_TEXT.CELL_DOWN, [1, 15]);
    }
  }
  return out;
}
