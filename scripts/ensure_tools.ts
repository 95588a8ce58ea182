/**
 * Run before the tests (and usable by hand): finds or installs what cadre's tests need beyond npm —
 * nats-server — and says clearly how to get it when it cannot.
 */
import { ensureNatsServer } from '../shared/nats_server.js';
import { CadreError } from '../shared/errors.js';

try {
  const bin = ensureNatsServer((line) => console.log(line));
  console.log(`ensure-tools: nats-server at ${bin}`);
} catch (err) {
  console.error(err instanceof CadreError ? err.message : err);
  process.exit(1);
}
