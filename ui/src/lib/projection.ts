/**
 * lon/lat → canvas pixels: an equirectangular projection scaled by cos(mid-latitude) (accurate enough
 * for one province), fitted into the canvas with a margin and centred.
 */
import type { GridInfo } from './types.js';

export interface Bounds {
  minLon: number;
  maxLon: number;
  minLat: number;
  maxLat: number;
}

export function boundsOf(grids: GridInfo[]): Bounds | null {
  let minLon = Infinity,
    maxLon = -Infinity,
    minLat = Infinity,
    maxLat = -Infinity;
  const add = (lon: number, lat: number) => {
    if (lon < minLon) minLon = lon;
    if (lon > maxLon) maxLon = lon;
    if (lat < minLat) minLat = lat;
    if (lat > maxLat) maxLat = lat;
  };
  for (const g of grids) {
    if (g.polygon?.length) for (const [lon, lat] of g.polygon) add(lon, lat);
    else if (g.center) add(g.center[0], g.center[1]);
  }
  return Number.isFinite(minLon) ? { minLon, maxLon, minLat, maxLat } : null;
}

export type Project = (lon: number, lat: number) => [number, number];

export function fit(
  b: Bounds,
  width: number,
  height: number,
  margin = 16,
): { project: Project; scale: number } {
  const k = Math.cos((((b.minLat + b.maxLat) / 2) * Math.PI) / 180);
  const spanX = Math.max((b.maxLon - b.minLon) * k, 1e-6);
  const spanY = Math.max(b.maxLat - b.minLat, 1e-6);
  const scale = Math.min((width - 2 * margin) / spanX, (height - 2 * margin) / spanY);
  const offX = (width - spanX * scale) / 2;
  const offY = (height - spanY * scale) / 2;
  return {
    scale,
    project: (lon, lat) => [offX + (lon - b.minLon) * k * scale, offY + (b.maxLat - lat) * scale],
  };
}
