import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { pointInPolygon, Topology, TopologySchema, type TopologyFile } from '../../config/topology.js';
import { generateTopology, serializeTopology, SHUGUANG_GRID } from '../../sim/topology_gen.js';

const COMMITTED = new URL('../../config/topology.json', import.meta.url).pathname;
const CHANGSHA_DISTRICTS = ['芙蓉区', '天心区', '岳麓区', '开福区', '雨花区'];

function valid(file: TopologyFile): void {
  expect(Value.Check(TopologySchema, file)).toBe(true);
  expect(Topology.crossCheck(file)).toEqual([]);
}

describe('the simulated province', () => {
  const file = generateTopology({ seed: 1 });
  const topology = new Topology(file);

  it('is a valid topology whose every element sits in a known grid', () => {
    valid(file);
    for (const e of file.elements) expect(topology.grid(e.grid), e.id).toBeDefined();
  });

  it("cuts Changsha's five urban districts into 426 grids", () => {
    const changsha = file.grids.filter((g) => g.city === 'CS');
    expect(changsha).toHaveLength(426);
    expect(new Set(changsha.map((g) => g.district))).toEqual(new Set(CHANGSHA_DISTRICTS));
    expect(file.cities.map((c) => c.id)).toEqual(expect.arrayContaining(['CS', 'XT', 'ZZ', 'HY', 'YY']));
    for (const c of file.cities.filter((c) => c.id !== 'CS')) {
      const n = file.grids.filter((g) => g.city === c.id).length;
      expect(n, c.name).toBeGreaterThanOrEqual(20);
      expect(n, c.name).toBeLessThanOrEqual(60);
    }
  });

  it('has the 芙蓉区_曙光电子厂 grid of the Hunan case, with a stable id, for every seed', () => {
    for (const seed of [1, 2, 99]) {
      const g = generateTopology({ seed }).grids.find((x) => x.name === '芙蓉区_曙光电子厂');
      expect(g?.id).toBe(SHUGUANG_GRID);
    }
  });

  it('names grids district_place, uniquely, with sites, three cells each, transport and power', () => {
    expect(new Set(file.grids.map((g) => g.name)).size).toBe(file.grids.length);
    for (const g of file.grids) {
      expect(g.name.startsWith(`${g.district}_`)).toBe(true);
      const kinds = topology.elementsOf(g.id).map((e) => e.kind);
      const sites = kinds.filter((k) => k === 'site').length;
      expect(sites).toBeGreaterThanOrEqual(1);
      expect(kinds.filter((k) => k === 'cell')).toHaveLength(3 * sites);
      expect(kinds.filter((k) => k === 'transport')).toHaveLength(1);
      expect(kinds.filter((k) => k === 'power')).toHaveLength(1);
    }
    expect(file.elements.filter((e) => e.kind === 'core')).toHaveLength(file.cities.length);
    expect(topology.element(`${SHUGUANG_GRID}-CELL3`)?.grid).toBe(SHUGUANG_GRID);
  });

  it('has a few key areas, about 15% important ones, and 3k–40k subscribers a grid', () => {
    const share = (tier: string) => file.grids.filter((g) => g.tier === tier).length / file.grids.length;
    expect(file.grids.filter((g) => g.tier === 'key').length).toBeGreaterThanOrEqual(5);
    expect(share('key')).toBeLessThan(0.05);
    expect(share('important')).toBeGreaterThan(0.1);
    expect(share('important')).toBeLessThan(0.22);
    for (const g of file.grids) {
      expect(g.subscribers).toBeGreaterThanOrEqual(3000);
      expect(g.subscribers).toBeLessThanOrEqual(40_000);
    }
    expect(topology.grid('CS-FR-0002')).toMatchObject({ name: '芙蓉区_长沙火车站', tier: 'key' });
  });

  it('lays closed polygons of about 1 km around the real district centres, without overlaps', () => {
    for (const g of file.grids) {
      const ring = g.polygon!;
      expect(ring[0]).toEqual(ring[ring.length - 1]);
      expect(pointInPolygon(g.center![0], g.center![1], ring)).toBe(true);
      // Each centre lies in its own polygon and in no other: the hexagons tile.
      expect(topology.gridAt(g.center![0], g.center![1])?.id).toBe(g.id);
      const widthKm =
        (Math.max(...ring.map((p) => p[0])) - Math.min(...ring.map((p) => p[0]))) *
        111.32 *
        Math.cos((g.center![1] * Math.PI) / 180);
      expect(widthKm).toBeGreaterThan(0.8);
      expect(widthKm).toBeLessThan(1.3);
    }
    const furong = file.grids.filter((g) => g.district === '芙蓉区');
    const lon = furong.reduce((s, g) => s + g.center![0], 0) / furong.length;
    const lat = furong.reduce((s, g) => s + g.center![1], 0) / furong.length;
    expect(Math.abs(lon - 113.03)).toBeLessThan(0.05);
    expect(Math.abs(lat - 28.19)).toBeLessThan(0.05);
  });

  it('is the same byte for byte for the same seed, and differs for another', () => {
    const text = serializeTopology(file);
    expect(serializeTopology(generateTopology({ seed: 1 }))).toBe(text);
    expect(serializeTopology(generateTopology({ seed: 2 }))).not.toBe(text);
  });

  it('is what config/topology.json holds (regenerate with: cadre simulate --topology config/topology.json)', () => {
    expect(readFileSync(COMMITTED, 'utf8')).toBe(serializeTopology(file));
  });

  it('scales to a large synthetic province for benchmarks', () => {
    const big = generateTopology({ seed: 5, grids: 2000, elementsPerGrid: 28 });
    valid(big);
    expect(big.grids).toHaveLength(2000);
    expect(big.elements.length).toBeGreaterThanOrEqual(56_000);
    expect(big.elements.length).toBeLessThan(56_100);
    expect(big.grids.some((g) => g.id === SHUGUANG_GRID && g.name === '芙蓉区_曙光电子厂')).toBe(true);
  });
});
