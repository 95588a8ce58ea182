/**
 * Scripted scenarios, triggered by name on top of the background: each yields its messages relative
 * to a start time. They replay the situations of DOMAIN.md and the seeds on the simulated province,
 * so a demo can show each rule at work on demand.
 */
import type { Grid, NetworkElement, Topology } from '../config/topology.js';
import { CadreError } from '../shared/errors.js';
import { HOUR, MINUTE } from '../shared/time.js';
import { formatLocal, type SimComplaint, type TimedMessage } from './catalog.js';
import { episodeMessages, type AlarmEpisode } from './alarm_episodes.js';
import { flapEpisodes, stormEpisodes } from './alarm_model.js';
import { locate, pointNear } from './complaint_model.js';
import { KPI_PERIOD_MS } from './kpi_model.js';
import { NetworkIndex } from './network_index.js';
import { Rng } from './random.js';

export interface ScenarioContext {
  index: NetworkIndex;
  seed: number;
  /** Epoch ms the scenario starts at. */
  start: number;
}

export interface ScenarioRun {
  messages: TimedMessage[];
  /** Elements whose background KPI samples are held back until `until`, so the script's figures stand. */
  quiet?: { elements: string[]; until: number };
}

export interface Scenario {
  name: string;
  description: string;
  build(ctx: ScenarioContext): ScenarioRun;
}

const SECOND = 1000;

function gridNamed(topology: Topology, name: string, fallback: (g: Grid) => boolean): Grid {
  const grid = topology.grids.find((g) => g.name === name) ?? topology.grids.find(fallback);
  if (!grid)
    throw new CadreError('CADRE_ERR_NOT_FOUND', `the topology has no grid for this scenario (${name})`);
  return grid;
}

function centerOf(grid: Grid): readonly [number, number] {
  if (!grid.center)
    throw new CadreError('CADRE_ERR_NOT_FOUND', `grid ${grid.id} has no center for this scenario`);
  return grid.center;
}

function element(index: NetworkIndex, grid: Grid, kind: NetworkElement['kind'], nth = 0): NetworkElement {
  const list = index.ofGrid(grid.id, kind);
  const e = list[Math.min(nth, list.length - 1)];
  if (!e) throw new CadreError('CADRE_ERR_NOT_FOUND', `grid ${grid.id} has no ${kind} element`);
  return e;
}

/** Ids unique per run: the scenario's name and start second. */
const idOf = (ctx: ScenarioContext, name: string, n: number | string) =>
  `SIM-${name}-${Math.floor(ctx.start / 1000)}-${n}`;

function complaint(
  ctx: ScenarioContext,
  grid: Grid,
  n: number,
  at: number,
  fields: Omit<SimComplaint, 'type' | 'id' | 'time'>,
): TimedMessage {
  const time = ctx.start + at;
  return {
    time,
    city: grid.city,
    msg: { type: 'complaint', id: idOf(ctx, 'crm', n), time: formatLocal(time), ...fields },
  };
}

function alarm(
  ctx: ScenarioContext,
  name: string,
  n: number,
  ne: NetworkElement,
  grid: Grid,
  a: Pick<AlarmEpisode, 'code' | 'severity' | 'category' | 'text'>,
  raiseAt: number,
  clearAt: number,
): AlarmEpisode {
  return {
    id: idOf(ctx, name, n),
    ne: ne.id,
    city: grid.city,
    ...a,
    raise: ctx.start + raiseAt,
    clear: ctx.start + clearAt,
  };
}

/** DOMAIN.md's Hunan case: 芙蓉区_曙光电子厂 carries five alarms (one level 4) when a customer calls. */
const shuguang: Scenario = {
  name: 'shuguang',
  description:
    '芙蓉区_曙光电子厂: five alarms (one level-4), then a complaint and its repeat; alarms clear over 4 h',
  build(ctx) {
    const grid = gridNamed(ctx.index.topology, '芙蓉区_曙光电子厂', (g) => g.city === 'CS');
    const el = (kind: NetworkElement['kind'], nth = 0) => element(ctx.index, grid, kind, nth);
    const cells = ctx.index.ofGrid(grid.id, 'cell');
    // The five alarms: element, alarm, raised and cleared after the start.
    const rows: [
      NetworkElement,
      Pick<AlarmEpisode, 'code' | 'severity' | 'category' | 'text'>,
      number,
      number,
    ][] = [
      [
        cells[2] ?? el('cell'),
        { code: 'CELL_DOWN', severity: 2, category: 'fault', text: '小区退服' },
        0,
        4 * HOUR,
      ],
      [
        cells[1] ?? el('cell'),
        { code: 'VSWR', severity: 2, category: 'fault', text: '天馈驻波比异常' },
        40 * SECOND,
        3.5 * HOUR,
      ],
      [
        el('site'),
        { code: 'HIGH_TEMP', severity: 3, category: 'fault', text: '机房温度过高' },
        2 * MINUTE,
        2 * HOUR,
      ],
      [
        el('transport'),
        { code: 'LINK_DEGRADED', severity: 3, category: 'performance', text: '传输误码率升高' },
        3 * MINUTE,
        3 * HOUR,
      ],
      [
        el('site', 1),
        { code: 'DOOR_OPEN', severity: 4, category: 'fault', text: '机房门禁告警' },
        5 * MINUTE,
        2.5 * HOUR,
      ],
    ];
    const alarms = rows.map(([ne, a, raiseAt, clearAt], i) =>
      alarm(ctx, 'shuguang', i + 1, ne, grid, a, raiseAt, clearAt),
    );
    const rng = Rng.of(ctx.seed, 'shuguang');
    const customer = { id: 'CUST-SHUGUANG-01', tier: 3 as const };
    const fields = { customer, category: 'coverage' as const, location: pointNear(centerOf(grid), rng) };
    return {
      messages: [
        ...episodeMessages(alarms),
        complaint(ctx, grid, 1, 10 * MINUTE, { ...fields, text: '曙光电子厂宿舍区室内信号差，通话断续' }),
        complaint(ctx, grid, 2, 50 * MINUTE, { ...fields, text: '再次反映：问题仍未解决' }),
      ],
    };
  },
};

/** A transport failure takes 芙蓉区's sites down: an alarm storm of thousands of alarms in seconds. */
const storm: Scenario = {
  name: 'storm',
  description:
    'aggregation ring of 芙蓉区 breaks: every site, link and cell of the district alarms within ~20 s; clears after 30 min',
  build(ctx) {
    const district =
      ctx.index.district('CS', '芙蓉区') ??
      ctx.index.districts.reduce((a, b) => (b.grids.length > a.grids.length ? b : a));
    const episodes = stormEpisodes(
      ctx.index,
      district,
      ctx.start,
      30 * MINUTE,
      Rng.of(ctx.seed, 'storm-scenario'),
      idOf(ctx, 'storm', 'A'),
    );
    return { messages: episodeMessages(episodes) };
  },
};

/** A leased circuit flaps (the Guangdong case): 8 short down/up cycles of one alarm id in ~40 min. */
const flapping: Scenario = {
  name: 'flapping',
  description:
    'a transport circuit in 开福区 goes down and up 8 times within ~45 min (one alarm id, seconds each)',
  build(ctx) {
    const grid = gridNamed(
      ctx.index.topology,
      '开福区_四方坪',
      (g) => g.city === 'CS' && g.district === '开福区',
    );
    const circuit = element(ctx.index, grid, 'transport');
    const rng = Rng.of(ctx.seed, 'flapping-scenario');
    return {
      messages: episodeMessages(
        flapEpisodes(circuit, grid.city, ctx.start, rng, idOf(ctx, 'flap', 1), true, 8),
      ),
    };
  },
};

/** A tier-1 customer (key person of an A-class group customer) complains at the railway station. */
const vip: Scenario = {
  name: 'vip',
  description:
    'tier-1 complaint at 芙蓉区_长沙火车站 (key grid); the customer calls again 45 min later, escalated',
  build(ctx) {
    const grid = gridNamed(ctx.index.topology, '芙蓉区_长沙火车站', (g) => g.tier === 'key');
    const customer = { id: 'CUST-VIP-A001', tier: 1 as const };
    const where = locate(ctx.index, grid, Rng.of(ctx.seed, 'vip'));
    return {
      messages: [
        complaint(ctx, grid, 1, 0, {
          customer,
          category: 'voice',
          ...where,
          text: '集团A类客户关键人：候车室内通话多次掉话',
        }),
        complaint(ctx, grid, 2, 45 * MINUTE, {
          customer,
          category: 'voice',
          grid: grid.id,
          escalated: true,
          text: '客户再次来电，要求尽快处理',
        }),
      ],
    };
  },
};

/**
 * The seed's competitive comparison (congestion warning 5%, margin 3 points): ours 6% → handle;
 * ours 3%, competitor 6% → may wait; ours 3%, competitor 5% → handle. Five quarter-hour samples.
 */
const kpiCompetitor: Scenario = {
  name: 'kpi-competitor',
  description:
    'three cells, five quarters: congestion 6% (handle), 3% vs competitor 6% (may wait), 3% vs 5% (handle)',
  build(ctx) {
    const topology = ctx.index.topology;
    const cases = [
      {
        grid: gridNamed(topology, '岳麓区_梅溪湖商务区', (g) => g.tier === 'important'),
        ours: 0.06,
        theirs: undefined,
      },
      {
        grid: gridNamed(
          topology,
          '天心区_长沙理工大学',
          (g) => g.tier === 'important' && g.district !== '岳麓区',
        ),
        ours: 0.03,
        theirs: 0.06,
      },
      { grid: gridNamed(topology, '雨花区_东塘商圈', (g) => g.tier === 'general'), ours: 0.03, theirs: 0.05 },
    ].map((c) => ({ ...c, cell: element(ctx.index, c.grid, 'cell') }));
    const first = Math.ceil(ctx.start / KPI_PERIOD_MS) * KPI_PERIOD_MS;
    const messages: TimedMessage[] = [];
    for (let q = 0; q < 5; q++) {
      const time = first + q * KPI_PERIOD_MS;
      for (const c of cases) {
        const msg: TimedMessage['msg'] = {
          type: 'kpi',
          ne: c.cell.id,
          time: formatLocal(time),
          period: KPI_PERIOD_MS / 1000,
          metrics: { congestion: c.ours },
        };
        if (c.theirs !== undefined) msg.competitor = { congestion: c.theirs };
        messages.push({ time, city: c.grid.city, msg });
      }
    }
    return { messages, quiet: { elements: cases.map((c) => c.cell.id), until: first + 5 * KPI_PERIOD_MS } };
  },
};

/** Residents of an estate keep calling; then a newspaper picks it up. */
const media: Scenario = {
  name: 'media',
  description: 'four complaints from one 开福区 estate in 50 min, then a media-exposure complaint',
  build(ctx) {
    const grid = gridNamed(ctx.index.topology, '开福区_月湖公园', (g) => g.tier === 'general');
    const rng = Rng.of(ctx.seed, 'media');
    const messages = [0, 12, 27, 50].map((m, i) =>
      complaint(ctx, grid, i + 1, m * MINUTE, {
        customer: { id: `CUST-MEDIA-${i + 1}`, tier: 4 },
        category: i % 2 ? 'data' : 'coverage',
        ...locate(ctx.index, grid, rng),
        text: '小区内手机信号差，上网慢',
      }),
    );
    messages.push(
      complaint(ctx, grid, 5, 65 * MINUTE, {
        customer: { id: 'CUST-MEDIA-PRESS', tier: 4 },
        category: 'coverage',
        grid: grid.id,
        media: true,
        escalated: true,
        text: '媒体曝光：记者反映该片区连续数月手机信号差',
      }),
    );
    return { messages };
  },
};

/** The city's core element fails for 12 minutes: red. */
const coreDown: Scenario = {
  name: 'core-down',
  description: "Changsha's core element (CS-CORE1) is down for 12 minutes",
  build(ctx) {
    const core = ctx.index.byKind.core.find((c) => c.id === 'CS-CORE1') ?? ctx.index.byKind.core[0];
    if (!core) throw new CadreError('CADRE_ERR_NOT_FOUND', 'the topology has no core element');
    const grid = ctx.index.topology.grid(core.grid);
    if (!grid)
      throw new CadreError('CADRE_ERR_NOT_FOUND', `the topology has no grid ${core.grid} for ${core.id}`);
    const a = alarm(
      ctx,
      'core',
      1,
      core,
      grid,
      { code: 'CORE_DOWN', severity: 1, category: 'fault', text: '核心网元故障，业务中断' },
      0,
      12 * MINUTE,
    );
    return { messages: episodeMessages([a]) };
  },
};

/**
 * The province's usual picture, played in the demo's first minute: a new wall shows some red among
 * orange, yellow and blue at once, not 1–3 yellow events for seven minutes. Across the cities, within
 * 50 s: two media complaints (red), five tier-1/2 customers (orange), eight ordinary complaints
 * (yellow), and twice three coverage complaints in a quiet grid (a planning event: blue).
 */
const mix: Scenario = {
  name: 'mix',
  description:
    'the usual mix in the first minute: 2 red, 5 orange, 8 yellow complaints and 2 blue planning cases across the cities',
  build(ctx) {
    const { topology } = ctx.index;
    const rng = Rng.of(ctx.seed, 'mix');
    const cities = topology.cities.map((c) => c.id);
    // Grids spread over the cities, away from the other scripted cases' grids (general tier: no area cap).
    const pool = cities.map((city) => topology.grids.filter((g) => g.city === city && g.tier === 'general'));
    const used = new Set<string>();
    let n = 0;
    const pick = (cityIndex: number): Grid => {
      const grids = pool[cityIndex % pool.length];
      for (let tries = 0; tries < grids.length; tries++) {
        const g = grids[Math.floor(rng.next() * grids.length)];
        if (!used.has(g.id)) {
          used.add(g.id);
          return g;
        }
      }
      return grids[0];
    };
    const messages: TimedMessage[] = [];
    // Numbered from 900: the other cases started in the same second number their complaints from 1.
    const add = (grid: Grid, at: number, fields: Omit<SimComplaint, 'type' | 'id' | 'time' | 'grid'>) =>
      messages.push(complaint(ctx, grid, 900 + ++n, at, { ...fields, grid: grid.id }));
    const at = (i: number, of: number) => Math.round(4 * SECOND + (i / of) * 44 * SECOND);
    [0, 3].forEach((c, i) =>
      add(pick(c), at(i, 2), {
        customer: { id: `CUST-MIX-R${i}`, tier: 3 },
        category: 'voice',
        media: true,
        text: '媒体曝光：通话频繁中断',
      }),
    );
    [0, 1, 2, 4, 5].forEach((c, i) =>
      add(pick(c), at(i, 5), {
        customer: { id: `CUST-MIX-O${i}`, tier: i % 2 ? 2 : 1 },
        category: 'data',
        text: '重要客户：上网慢',
      }),
    );
    [0, 0, 1, 2, 3, 4, 5, 6].forEach((c, i) =>
      add(pick(c), at(i, 8), {
        customer: { id: `CUST-MIX-Y${i}`, tier: 4 },
        category: i % 2 ? 'voice' : 'data',
        text: '信号差',
      }),
    );
    [1, 6].forEach((c, k) => {
      const grid = pick(c);
      for (let i = 0; i < 3; i++)
        add(grid, at(k * 3 + i, 6), {
          customer: { id: `CUST-MIX-B${k}-${i}`, tier: 4 },
          category: 'coverage',
          text: '室内无信号',
        });
    });
    return { messages };
  },
};

export const SCENARIOS: Readonly<Record<string, Scenario>> = Object.fromEntries(
  [shuguang, storm, flapping, vip, kpiCompetitor, media, coreDown, mix].map((s) => [s.name, s]),
);

/** The named scenario's run from `start`; unknown names are an error that lists the known ones. */
export function runScenario(name: string, ctx: ScenarioContext): ScenarioRun {
  const scenario = SCENARIOS[name];
  if (!scenario)
    throw new CadreError(
      'CADRE_ERR_NOT_FOUND',
      `unknown scenario ${name} (one of ${Object.keys(SCENARIOS).join(', ')})`,
    );
  const run = scenario.build(ctx);
  return { ...run, messages: run.messages.slice().sort((a, b) => a.time - b.time) };
}
