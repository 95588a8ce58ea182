/**
 * The wall map's small multiples on the shipped province, at the map's size on a 1920×1080 wall:
 * every city readable (grids several pixels wide), Changsha the big panel, panels inside the map and
 * apart, and district outlines that trace districts rather than every grid.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { districtOutlines, layoutCities, type Rect } from '../../ui/src/lib/map_layout.js';
import type { Topology } from '../../ui/src/lib/types.js';

const topology = JSON.parse(
  readFileSync(new URL('../../config/topology.json', import.meta.url), 'utf8'),
) as Topology;
/** The map panel's inner size on the 1920×1080 wall (measured in the real page). */
const MAP = { width: 855, height: 810 };
const OPTIONS = { gap: 9, title: 38, pad: 10 };
const KM = 1 / 111; // degrees of latitude

const overlaps = (a: Rect, b: Rect) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

describe('wall map layout', () => {
  const panels = layoutCities(topology.cities, topology.grids, MAP.width, MAP.height, OPTIONS);

  it('gives every city a panel inside the map, none overlapping, Changsha the biggest', () => {
    expect(panels.map((p) => p.city).sort()).toEqual(topology.cities.map((c) => c.id).sort());
    const main = panels.find((p) => p.main)!;
    expect(main.city).toBe('CS');
    for (const p of panels) {
      expect(p.rect.x).toBeGreaterThanOrEqual(0);
      expect(p.rect.y).toBeGreaterThanOrEqual(0);
      expect(p.rect.x + p.rect.w).toBeLessThanOrEqual(MAP.width + 0.5);
      expect(p.rect.y + p.rect.h).toBeLessThanOrEqual(MAP.height + 0.5);
      if (p !== main) expect(p.rect.w * p.rect.h).toBeLessThan((main.rect.w * main.rect.h) / 2);
      for (const q of panels) if (q !== p) expect(overlaps(p.rect, q.rect)).toBe(false);
    }
  });

  it('draws a 1 km grid at least 5 px wide in every city and about 15 px in Changsha', () => {
    for (const p of panels) expect(p.scale * KM, p.city).toBeGreaterThanOrEqual(5);
    expect(panels.find((p) => p.main)!.scale * KM).toBeGreaterThanOrEqual(15);
  });

  it('keeps every grid of a city inside its panel, below the title', () => {
    for (const p of panels) {
      for (const g of p.grids) {
        for (const [lon, lat] of g.polygon ?? []) {
          const [x, y] = p.project(lon, lat);
          expect(x).toBeGreaterThanOrEqual(p.rect.x);
          expect(x).toBeLessThanOrEqual(p.rect.x + p.rect.w);
          expect(y).toBeGreaterThanOrEqual(p.rect.y + OPTIONS.title);
          expect(y).toBeLessThanOrEqual(p.rect.y + p.rect.h);
        }
      }
    }
  });

  it('squeezes the empty land between a city’s clusters: 岳阳’s three clusters fill its panel', () => {
    const yy = panels.find((p) => p.city === 'YY')!;
    const xs: number[] = [];
    const ys: number[] = [];
    for (const g of yy.grids)
      for (const [lon, lat] of g.polygon ?? []) {
        const [x, y] = yy.project(lon, lat);
        xs.push(x);
        ys.push(y);
      }
    const w = Math.max(...xs) - Math.min(...xs);
    const h = Math.max(...ys) - Math.min(...ys);
    // The grids' extent is most of the panel's inner size along its tighter axis.
    expect(
      Math.max(w / (yy.rect.w - 2 * OPTIONS.pad), h / (yy.rect.h - OPTIONS.title - 2 * OPTIONS.pad)),
    ).toBeGreaterThan(0.95);
    // and a 1 km grid there is drawn at least 10 px wide.
    expect(yy.scale * KM).toBeGreaterThanOrEqual(10);
  });

  it('outlines Changsha’s five districts by their borders only', () => {
    const cs = topology.grids.filter((g) => g.city === 'CS');
    const outlines = districtOutlines(cs);
    expect(outlines.size).toBe(5);
    const allEdges = cs.reduce((n, g) => n + g.polygon!.length - 1, 0);
    const borderEdges = [...outlines.values()].reduce((n, edges) => n + edges.length, 0);
    // A border is a small part of all grid edges (each inner edge is shared by two grids of a district).
    expect(borderEdges).toBeGreaterThan(0);
    expect(borderEdges).toBeLessThan(allEdges / 3);
  });
});
