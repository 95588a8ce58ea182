/**
 * topology.json: cities, grids (with area tier, subscribers, polygon) and network elements, and the
 * lookups the rest of cadre needs: element → grid, grid → city, and a location → grid.
 */
import { Type, type Static } from '@sinclair/typebox';
import { oneOf } from './schema_helpers.js';
import { ELEMENT_KINDS, type ElementKind } from '../shared/schemas.js';

const LonLat = Type.Tuple([
  Type.Number({ minimum: -180, maximum: 180 }),
  Type.Number({ minimum: -90, maximum: 90 }),
]);

export const AREA_TIERS = ['key', 'important', 'general'] as const;
export type AreaTier = (typeof AREA_TIERS)[number];

export const TopologySchema = Type.Object({
  cities: Type.Array(Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]+$' }), name: Type.String() }), {
    minItems: 1,
  }),
  grids: Type.Array(
    Type.Object({
      id: Type.String({ minLength: 1 }),
      name: Type.String(),
      city: Type.String(),
      district: Type.Optional(Type.String()),
      tier: oneOf(AREA_TIERS, 'general'),
      subscribers: Type.Number({ minimum: 0 }),
      center: Type.Optional(LonLat),
      polygon: Type.Optional(Type.Array(LonLat, { minItems: 3 })),
    }),
  ),
  elements: Type.Array(
    Type.Object({
      id: Type.String({ minLength: 1 }),
      grid: Type.String(),
      kind: oneOf(ELEMENT_KINDS),
      /** Incidents (second release): what feeds this element (cell → site → transport / power → core). */
      upstream: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 16 })),
    }),
  ),
});
export type TopologyFile = Static<typeof TopologySchema>;

/**
 * The topology's defaults, filled in place: a grid's tier is the only one. Value.Default walks every
 * node, every polygon point included (~60 ms of a replay's start for 2,000 grids, 350 ms for 56k
 * elements), for that one key.
 */
export function topologyDefaults(raw: unknown): unknown {
  const grids = (raw as { grids?: unknown } | null)?.grids;
  if (!Array.isArray(grids)) return raw;
  for (const g of grids as unknown[])
    if (typeof g === 'object' && g !== null && !('tier' in g)) (g as { tier: AreaTier }).tier = 'general';
  return raw;
}
export type Grid = TopologyFile['grids'][number] & { tier: AreaTier };
export type City = TopologyFile['cities'][number];
export type NetworkElement = TopologyFile['elements'][number] & { kind: ElementKind };

/** How far from a grid's center a location may be and still be placed in it, when no polygon holds it. */
const NEAREST_CENTER_MAX_M = 2000;

export class Topology {
  readonly cities: readonly City[];
  readonly grids: readonly Grid[];
  readonly elements: readonly NetworkElement[];
  private readonly gridById = new Map<string, Grid>();
  private readonly elementById = new Map<string, NetworkElement>();
  private readonly cityById = new Map<string, City>();
  private readonly elementsByGrid = new Map<string, NetworkElement[]>();
  /** Grids by map cell, for locating complaints without scanning every grid. */
  private readonly cells = new Map<string, Grid[]>();

  constructor(file: TopologyFile) {
    this.cities = file.cities;
    this.grids = file.grids as Grid[];
    this.elements = file.elements as NetworkElement[];
    for (const c of this.cities) this.cityById.set(c.id, c);
    for (const g of this.grids) {
      this.gridById.set(g.id, g);
      this.elementsByGrid.set(g.id, []);
    }
    for (const e of this.elements) {
      this.elementById.set(e.id, e);
      this.elementsByGrid.get(e.grid)?.push(e);
    }
    for (const g of this.grids)
      for (const key of cellsCovering(g)) {
        const cell = this.cells.get(key);
        if (cell) cell.push(g);
        else this.cells.set(key, [g]);
      }
  }

  grid(id: string): Grid | undefined {
    return this.gridById.get(id);
  }
  element(id: string): NetworkElement | undefined {
    return this.elementById.get(id);
  }
  city(id: string): City | undefined {
    return this.cityById.get(id);
  }
  elementsOf(gridId: string): readonly NetworkElement[] {
    return this.elementsByGrid.get(gridId) ?? [];
  }

  /** The grid whose polygon holds the point, else the nearest grid center within 2 km. */
  gridAt(lon: number, lat: number): Grid | undefined {
    let nearest: Grid | undefined;
    let nearestM = NEAREST_CENTER_MAX_M;
    // The cell's grids are, in topology order, every grid whose polygon or 2 km circle reaches it.
    for (const g of this.cells.get(cellKey(lon, lat)) ?? []) {
      if (g.polygon && pointInPolygon(lon, lat, g.polygon)) return g;
      if (g.center) {
        const d = distanceM(lon, lat, g.center[0], g.center[1]);
        if (d <= nearestM) {
          nearest = g;
          nearestM = d;
        }
      }
    }
    return nearest;
  }

  /** Problems a schema cannot see: dangling references and repeated ids, as `path: problem`. */
  static crossCheck(file: TopologyFile): string[] {
    const problems: string[] = [];
    const cities = new Set(file.cities.map((c) => c.id));
    const grids = new Set<string>();
    file.grids.forEach((g, i) => {
      if (grids.has(g.id)) problems.push(`/grids/${i}/id: repeats grid ${g.id}`);
      grids.add(g.id);
      if (!cities.has(g.city)) problems.push(`/grids/${i}/city: no city ${g.city}`);
    });
    const elements = new Set<string>();
    file.elements.forEach((e, i) => {
      if (elements.has(e.id)) problems.push(`/elements/${i}/id: repeats element ${e.id}`);
      elements.add(e.id);
      if (!grids.has(e.grid)) problems.push(`/elements/${i}/grid: no grid ${e.grid}`);
    });
    file.elements.forEach((e, i) =>
      e.upstream?.forEach((u, j) => {
        if (!elements.has(u)) problems.push(`/elements/${i}/upstream/${j}: no element ${u}`);
        else if (u === e.id) problems.push(`/elements/${i}/upstream/${j}: ${u} feeds itself`);
      }),
    );
    const cycle = upstreamCycle(file.elements);
    if (cycle) problems.push(`/elements: upstream links go round in a cycle: ${cycle.join(' → ')}`);
    return problems;
  }

  /**
   * What feeds an element, directly (topology order). Empty when the topology says nothing; the
   * incident rule then falls back to district and code (docs/rules.md "Incidents").
   */
  upstreamOf(id: string): readonly string[] {
    return this.elementById.get(id)?.upstream ?? [];
  }
}

/** One cycle of upstream links (its element ids, first repeated last), or undefined: depth-first, iterative. */
function upstreamCycle(elements: TopologyFile['elements']): string[] | undefined {
  const feeds = new Map(elements.map((e) => [e.id, e.upstream ?? []]));
  const state = new Map<string, 'open' | 'done'>();
  for (const start of feeds.keys()) {
    if (state.has(start)) continue;
    const path: { id: string; next: number }[] = [{ id: start, next: 0 }];
    state.set(start, 'open');
    for (let top = path.at(-1); top; top = path.at(-1)) {
      const up = feeds.get(top.id)?.[top.next];
      if (up === undefined) {
        state.set(top.id, 'done');
        path.pop();
        continue;
      }
      top.next++;
      if (!feeds.has(up)) continue; // reported as an unknown id
      if (state.get(up) === 'open')
        return [...path.slice(path.findIndex((p) => p.id === up)).map((p) => p.id), up];
      if (!state.has(up)) {
        state.set(up, 'open');
        path.push({ id: up, next: 0 });
      }
    }
  }
  return undefined;
}

/** Map cells of 0.05° (~5 km): small enough to hold a few grids, large enough to index quickly. */
const CELL_DEG = 0.05;
/** 2 km in degrees of latitude, with a margin; longitude degrees shrink with cos(latitude). */
const REACH_DEG = (NEAREST_CENTER_MAX_M / 111_000) * 1.05;

function cellKey(lon: number, lat: number): string {
  return `${Math.floor(lon / CELL_DEG)}:${Math.floor(lat / CELL_DEG)}`;
}

/** The cells a grid's polygon, or the 2 km circle around its center, can touch. */
function cellsCovering(grid: Grid): string[] {
  const points: readonly (readonly [number, number])[] = [
    ...(grid.polygon ?? []),
    ...(grid.center ? [grid.center] : []),
  ];
  if (points.length === 0) return [];
  const lats = points.map((p) => p[1]);
  const lons = points.map((p) => p[0]);
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  const reachLon = REACH_DEG / Math.max(Math.cos((midLat * Math.PI) / 180), 0.01);
  const keys: string[] = [];
  for (
    let x = Math.floor((Math.min(...lons) - reachLon) / CELL_DEG);
    x <= Math.floor((Math.max(...lons) + reachLon) / CELL_DEG);
    x++
  )
    for (
      let y = Math.floor((Math.min(...lats) - REACH_DEG) / CELL_DEG);
      y <= Math.floor((Math.max(...lats) + REACH_DEG) / CELL_DEG);
      y++
    )
      keys.push(`${x}:${y}`);
  return keys;
}

/** Ray casting; the polygon is a ring of [lon, lat] (closed or not). */
export function pointInPolygon(lon: number, lat: number, ring: readonly (readonly number[])[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Great-circle distance in metres (haversine). */
export function distanceM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(a));
}
