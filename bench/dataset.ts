/**
 * A generated province and a realistic mixed input for the benchmarks: ~45% alarms, ~40% KPI
 * samples, ~15% complaints, about 300 bytes a line, Chinese free text as operators write it.
 * Seeded: the same seed gives the same topology and lines. Each line carries `type` (as replay
 * lines do); ids and KPI times are unique per `tag`, so rounds never collide in JetStream's dedup.
 */
import { Topology, type TopologyFile } from '../config/topology.js';
import type { ProducerType } from '../shared/schemas.js';
import { Rng } from '../sim/random.js';

export interface MixedLine {
  type: ProducerType;
  line: string;
}

/** Deterministic PRNG: the simulator's (mulberry32), as a function. */
export function seeded(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

const CITIES = [
  { id: 'CS', name: '长沙', lon: 112.94, lat: 28.23 },
  { id: 'XT', name: '湘潭', lon: 112.91, lat: 27.88 },
  { id: 'HY', name: '衡阳', lon: 112.61, lat: 26.89 },
  { id: 'YY', name: '岳阳', lon: 113.13, lat: 29.36 },
];
const KINDS = ['site', 'cell', 'cell', 'cell', 'cell', 'cell', 'cell', 'transport', 'power', 'cell'] as const;
const ALARM_CODES = [
  'CELL_DOWN',
  'SITE_DOWN',
  'LINK_DEGRADED',
  'HIGH_TEMP',
  'VSWR_ALARM',
  'POWER_DOWN',
  'CLOCK_UNSYNC',
];
const ALARM_TEXT = [
  '小区退服，疑似传输中断',
  '基站掉站，市电停电后蓄电池放电完毕',
  '驻波比告警，天馈系统异常',
  '光模块接收功率过低',
];
const COMPLAINT_TEXT = [
  '室内信号差，通话经常中断',
  '晚高峰上网速度很慢，视频卡顿',
  '短信发送失败',
  '家里宽带频繁掉线，已多次报修',
];
const CATEGORIES = ['voice', 'data', 'sms', 'coverage', 'wlan', 'other'] as const;

/** A province of `grids` grids (spread over four cities), each with 10 elements. */
export function generateTopology(grids = 400, seed = 1): Topology {
  const rand = seeded(seed);
  const file: TopologyFile = {
    cities: CITIES.map(({ id, name }) => ({ id, name })),
    grids: [],
    elements: [],
  };
  for (let g = 0; g < grids; g++) {
    const city = CITIES[g % CITIES.length];
    const id = `${city.id}-G${String(g).padStart(4, '0')}`;
    const lon = city.lon + (Math.floor(g / CITIES.length) % 20) * 0.02;
    const lat = city.lat + Math.floor(g / CITIES.length / 20) * 0.02;
    const d = 0.008;
    const tier = rand() < 0.05 ? 'key' : rand() < 0.2 ? 'important' : 'general';
    file.grids.push({
      id,
      name: `网格${g}`,
      city: city.id,
      tier,
      subscribers: 5000 + Math.floor(rand() * 30000),
      center: [lon, lat],
      polygon: [
        [lon - d, lat - d],
        [lon + d, lat - d],
        [lon + d, lat + d],
        [lon - d, lat + d],
      ],
    });
    KINDS.forEach((kind, e) => file.elements.push({ id: `${id}-E${e}`, grid: id, kind }));
  }
  return new Topology(file);
}

/**
 * `count` lines of mixed input with times in the hour before `now` (so the wall-clock check of
 * HTTP ingest accepts them), ids prefixed by `tag`.
 */
export function mixedLines(
  topology: Topology,
  options: { count: number; now: number; tag: string; seed?: number },
): MixedLine[] {
  const rand = seeded(options.seed ?? 7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const { elements, grids } = topology;
  const lines: MixedLine[] = [];
  for (let i = 0; i < options.count; i++) {
    // Distinct times per line keep kpi keys (ne + time) unique.
    const time = new Date(options.now - 3_600_000 + i * 7 + Math.floor(rand() * 5)).toISOString();
    const ne = pick(elements).id;
    const r = rand();
    if (r < 0.45) {
      const msg = {
        type: 'alarm',
        id: `${options.tag}-A${i}`,
        ne,
        severity: 1 + Math.floor(rand() * 4),
        category: rand() < 0.8 ? 'fault' : 'performance',
        code: pick(ALARM_CODES),
        state: rand() < 0.6 ? 'raised' : 'cleared',
        time,
        text: `${pick(ALARM_TEXT)}，网元 ${ne}，请维护人员尽快核查处理 (OMC-${ne.slice(0, 2)}-${i % 97})`,
      };
      lines.push({ type: 'alarm', line: JSON.stringify(msg) });
    } else if (r < 0.85) {
      const metrics = () => ({
        drop_rate: round(rand() * 0.04),
        setup_success: round(0.95 + rand() * 0.05),
        congestion: round(rand() * 0.1),
        dl_mbps: round(2 + rand() * 80),
        mos: round(3 + rand() * 1.5),
        traffic_erl: round(rand() * 40),
      });
      const msg = { type: 'kpi', ne, time, period: 900, metrics: metrics(), competitor: metrics() };
      lines.push({ type: 'kpi', line: JSON.stringify(msg) });
    } else {
      const grid = pick(grids);
      const where = rand();
      const place =
        where < 0.6
          ? { grid: grid.id }
          : where < 0.9
            ? { ne }
            : grid.center
              ? { location: { lon: grid.center[0] + 0.001, lat: grid.center[1] - 0.001 } }
              : { grid: grid.id };
      const msg = {
        type: 'complaint',
        id: `${options.tag}-C${i}`,
        time,
        customer: {
          id: `138${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`,
          tier: 1 + Math.floor(rand() * 4),
        },
        ...place,
        category: pick(CATEGORIES),
        media: rand() < 0.02,
        escalated: rand() < 0.05,
        text: `${pick(COMPLAINT_TEXT)}，客户要求尽快回复处理结果`,
      };
      lines.push({ type: 'complaint', line: JSON.stringify(msg) });
    }
  }
  return lines;
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;
