/**
 * The simulated province's topology: Hunan's cities cut into hexagonal grids of about 1 km² around
 * their real district centres, named after real places, with sites, cells, a transport node and a
 * power unit per grid and one core element per city. Deterministic: the same options give the same
 * file byte for byte (see serializeTopology).
 */
import type { AreaTier, TopologyFile } from '../config/topology.js';
import { PLACE_SUFFIXES, PROVINCE, type CitySpec, type DistrictSpec } from './hunan.js';
import { Rng } from './random.js';

export interface TopologyOptions {
  seed?: number;
  /**
   * Total grids of a large synthetic province (all 14 cities, counts scaled to this total). Omitted:
   * the default province, with Changsha's 426 grids and six other cities.
   */
  grids?: number;
  /** Elements per grid (sites × 4 + transport + power + WLAN APs); omitted: 2–4 sites a grid. */
  elementsPerGrid?: number;
}

/** The grid of the Hunan Mobile case (DOMAIN.md): its landmark comes first in 芙蓉区. */
export const SHUGUANG_GRID = 'CS-FR-0001';

/** Centre-to-corner of a hexagonal grid in km: a hexagon of about 0.94 km². */
const HEX_RADIUS_KM = 0.6;
const KM_PER_DEGREE = 111.32;
const round5 = (x: number) => Math.round(x * 1e5) / 1e5;

type Grid = TopologyFile['grids'][number];
type Element = TopologyFile['elements'][number];

export function generateTopology(options: TopologyOptions = {}): TopologyFile {
  const seed = options.seed ?? 1;
  const cities = options.grids === undefined ? PROVINCE.filter((c) => c.inDefault) : PROVINCE;
  const counts = gridCounts(cities, options.grids);
  const grids: Grid[] = [];
  const elements: Element[] = [];
  for (const city of cities) {
    const cityGrids = layOutCity(city, counts, seed);
    for (const grid of cityGrids)
      elements.push(...elementsOf(grid, seed, city.id === 'CS', options.elementsPerGrid));
    const coreGrid = cityGrids.find((g) => g.tier === 'important') ?? cityGrids[0];
    const core: Element = { id: `${city.id}-CORE1`, grid: coreGrid.id, kind: 'core' };
    elements.push(core);
    linkUpstream(cityGrids, elements, core.id);
    grids.push(...cityGrids);
  }
  return { cities: cities.map((c) => ({ id: c.id, name: c.name })), grids, elements };
}

/** Grids per district: the shipped counts, or all of them scaled to `total`. */
function gridCounts(cities: readonly CitySpec[], total: number | undefined): Map<DistrictSpec, number> {
  const districts = cities.flatMap((c) => c.districts);
  const shipped = districts.reduce((sum, d) => sum + d.grids, 0);
  const counts = new Map(
    districts.map((d) => [
      d,
      total === undefined ? d.grids : Math.max(1, Math.round((d.grids * total) / shipped)),
    ]),
  );
  if (total !== undefined) {
    // Rounding leftovers go to (or come from) the largest district.
    const [largest, most] = [...counts].reduce((a, b) => (b[1] > a[1] ? b : a));
    const sum = [...counts.values()].reduce((a, b) => a + b, 0);
    counts.set(largest, most + total - sum);
  }
  return counts;
}

/** Integer lattice coordinates of a pointy-top hexagon. */
interface Hex {
  col: number;
  row: number;
  /** Centre in km from the city's origin. */
  x: number;
  y: number;
}

const HEX_W = Math.sqrt(3) * HEX_RADIUS_KM;

function hexAt(col: number, row: number): Hex {
  return { col, row, x: HEX_W * (col + 0.5 * (row & 1)), y: 1.5 * HEX_RADIUS_KM * row };
}

/**
 * Corners in half-units (w/2 across, R/2 up) so that neighbours compute their shared corners from the
 * same integers and get the same coordinates: the polygons tile without gaps or overlaps.
 */
function hexCorners(h: Hex): [number, number][] {
  const cx = 2 * h.col + (h.row & 1);
  const cy = 3 * h.row;
  return [
    [cx, cy + 2],
    [cx - 1, cy + 1],
    [cx - 1, cy - 1],
    [cx, cy - 2],
    [cx + 1, cy - 1],
    [cx + 1, cy + 1],
  ];
}

/**
 * One lattice for the whole city; each district claims hexagons nearest its centre, the district
 * furthest behind its quota claiming next, so districts grow side by side without overlapping.
 */
function layOutCity(city: CitySpec, counts: Map<DistrictSpec, number>, seed: number): Grid[] {
  const lon0 = city.districts.reduce((s, d) => s + d.center[0], 0) / city.districts.length;
  const lat0 = city.districts.reduce((s, d) => s + d.center[1], 0) / city.districts.length;
  const kmPerLon = KM_PER_DEGREE * Math.cos((lat0 * Math.PI) / 180);
  const toKm = ([lon, lat]: readonly [number, number]) =>
    [(lon - lon0) * kmPerLon, (lat - lat0) * KM_PER_DEGREE] as const;
  const toLonLat = (x: number, y: number): [number, number] => [
    round5(lon0 + x / kmPerLon),
    round5(lat0 + y / KM_PER_DEGREE),
  ];

  const quotaOf = (d: DistrictSpec) => {
    const n = counts.get(d);
    if (n === undefined) throw new Error(`no grid count for district ${d.name}`);
    return n;
  };
  const total = city.districts.reduce((s, d) => s + quotaOf(d), 0);
  const spread = Math.max(...city.districts.map((d) => Math.hypot(...toKm(d.center))));
  const reach = spread + 2.5 * Math.sqrt(total / Math.PI) + 2;
  const cols = Math.ceil(reach / HEX_W);
  const rows = Math.ceil(reach / (1.5 * HEX_RADIUS_KM));
  const lattice: Hex[] = [];
  for (let row = -rows; row <= rows; row++)
    for (let col = -cols; col <= cols; col++) lattice.push(hexAt(col, row));

  const claimed = new Set<Hex>();
  const plans = city.districts.map((d) => {
    const [dx, dy] = toKm(d.center);
    const byDistance = lattice
      .map((h) => ({ h, d: Math.hypot(h.x - dx, h.y - dy) }))
      .sort((a, b) => a.d - b.d || a.h.row - b.h.row || a.h.col - b.h.col)
      .map((e) => e.h);
    return { district: d, quota: quotaOf(d), byDistance, next: 0, hexes: [] as Hex[] };
  });
  for (let n = 0; n < total; n++) {
    const plan = plans
      .filter((p) => p.hexes.length < p.quota)
      .reduce((a, b) => (b.hexes.length / b.quota < a.hexes.length / a.quota ? b : a));
    while (claimed.has(plan.byDistance[plan.next])) plan.next++;
    const hex = plan.byDistance[plan.next++];
    claimed.add(hex);
    plan.hexes.push(hex);
  }

  return plans.flatMap(({ district, hexes }) => {
    const used = new Set(district.landmarks.map((l) => l.name));
    return hexes.map((h, i) => {
      const id = `${city.id}-${district.code}-${String(i + 1).padStart(4, '0')}`;
      const rng = Rng.of(seed, 'grid', id);
      const outskirts = i >= hexes.length * 0.6;
      const place = district.landmarks[i] ?? namePlace(district, i, outskirts, rng, used);
      const corners = hexCorners(h).map(([hx, vy]) => toLonLat((hx * HEX_W) / 2, (vy * HEX_RADIUS_KM) / 2));
      return {
        id,
        name: `${district.name}_${place.name}`,
        city: city.id,
        district: district.name,
        tier: place.tier,
        subscribers: subscribersOf(place.tier, outskirts, rng),
        center: toLonLat(h.x, h.y),
        polygon: [...corners, corners[0]],
      };
    });
  });
}

/** A neighbourhood name: a stem of the district and a kind of place (estates inside, villages outside). */
function namePlace(
  district: DistrictSpec,
  index: number,
  outskirts: boolean,
  rng: Rng,
  used: Set<string>,
): { name: string; tier: AreaTier } {
  const suffixes = PLACE_SUFFIXES.filter((s) => outskirts || !s.outskirts).map((s) => [s, s.weight] as const);
  for (let attempt = 0; attempt < 30; attempt++) {
    const { suffix, tier } = rng.weighted(suffixes);
    const name = `${rng.pick(district.stems)}${suffix}`;
    if (!used.has(name)) {
      used.add(name);
      return { name, tier };
    }
  }
  // Large synthetic provinces run out of combinations: number the zones of a stem.
  const name = `${district.stems[index % district.stems.length]}${index + 1 - district.landmarks.length}片区`;
  used.add(name);
  return { name, tier: 'general' };
}

function subscribersOf(tier: AreaTier, outskirts: boolean, rng: Rng): number {
  const [mean, sd] =
    tier === 'key'
      ? [28_000, 7000]
      : tier === 'important'
        ? [20_000, 8000]
        : outskirts
          ? [8000, 4000]
          : [14_000, 6000];
  return Math.round(Math.min(40_000, Math.max(3000, rng.normal(mean, sd))) / 100) * 100;
}

function elementsOf(grid: Grid, seed: number, urban: boolean, perGrid: number | undefined): Element[] {
  const rng = Rng.of(seed, 'elements', grid.id);
  const sites =
    perGrid !== undefined
      ? Math.max(1, Math.floor((perGrid - 2) / 4))
      : rng.weighted<number>(
          urban
            ? [
                [2, 30],
                [3, 45],
                [4, 25],
              ]
            : [
                [1, 25],
                [2, 50],
                [3, 25],
              ],
        ) + (grid.tier === 'key' ? 1 : 0);
  const aps = perGrid !== undefined ? Math.max(0, perGrid - 2 - 4 * sites) : 0;
  const out: Element[] = [];
  for (let s = 1; s <= sites; s++) out.push({ id: `${grid.id}-BTS${s}`, grid: grid.id, kind: 'site' });
  for (let c = 1; c <= 3 * sites; c++) out.push({ id: `${grid.id}-CELL${c}`, grid: grid.id, kind: 'cell' });
  out.push({ id: `${grid.id}-TX`, grid: grid.id, kind: 'transport' });
  out.push({ id: `${grid.id}-PWR`, grid: grid.id, kind: 'power' });
  for (let a = 1; a <= aps; a++) out.push({ id: `${grid.id}-AP${a}`, grid: grid.id, kind: 'other' });
  return out;
}

/**
 * What feeds what, as a province is built: a cell hangs on its site, a site on its grid's transport
 * node and power, and each grid's transport on its district's aggregation ring — the transport node
 * of the district's first grid (the one sim/alarm_model.ts breaks in a storm) — which hangs on the
 * city's core. Power and the core name nothing upstream.
 */
function linkUpstream(cityGrids: readonly Grid[], elements: Element[], coreId: string): void {
  const ringOfDistrict = new Map<string, string>();
  const ringOf = new Map<string, string>();
  for (const g of cityGrids) {
    let ring = ringOfDistrict.get(g.district ?? '');
    if (ring === undefined) ringOfDistrict.set(g.district ?? '', (ring = `${g.id}-TX`));
    ringOf.set(g.id, ring);
  }
  for (const e of elements) {
    const ring = ringOf.get(e.grid);
    if (ring === undefined) continue;
    const tx = `${e.grid}-TX`;
    if (e.kind === 'cell') {
      const n = Number(/-CELL(\d+)$/.exec(e.id)?.[1]);
      if (n) e.upstream = [`${e.grid}-BTS${Math.ceil(n / 3)}`];
    } else if (e.kind === 'site') e.upstream = [tx, `${e.grid}-PWR`];
    else if (e.kind === 'other') e.upstream = [tx];
    else if (e.kind === 'transport') e.upstream = [e.id === ring ? coreId : ring];
  }
}

/** One line per city, grid and element: diffable, and small enough to commit. */
export function serializeTopology(file: TopologyFile): string {
  const section = (name: string, rows: readonly unknown[]) =>
    `"${name}":[\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n]`;
  return `{${section('cities', file.cities)},\n${section('grids', file.grids)},\n${section('elements', file.elements)}}\n`;
}
