import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, rulesFrom } from '../config/load.js';
import { distanceM, pointInPolygon, type Grid, type Topology } from '../config/topology.js';
import { CadreError } from '../shared/errors.js';

const FIXTURE_TOPOLOGY = new URL('./fixtures/topology.json', import.meta.url).pathname;

function configDir(files: Record<string, string>, withTopology = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'cadre-config-'));
  if (withTopology) copyFileSync(FIXTURE_TOPOLOGY, join(dir, 'topology.json'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function configError(dir: string): CadreError {
  try {
    loadConfig(dir);
  } catch (err) {
    return err as CadreError;
  }
  throw new Error('expected loadConfig to fail');
}

describe('config', () => {
  it('takes the contract defaults when only the topology is given', () => {
    const config = loadConfig(configDir({}));
    expect(config.rules.outage.debounce).toBe(60_000);
    expect(config.rules.kpi.metrics.congestion).toEqual({
      warning: 0.05,
      critical: 0.15,
      margin: 0.03,
      lowerIsWorse: false,
    });
    expect(config.rules.complaint.ackDeadline.tier1).toBe(30 * 60_000);
    expect(config.rules.areaCap).toEqual({ key: 8 * 3_600_000, important: 12 * 3_600_000 });
    expect(config.access.anonymousViewer).toBe(false);
    expect(config.notify.webhook.retryDelays[0]).toBe(5000);
    expect(config.notify.webhook.retryDelays.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(
      24 * 3_600_000,
    );
    expect(config.topology.grid('HY-ZH-0002')?.tier).toBe('key');
    expect(config.topology.element('XT-YT-0010-BTS1')?.grid).toBe('XT-YT-0010');
  });

  it('reads durations as seconds or with units', () => {
    const rules = rulesFrom({ outage: { debounce: 90, deadline: '4h' }, planning: { window: '2w' } });
    expect(rules.outage.debounce).toBe(90_000);
    expect(rules.outage.deadline).toBe(4 * 3_600_000);
    expect(rules.planning.window).toBe(14 * 86_400_000);
  });

  it('names the file, the path and the problem of an invalid file', () => {
    const err = configError(configDir({ 'rules.yaml': 'outage:\n  debounce: soon\n' }));
    expect(err.code).toBe('CADRE_ERR_CONFIG');
    expect(err.message).toMatch(/^rules\.yaml: \/outage\/debounce: .*"soon"/);
  });

  it('rejects YAML that does not parse', () => {
    expect(configError(configDir({ 'notify.yaml': 'subscribers: [\n' })).message).toMatch(
      /^notify\.yaml: not readable/,
    );
  });

  it('requires a topology and checks its references', () => {
    expect(configError(configDir({}, false)).message).toMatch(/topology\.json is required/);
    const broken = JSON.stringify({
      cities: [{ id: 'XT', name: 'x' }],
      grids: [{ id: 'G1', name: 'g', city: 'NOPE', subscribers: 1 }],
      elements: [{ id: 'E1', grid: 'G2', kind: 'cell' }],
    });
    const message = configError(configDir({ 'topology.json': broken }, false)).message;
    expect(message).toContain('/grids/0/city: no city NOPE');
    expect(message).toContain('/elements/0/grid: no grid G2');
  });

  it('checks upstream links: unknown ids and cycles are config errors', () => {
    const topology = (elements: object[]) =>
      JSON.stringify({
        cities: [{ id: 'XT', name: 'x' }],
        grids: [{ id: 'G1', name: 'g', city: 'XT', subscribers: 1 }],
        elements,
      });
    const unknown = configError(
      configDir(
        { 'topology.json': topology([{ id: 'C1', grid: 'G1', kind: 'cell', upstream: ['S9'] }]) },
        false,
      ),
    ).message;
    expect(unknown).toContain('/elements/0/upstream/0: no element S9');
    const cycle = configError(
      configDir(
        {
          'topology.json': topology([
            { id: 'C1', grid: 'G1', kind: 'cell', upstream: ['S1'] },
            { id: 'S1', grid: 'G1', kind: 'site', upstream: ['T1'] },
            { id: 'T1', grid: 'G1', kind: 'transport', upstream: ['S1'] },
          ]),
        },
        false,
      ),
    ).message;
    expect(cycle).toContain('upstream links go round in a cycle: S1 → T1 → S1');
    const fine = loadConfig(
      configDir(
        {
          'topology.json': topology([
            { id: 'C1', grid: 'G1', kind: 'cell', upstream: ['S1'] },
            { id: 'S1', grid: 'G1', kind: 'site', upstream: ['T1', 'P1'] },
            { id: 'T1', grid: 'G1', kind: 'transport' },
            { id: 'P1', grid: 'G1', kind: 'power' },
          ]),
        },
        false,
      ),
    );
    expect(fine.topology.upstreamOf('S1')).toEqual(['T1', 'P1']);
  });

  it('ships a province whose elements name what feeds them, up to the city core', () => {
    const { topology } = loadConfig(new URL('../config/', import.meta.url).pathname);
    const chain = (id: string): string[] => {
      const up = topology.upstreamOf(id)[0];
      return up ? [id, ...chain(up)] : [id];
    };
    expect(chain('CS-FR-0002-CELL4')).toEqual([
      'CS-FR-0002-CELL4',
      'CS-FR-0002-BTS2',
      'CS-FR-0002-TX',
      'CS-FR-0001-TX',
      'CS-CORE1',
    ]);
  });

  it('checks subscribers beyond their schema', () => {
    const err = configError(
      configDir({
        'notify.yaml': 'subscribers:\n  - {name: oncall, channel: sms, phone: "+8613800000000"}\n',
      }),
    );
    expect(err.message).toContain('/sms/gateway/url');
  });

  it('places a location in the grid whose polygon holds it, else the nearest center within 2 km', () => {
    const { topology } = loadConfig(configDir({}));
    expect(topology.gridAt(112.91, 27.88)?.id).toBe('XT-YH-0003');
    expect(topology.gridAt(112.925, 27.88)?.id).toBe('XT-YH-0003'); // outside the polygon, ~1.5 km from center
    expect(topology.gridAt(113.5, 28.5)).toBeUndefined();
  });

  it('finds the same grid for a location with its spatial index as a scan of every grid', () => {
    const { topology } = loadConfig(new URL('../config', import.meta.url).pathname);
    const scan = (t: Topology, lon: number, lat: number): Grid | undefined => {
      let nearest: Grid | undefined;
      let nearestM = 2000;
      for (const g of t.grids) {
        if (g.polygon && pointInPolygon(lon, lat, g.polygon)) return g;
        if (g.center) {
          const d = distanceM(lon, lat, g.center[0], g.center[1]);
          if (d <= nearestM) [nearest, nearestM] = [g, d];
        }
      }
      return nearest;
    };
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    let located = 0;
    for (let i = 0; i < 3000; i++) {
      const g = topology.grids[Math.floor(random() * topology.grids.length)]!;
      // Around a grid, out to ~5 km: inside polygons, between them, and beyond the 2 km reach.
      const lon = g.center![0] + (random() - 0.5) * 0.1;
      const lat = g.center![1] + (random() - 0.5) * 0.1;
      const expected = scan(topology, lon, lat);
      expect(topology.gridAt(lon, lat)?.id, `${lon},${lat}`).toBe(expected?.id);
      if (expected) located++;
    }
    expect(located).toBeGreaterThan(1000);
  });
});
