/** Shared fixtures of the ingest tests: the fixture topology's config with cadre.yaml overrides. */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../config/load.js';

const FIXTURE_TOPOLOGY = new URL('../fixtures/topology.json', import.meta.url).pathname;

/** A config folder with the fixture topology and the given extra files, loaded. */
export function fixtureConfig(files: Record<string, string> = {}): Config {
  const dir = mkdtempSync(join(tmpdir(), 'cadre-ingest-'));
  copyFileSync(FIXTURE_TOPOLOGY, join(dir, 'topology.json'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return loadConfig(dir);
}

/** Valid producer messages of the fixture topology at `time`, with distinct ids from `tag`. */
export const sample = {
  alarm: (tag: string, time: string) => ({
    id: `ALM-${tag}`,
    ne: 'XT-YH-0003-BTS1',
    severity: 1,
    category: 'fault',
    code: 'SITE_DOWN',
    state: 'raised',
    time,
  }),
  kpi: (tag: string, time: string) => ({
    ne: `XT-YH-0003-CELL${(tag.length % 9) + 1}`,
    time,
    period: 900,
    metrics: { drop_rate: 0.01, mos: 4.1 },
  }),
  complaint: (tag: string, time: string) => ({
    id: `CRM-${tag}`,
    time,
    customer: { id: `C-${tag}`, tier: 2 },
    grid: 'HY-ZH-0002',
    category: 'data',
  }),
};
