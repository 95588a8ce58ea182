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
