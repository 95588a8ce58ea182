/**
 * The layers of docs/architecture.md "Layers" are enforced by `npm run lint` (eslint.config.js):
 * ESLint's own API lints text as if it sat at a path in the tree, so a fixture stands in for a file
 * of processor/core, and inline lines for the other folders' arrows.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RULE = '@typescript-eslint/no-restricted-imports';
const eslint = new ESLint({ cwd: ROOT });

/** The layer errors of `code` linted as the file at `path`: one line (1-based) and message each. */
async function layerErrors(code: string, path: string): Promise<{ line: number; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${path}` });
  return result!.messages.filter((m) => m.ruleId === RULE).map((m) => ({ line: m.line, message: m.message }));
}

const fixture = (name: string) => readFileSync(`${ROOT}test/fixtures/lint/${name}`, 'utf8');

describe('layers by import', () => {
  it('fails a file of processor/core that imports against the direction, one error per import', async () => {
    const errors = await layerErrors(fixture('against_core.ts'), 'processor/core/x.ts');
    expect(errors.map((e) => e.line)).toEqual([3, 4, 5, 6, 7]);
    expect(errors[0]!.message).toContain(
      'processor/core/ may import processor/core/, shared/, config/, contract/ only',
    );
    expect(errors[3]!.message).toContain('touches no broker');
    expect(errors[4]!.message).toContain('does no IO');
  });

  it('passes a file of processor/core that imports along the direction', async () => {
    expect(await layerErrors(fixture('along_core.ts'), 'processor/core/x.ts')).toEqual([]);
  });

  // [file linted as, import line, allowed]
  const arrows: [string, string, boolean][] = [
    ['gateway/x.ts', "import { createIntake } from '../processor/intake.js';", false],
    ['gateway/x.ts', "import { notifyLog } from '../notify/log.js';", false],
    ['gateway/x.ts', "import { ensureStreams } from '../broker/streams.js';", true],
    ['gateway/x.ts', "import { normalize } from '../contract/normalize.js';", true],
    ['notify/x.ts', "import { ingestHttp } from '../ingest/http.js';", false],
    ['ingest/x.ts', "import { startDemo } from '../app/demo.js';", false],
    ['sim/x.ts', "import { ReadModel } from '../gateway/state.js';", false],
    ['processor/x.ts', "import { step } from './core/index.js';", true],
    ['processor/x.ts', "import { publishWindowed } from '../broker/publish.js';", true],
    ['broker/x.ts', "import { ingestHttp } from '../ingest/http.js';", false],
    ['broker/x.ts', "import type { AlarmInput } from '../contract/normalize.js';", true],
    ['contract/x.ts', "import { ensureStreams } from '../broker/streams.js';", false],
    ['contract/x.ts', "import type { Topology } from '../config/topology.js';", true],
    ['config/x.ts', "import { normalize } from '../contract/normalize.js';", false],
    ['shared/x.ts', "import type { Grid } from '../config/topology.js';", false],
    ['shared/x.ts', "import { Kvm } from '@nats-io/kv';", false],
    ['ui/src/lib/x.ts', "import type { Why } from '../../../gateway/why.js';", true],
    ['ui/src/lib/x.ts', "import { whyOf } from '../../../gateway/why.js';", false],
    ['ui/src/lib/x.ts', "import type { NoticeEntry } from '../../../shared/views.js';", true],
    ['app/x.ts', "import { createGateway } from '../gateway/server.js';", true],
    ['test/x.test.ts', "import { createIntake } from '../processor/intake.js';", true],
  ];
  it.each(arrows)('%s: %s → allowed %s', async (path, line, allowed) => {
    const errors = await layerErrors(`${line}\nexport {};\n`, path);
    expect(errors.length === 0).toBe(allowed);
  });

  // A component's <script> is held to its folder's layer as a module is (eslint-plugin-svelte parses it).
  const components: [string, string, boolean][] = [
    ['ui/src/components/X.svelte', "import type { Why } from '../../../gateway/why.js';", true],
    ['ui/src/components/X.svelte', "import { whyOf } from '../../../gateway/why.js';", false],
    ['ui/src/screens/X.svelte', "import { createIntake } from '../../../processor/intake.js';", false],
    ['ui/src/screens/X.svelte', "import { LEVELS } from '../lib/levels.js';", true],
  ];
  it.each(components)('%s: %s → allowed %s', async (path, line, allowed) => {
    const errors = await layerErrors(`<script lang="ts">\n  ${line}\n</script>\n`, path);
    expect(errors.length === 0).toBe(allowed);
  });
});
