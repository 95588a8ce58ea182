/**
 * Canned, plausible data for the UI fixture server: a Hunan-like province of jittered lattice grids
 * (real polygons that tile), events at every level with evidence, and GridDocs with alarms, 24 h of
 * KPIs and 31 days of scorecard counters. Seeded, so every run looks the same at start.
 */
import type { EventDoc, GridDoc, AlarmView, DayStats, KpiSeries } from '../../shared/views.js';
import type { Level } from '../../shared/levels.js';
import type { RuleName } from '../../shared/schemas.js';
import { Rng } from '../../sim/random.js';

export interface FixtureGrid {
  id: string;
  name: string;
  city: string;
  district: string;
  tier: 'key' | 'important' | 'general';
  subscribers: number;
  center: [number, number];
  polygon: [number, number][];
}

export function rng(seed: number): () => number {
  const generator = new Rng(seed);
  return () => generator.next();
}

export const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

const CITIES = [
  { id: 'CS', name: '长沙', lon: 112.94, lat: 28.23, r: 0.3, weight: 3 },
  { id: 'ZZ', name: '株洲', lon: 113.4, lat: 27.55, r: 0.2, weight: 1.2 },
  { id: 'XT', name: '湘潭', lon: 112.55, lat: 27.62, r: 0.17, weight: 1 },
  { id: 'HY', name: '衡阳', lon: 112.57, lat: 26.89, r: 0.24, weight: 1.5 },
  { id: 'SY', name: '邵阳', lon: 111.47, lat: 27.24, r: 0.24, weight: 1.2 },
  { id: 'YY', name: '岳阳', lon: 113.13, lat: 29.36, r: 0.22, weight: 1.2 },
  { id: 'CD', name: '常德', lon: 111.69, lat: 29.04, r: 0.24, weight: 1.2 },
  { id: 'ZJ', name: '张家界', lon: 110.48, lat: 29.12, r: 0.16, weight: 0.6 },
  { id: 'YI', name: '益阳', lon: 112.2, lat: 28.68, r: 0.18, weight: 0.9 },
  { id: 'CZ', name: '郴州', lon: 113.01, lat: 25.77, r: 0.22, weight: 1 },
  { id: 'YZ', name: '永州', lon: 111.61, lat: 26.42, r: 0.22, weight: 1 },
  { id: 'HH', name: '怀化', lon: 110.0, lat: 27.57, r: 0.24, weight: 1 },
  { id: 'LD', name: '娄底', lon: 111.9, lat: 27.72, r: 0.16, weight: 0.8 },
  { id: 'XX', name: '湘西', lon: 109.74, lat: 28.31, r: 0.2, weight: 0.6 },
];
const DISTRICTS = ['城东区', '城西区', '高新区', '开发区'];
const PLACES = [
  '火车站',
  '大学城',
  '工业园',
  '商业街',
  '老城',
  '新区',
  '医院',
  '体育馆',
  '滨江',
  '金融街',
  '科技园',
  '汽车站',
  '广场',
  '湖畔',
  '花园',
  '物流园',
  '电子厂',
  '中学',
  '万达',
  '步行街',
];

export function makeTopology(
  total: number,
  seed = 7,
): { cities: { id: string; name: string }[]; grids: FixtureGrid[] } {
  const r = rng(seed);
  const weightSum = CITIES.reduce((s, c) => s + c.weight, 0);
  const grids: FixtureGrid[] = [];
  for (const city of CITIES) {
    const n = Math.max(8, Math.round((total * city.weight) / weightSum));
    // Cell size so that ~n cells fall inside the city's irregular outline.
    const R = city.r * 1.25;
    const step = R * Math.sqrt(Math.PI / n) * 0.95;
    const k = Math.cos((city.lat * Math.PI) / 180);
    const span = Math.ceil(R / step) + 2;
    const phase = r() * Math.PI * 2;
    const corner = new Map<string, [number, number]>();
    const at = (i: number, j: number): [number, number] => {
      const key = `${i},${j}`;
      let p = corner.get(key);
      if (!p) {
        p = [city.lon + ((i + (r() - 0.5) * 0.55) * step) / k, city.lat + (j + (r() - 0.5) * 0.55) * step];
        corner.set(key, p);
      }
      return p;
    };
    let seq = 0;
    for (let j = span; j >= -span; j--) {
      for (let i = -span; i <= span; i++) {
        const dx = (i + 0.5) * step;
        const dy = (j + 0.5) * step;
        const theta = Math.atan2(dy, dx);
        const edge = R * (1 + 0.22 * Math.sin(3 * theta + phase) + 0.1 * Math.sin(5 * theta));
        if (Math.hypot(dx, dy) > edge) continue;
        const polygon = [at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)];
        polygon.push(polygon[0]!);
        const center: [number, number] = [
          +(polygon.slice(0, 4).reduce((s, p) => s + p[0], 0) / 4).toFixed(5),
          +(polygon.slice(0, 4).reduce((s, p) => s + p[1], 0) / 4).toFixed(5),
        ];
        const district = DISTRICTS[(dx >= 0 ? 1 : 0) + (dy >= 0 ? 2 : 0)]!;
        seq++;
        const id = `${city.id}-${String(seq).padStart(4, '0')}`;
        const near = Math.hypot(dx, dy) / R;
        const tier = near < 0.15 && r() < 0.4 ? 'key' : near < 0.5 && r() < 0.35 ? 'important' : 'general';
        grids.push({
          id,
          name: `${district}_${pick(r, PLACES)}${seq % 7 === 0 ? '二期' : ''}`,
          city: city.id,
          district,
          tier,
          subscribers: Math.round((near < 0.4 ? 18000 : 6000) + r() * 20000),
          center,
          polygon: polygon.map(([lon, lat]) => [+lon.toFixed(5), +lat.toFixed(5)]),
        });
      }
    }
  }
  return { cities: CITIES.map(({ id, name }) => ({ id, name })), grids };
}

const RULE_BY_LEVEL: Record<Level, RuleName[]> = {
  red: ['outage', 'complaint', 'kpi'],
  orange: ['outage', 'complaint', 'kpi', 'complaint'],
  yellow: ['complaint', 'flapping', 'kpi', 'complaint'],
  blue: ['planning'],
};
const TITLES: Record<RuleName, (n: number) => string> = {
  outage: (n) => (n >= 3 ? `${n} 个网元退服` : '基站退服 SITE_DOWN'),
  kpi: (n) => `${n} 个小区 KPI 劣化（掉话率/拥塞）`,
  flapping: () => '传输链路闪断 TRANSPORT_DOWN ×6/小时',
  complaint: (n) => `${n} 起客户投诉（数据/语音）`,
  planning: () => '弱覆盖投诉 ≥3：需规划新站',
};
const ACK_MIN: Record<Level, number> = { red: 15, orange: 30, yellow: 120, blue: 1440 };
const FIX_H: Record<RuleName, number> = { outage: 8, kpi: 8, flapping: 8, complaint: 24, planning: 720 };

export function pickLevel(r: () => number, storm = false): Level {
  const x = r();
  if (storm) return x < 0.45 ? 'red' : x < 0.8 ? 'orange' : 'yellow';
  return x < 0.08 ? 'red' : x < 0.3 ? 'orange' : x < 0.8 ? 'yellow' : 'blue';
}

let eventCounter = 0;

/** A fresh `opened` transition (seq 1) of a new event in `grid`. */
export function openEvent(
  r: () => number,
  grid: FixtureGrid,
  level: Level,
  now: number,
  ageMs = 0,
): EventDoc {
  const rule = pick(r, RULE_BY_LEVEL[level]);
  const n = 1 + Math.floor(r() * 5);
  const openedAt = now - ageMs;
  const fixH = Math.min(FIX_H[rule], grid.tier === 'key' ? 8 : grid.tier === 'important' ? 12 : Infinity);
  const id = `ev-${grid.id}-${rule}-${(++eventCounter).toString(36)}`;
  const alarms =
    rule === 'planning' ? [] : Array.from({ length: n }, (_, i) => `ALM-${grid.id}-${eventCounter}-${i + 1}`);
  const complaints =
    rule === 'complaint' || rule === 'planning'
      ? Array.from({ length: n }, (_, i) => `CMP-${eventCounter}-${i + 1}`)
      : [];
  return {
    kind: 'event',
    id,
    seq: 1,
    transition: 'opened',
    grid: grid.id,
    city: grid.city,
    rule,
    level,
    state: 'open',
    title: TITLES[rule](n),
    openedAt: iso(openedAt),
    at: iso(openedAt),
    ackDeadline: iso(openedAt + ACK_MIN[level] * 60_000),
    deadline: iso(openedAt + fixH * 3_600_000),
    tracking: false,
    escalationStep: 0,
    evidence: { alarms, complaints, elements: alarms.map((_, i) => `${grid.id}-NE${i + 1}`) },
  };
}

export const iso = (ms: number) => new Date(ms).toISOString();

const CODES = [
  'SITE_DOWN',
  'CELL_DOWN',
  'POWER_DOWN',
  'TRANSPORT_DOWN',
  'HIGH_TEMP',
  'VSWR_HIGH',
  'LINK_DEGRADED',
  'BOARD_FAULT',
];

/** A GridDoc consistent with the grid's active events: their evidence alarms, KPIs, 31 days. */
export function makeGridDoc(
  grid: FixtureGrid,
  events: EventDoc[],
  cleared: Set<string>,
  now: number,
): GridDoc & { complaints: unknown[] } {
  const r = rng(hash(grid.id));
  const alarms: AlarmView[] = [];
  const complaints: unknown[] = [];
  for (const e of events) {
    e.evidence.alarms.forEach((id, i) => {
      const code = e.rule === 'outage' ? pick(r, CODES.slice(0, 4)) : pick(r, CODES);
      const raisedAt = Date.parse(e.openedAt) - (5 + i * 3) * 60_000;
      alarms.push({
        id,
        ne: e.evidence.elements[i] ?? `${grid.id}-NE${i + 1}`,
        code,
        severity: (1 + Math.floor(r() * 4)) as 1 | 2 | 3 | 4,
        category: code.endsWith('_DOWN') ? 'fault' : 'performance',
        outage: code.endsWith('_DOWN'),
        raisedAt: iso(raisedAt),
        ...(cleared.has(id) ? { clearedAt: iso(now - 60_000) } : {}),
      });
    });
    e.evidence.complaints.forEach((id, i) => {
      complaints.push({
        id,
        time: iso(Date.parse(e.openedAt) + i * 240_000),
        tier: 1 + Math.floor(r() * 4),
        category: pick(r, ['voice', 'data', 'coverage', 'sms', 'wlan']),
        media: r() < 0.05,
        escalated: r() < 0.1,
        customer: `cust-${Math.floor(r() * 1e6)}`,
      });
    });
  }
  const bad = events.some((e) => e.rule === 'kpi' || e.rule === 'outage');
  const t: number[] = [];
  const kpi: KpiSeries = { t, drop_rate: [], setup_success: [], congestion: [], dl_mbps: [], mos: [] };
  const start = Math.floor(now / 900_000) * 900_000 - 95 * 900_000;
  for (let i = 0; i < 96; i++) {
    const ts = start + i * 900_000;
    const hour = new Date(ts).getHours();
    const busy = hour >= 9 && hour <= 22 ? 1 : 0.4;
    const degrade = bad && i > 80 ? 1 : 0;
    t.push(ts / 1000);
    kpi.drop_rate.push(+(0.006 + 0.004 * busy * r() + degrade * (0.03 + 0.02 * r())).toFixed(4));
    kpi.setup_success.push(+(0.992 - 0.01 * busy * r() - degrade * 0.06 * r()).toFixed(4));
    kpi.congestion.push(+(0.01 + 0.03 * busy * r() + degrade * 0.1 * r()).toFixed(4));
    kpi.dl_mbps.push(+(28 - 14 * busy * r() - degrade * 20 * r()).toFixed(1));
    kpi.mos.push(i === 40 ? null : +(4.2 - 0.3 * busy * r() - degrade * 0.9 * r()).toFixed(2));
  }
  const days: Record<string, DayStats> = {};
  for (let d = 0; d < 31; d++) {
    const key = iso(now - d * 86_400_000).slice(0, 10);
    const complaintsN = Math.floor(r() * r() * 12);
    const byCategory = { voice: 0, data: 0, sms: 0, coverage: 0, wlan: 0, other: 0 };
    for (let i = 0; i < complaintsN; i++)
      byCategory[pick(r, ['voice', 'data', 'data', 'coverage', 'sms', 'other'] as const)]++;
    const evs = {
      red: r() < 0.05 ? 1 : 0,
      orange: Math.floor(r() * 2),
      yellow: Math.floor(r() * 3),
      blue: r() < 0.1 ? 1 : 0,
    };
    const n = evs.red + evs.orange + evs.yellow + evs.blue;
    days[key] = {
      complaints: complaintsN,
      byCategory,
      repeats: Math.floor(complaintsN * r() * 0.3),
      events: evs,
      ackMinutes: n * (5 + r() * 40),
      acked: n,
      resolveMinutes: n * (60 + r() * 400),
      resolved: n,
      slaMet: Math.max(0, n - (r() < 0.2 ? 1 : 0)),
      slaDue: n,
      degradedElements: Math.floor(r() * 3),
    };
  }
  const level = events.reduce<Level | null>(
    (w, e) =>
      w === null ||
      ['red', 'orange', 'yellow', 'blue'].indexOf(e.level) < ['red', 'orange', 'yellow', 'blue'].indexOf(w)
        ? e.level
        : w,
    null,
  );
  return {
    id: grid.id,
    city: grid.city,
    level,
    active: events.map((e) => e.id),
    alarms,
    degraded: bad
      ? [
          { ne: `${grid.id}-NE1`, metric: 'drop_rate', value: 0.052, critical: true },
          { ne: `${grid.id}-NE2`, metric: 'congestion', value: 0.08, critical: false },
        ]
      : [],
    kpi,
    days,
    updatedAt: iso(now),
    complaints,
  };
}

export function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
