/**
 * The baseline child of the replay part: reads an NDJSON file the way `cadre replay` does (readline
 * over a UTF-8 read stream, `for await`) and parses each line, nothing more. Prints the count.
 *
 *   node dist/bench/bare_read.js FILE
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const file = process.argv[2];
if (!file) {
  console.error('usage: node dist/bench/bare_read.js FILE');
  process.exit(2);
}
let parsed = 0;
const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
for await (const line of lines) if (line.trim() && JSON.parse(line)) parsed++;
console.log(parsed);
