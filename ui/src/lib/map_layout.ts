/**
 * The wall map as small multiples: one panel per city, each fitted to its own grids, so a 1 km grid is
 * several pixels wide whatever the province's size (at true province scale a city is a speck). The
 * city with the most grids gets the big panel; the others share the rest in a grid of cells. The
 * split is searched, not fixed: the layout that makes the smallest panel scale (px per km) largest
 * wins, so no city ends up unreadable. Empty land between a city's clusters is squeezed (MAX_GAP).
 * Pure: rectangles and projections only, no canvas.
 */
import { boundsOf, type Bounds, type Project } from './projection.js';
import type { City, GridInfo } from './types.js';

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface MapPanel {
  city: string;
  name: string;
  main: boolean;
  /** The whole panel (frame and title strip). */
  rect: Rect;
  grids: GridInfo[];
  project: Project;
  /** Pixels per degree of latitude (≈ per 111 km). */
  scale: number;
}

export interface LayoutOptions {
  /** Space between panels. */
  gap: number;
  /** Height of each panel's title strip (the grids are fitted below it). */
  title: number;
  /** Inner margin around the grids. */
  pad: number;
}

interface CityShape {
  city: City;
  grids: GridInfo[];
  bounds: Bounds;
  /** Width and height in degrees of latitude (longitude scaled by cos(latitude)), gaps squeezed. */
  spanX: number;
  spanY: number;
  /** lon → x and lat → y in degrees from the west / south edge, with the empty gaps squeezed. */
  axisX: (lon: number) => number;
  axisY: (lat: number) => number;
}

/**
 * Empty stretches wider than this (degrees of latitude, ≈ 2 km) between a city's grids are drawn this
 * wide: a city of clusters far apart (岳阳: three clusters 29 km apart) then fills its panel instead
 * of being three specks. The grids and districts keep their shapes and their order; only the empty
 * land between them shrinks (the wall is a schematic already: every city has its own scale).
 */
export const MAX_GAP = 0.018;

/** A piecewise-linear axis over the intervals the grids cover, gaps wider than `maxGap` squeezed to it. */
export function squeezedAxis(
  intervals: [number, number][],
  maxGap = MAX_GAP,
): { map: (v: number) => number; span: number } {
  const sorted = intervals
    .filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b))
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = merged.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  // Each covered interval keeps its length; each gap between them is min(gap, maxGap).
  const starts: number[] = [];
  let at = 0;
  merged.forEach(([a, b], i) => {
    if (i > 0) at += Math.min(a - merged[i - 1][1], maxGap);
    starts.push(at);
    at += b - a;
  });
  const map = (v: number): number => {
    const last = merged.at(-1);
    const lastStart = starts.at(-1);
    if (!last || lastStart === undefined) return 0;
    if (v <= merged[0][0]) return v - merged[0][0];
    for (let i = 0; i < merged.length; i++) {
      const [a, b] = merged[i];
      if (v <= b) return starts[i] + (v - a);
      const next = merged[i + 1];
      if (next && v < next[0]) {
        const gap = next[0] - b;
        return starts[i] + (b - a) + ((v - b) / gap) * Math.min(gap, maxGap);
      }
    }
    const [a, b] = last;
    return lastStart + (b - a) + (v - b);
  };
  return { map, span: at };
}

export function layoutCities(
  cities: City[],
  grids: GridInfo[],
  width: number,
  height: number,
  o: LayoutOptions,
): MapPanel[] {
  const shapes = shapesOf(cities, grids);
  if (!shapes.length || width < 40 || height < 40) return [];
  const [main, ...rest] = [...shapes].sort((a, b) => b.grids.length - a.grids.length);
  const ordered = [main, ...shapes.filter((s) => s !== main)];
  let best: { score: number; rects: Rect[] } | undefined;
  for (const rects of candidates(rest.length, width, height, o.gap)) {
    const scales = ordered.map((s, i) => scaleIn(s, rects[i], o));
    // Each grid counts once: the sum of log scales weighted by grid count favours the big city without
    // letting a small one shrink to nothing (log punishes a tiny scale hard).
    const score = scales.reduce(
      (sum, scale, i) => sum + ordered[i].grids.length ** 0.75 * Math.log(Math.max(scale, 1e-9)),
      0,
    );
    if (!best || score > best.score) best = { score, rects };
  }
  if (!best) return [];
  const { rects } = best;
  return ordered.map((s, i) => panelOf(s, rects[i], o, i === 0));
}

/** Every arrangement tried: the main panel left or on top at several fractions, the rest in cols × rows. */
function* candidates(restCount: number, width: number, height: number, gap: number): Generator<Rect[]> {
  if (restCount === 0) {
    yield [{ x: 0, y: 0, w: width, h: height }];
    return;
  }
  for (let f = 0.4; f <= 0.801; f += 0.05) {
    for (let cols = 1; cols <= restCount; cols++) {
      const rows = Math.ceil(restCount / cols);
      if (rows * cols - restCount >= cols) continue; // an empty row wastes space
      const mw = Math.round(width * f);
      const mh = Math.round(height * f);
      yield [
        { x: 0, y: 0, w: mw - gap / 2, h: height },
        ...cells(restCount, cols, rows, { x: mw + gap / 2, y: 0, w: width - mw - gap / 2, h: height }, gap),
      ];
      yield [
        { x: 0, y: 0, w: width, h: mh - gap / 2 },
        ...cells(restCount, cols, rows, { x: 0, y: mh + gap / 2, w: width, h: height - mh - gap / 2 }, gap),
      ];
    }
  }
}

function cells(n: number, cols: number, rows: number, area: Rect, gap: number): Rect[] {
  const w = (area.w - gap * (cols - 1)) / cols;
  const h = (area.h - gap * (rows - 1)) / rows;
  return Array.from({ length: n }, (_, i) => ({
    x: area.x + (i % cols) * (w + gap),
    y: area.y + Math.floor(i / cols) * (h + gap),
    w,
    h,
  }));
}

function scaleIn(s: CityShape, r: Rect, o: LayoutOptions): number {
  const w = r.w - 2 * o.pad;
  const h = r.h - o.title - 2 * o.pad;
  if (w <= 0 || h <= 0) return 0;
  return Math.min(w / s.spanX, h / s.spanY);
}

function panelOf(s: CityShape, rect: Rect, o: LayoutOptions, main: boolean): MapPanel {
  const scale = scaleIn(s, rect, o);
  const offX = rect.x + o.pad + (rect.w - 2 * o.pad - s.spanX * scale) / 2;
  const offY = rect.y + o.title + o.pad + (rect.h - o.title - 2 * o.pad - s.spanY * scale) / 2;
  return {
    city: s.city.id,
    name: s.city.name,
    main,
    rect,
    grids: s.grids,
    scale,
    project: (lon, lat) => [offX + s.axisX(lon) * scale, offY + (s.spanY - s.axisY(lat)) * scale],
  };
}

function shapesOf(cities: City[], grids: GridInfo[]): CityShape[] {
  const byCity = new Map<string, GridInfo[]>();
  for (const g of grids) {
    if (!g.polygon?.length && !g.center) continue;
    const list = byCity.get(g.city);
    if (list) list.push(g);
    else byCity.set(g.city, [g]);
  }
  // Cities in topology order; grids of a city the topology does not name still get a panel.
  const known = new Map(cities.map((c) => [c.id, c]));
  const order = [
    ...cities.map((c) => c.id).filter((id) => byCity.has(id)),
    ...[...byCity.keys()].filter((id) => !known.has(id)),
  ];
  // Only grids with a point were kept above: every city listed has a list and bounds.
  return order.flatMap((id) => {
    const list = byCity.get(id);
    const bounds = list && boundsOf(list);
    if (!list || !bounds) return [];
    const k = Math.cos((((bounds.minLat + bounds.maxLat) / 2) * Math.PI) / 180);
    const xs: [number, number][] = [];
    const ys: [number, number][] = [];
    for (const g of list) {
      const b = boundsOf([g]);
      if (!b) continue;
      xs.push([b.minLon * k, b.maxLon * k]);
      ys.push([b.minLat, b.maxLat]);
    }
    const ax = squeezedAxis(xs);
    const ay = squeezedAxis(ys);
    // A city of one point still needs an extent: about 1 km.
    const spanX = Math.max(ax.span, 0.009);
    const spanY = Math.max(ay.span, 0.009);
    return [
      {
        city: known.get(id) ?? { id, name: id },
        grids: list,
        bounds,
        spanX,
        spanY,
        axisX: (lon: number) => ax.map(lon * k) + (spanX - ax.span) / 2,
        axisY: (lat: number) => ay.map(lat) + (spanY - ay.span) / 2,
      },
    ];
  });
}

/** A polygon edge seen once among a district's grids is on the district's outline (lattice grids share exact vertices). */
export function districtOutlines(grids: GridInfo[]): Map<string, [number, number][][]> {
  const byDistrict = new Map<string, Map<string, { edge: [number, number][]; n: number }>>();
  const key = (p: [number, number]) => `${p[0].toFixed(5)},${p[1].toFixed(5)}`;
  for (const g of grids) {
    if (!g.district || !g.polygon || g.polygon.length < 3) continue;
    let edges = byDistrict.get(g.district);
    if (!edges) byDistrict.set(g.district, (edges = new Map()));
    const p = g.polygon;
    for (let i = 0; i < p.length; i++) {
      const a = p[i];
      const b = p[(i + 1) % p.length];
      const ka = key(a);
      const kb = key(b);
      if (ka === kb) continue;
      const k = ka < kb ? `${ka}|${kb}` : `${kb}|${ka}`;
      const seen = edges.get(k);
      if (seen) seen.n++;
      else edges.set(k, { edge: [a, b], n: 1 });
    }
  }
  const out = new Map<string, [number, number][][]>();
  for (const [district, edges] of byDistrict)
    out.set(
      district,
      [...edges.values()].filter((e) => e.n === 1).map((e) => e.edge),
    );
  return out;
}

/** Where to write a district's name: the mean of its grids' centres. */
export function districtCentres(grids: GridInfo[]): Map<string, [number, number]> {
  const acc = new Map<string, { lon: number; lat: number; n: number }>();
  for (const g of grids) {
    const c = g.center ?? g.polygon?.[0];
    if (!g.district || !c) continue;
    const a = acc.get(g.district) ?? { lon: 0, lat: 0, n: 0 };
    acc.set(g.district, { lon: a.lon + c[0], lat: a.lat + c[1], n: a.n + 1 });
  }
  return new Map([...acc].map(([d, a]) => [d, [a.lon / a.n, a.lat / a.n]]));
}
