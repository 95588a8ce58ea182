/**
 * Run before the tests: finds or installs what cadre's tests need beyond npm — nats-server,
 * Chromium for the browser tests, Prometheus's Alertmanager and promtool for the tests against the
 * real tools — and says clearly how to get them when it cannot.
 */
import { ensureNatsServer } from '../broker/nats_server.js';
import { ALERTMANAGER, CHROMIUM, ensureTool, PROMTOOL, type ToolSpec } from '../shared/tools.js';
import { CadreError } from '../shared/errors.js';

const log = (line: string) => console.log(`ensure-tools: ${line}`);
let failed = false;
try {
  log(`nats-server at ${ensureNatsServer(log)}`);
} catch (err) {
  console.error(err instanceof CadreError ? err.message : err);
  failed = true;
}
const needs: [ToolSpec, string][] = [
  [CHROMIUM, 'The browser tests need Chromium'],
  [ALERTMANAGER, "The Alertmanager ingest test needs Prometheus's Alertmanager"],
  [PROMTOOL, "The /metrics test needs Prometheus's promtool"],
];
for (const [spec, why] of needs) {
  const path = ensureTool(spec, log);
  if (path) log(`${spec.names[0]} at ${path}`);
  else {
    console.error(
      `${why}: sudo apt-get install ${spec.debianPackage} (Debian/Ubuntu), or set ${spec.envVar} to the executable.`,
    );
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
