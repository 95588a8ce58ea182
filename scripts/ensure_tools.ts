/**
 * Run before the tests: finds or installs what cadre's tests need beyond npm — nats-server, and
 * Chromium for the browser tests — and says clearly how to get them when it cannot.
 */
import { ensureNatsServer } from '../shared/nats_server.js';
import { CHROMIUM, ensureTool } from '../shared/tools.js';
import { CadreError } from '../shared/errors.js';

const log = (line: string) => console.log(`ensure-tools: ${line}`);
let failed = false;
try {
  log(`nats-server at ${ensureNatsServer(log)}`);
} catch (err) {
  console.error(err instanceof CadreError ? err.message : err);
  failed = true;
}
const chromium = ensureTool(CHROMIUM, log);
if (chromium) log(`chromium at ${chromium}`);
else {
  console.error(
    'The browser tests need Chromium: sudo apt-get install chromium (Debian/Ubuntu), or set CHROMIUM_PATH.',
  );
  failed = true;
}
process.exit(failed ? 1 : 0);
