/**
 * `cadre replay FILE... [--config DIR] [--scorecards] [--clock input|ticks]`: exit 0 however many lines
 * are rejected; 1 when a file cannot be read; 2 for bad usage or an invalid config.
 */
import { constants, accessSync, createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { CadreError } from '../shared/errors.js';
import { replay, type ReplaySource } from './replay.js';

const USAGE = 'usage: cadre replay FILE... [--config DIR] [--scorecards] [--clock input|ticks]';

export async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        scorecards: { type: 'boolean', default: false },
        clock: { type: 'string', default: 'input' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    console.error(`cadre replay: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals: files } = args;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (files.length === 0 || (values.clock !== 'input' && values.clock !== 'ticks')) {
    console.error(
      `cadre replay: ${files.length === 0 ? 'no input file' : `--clock must be input or ticks`}\n${USAGE}`,
    );
    return 2;
  }

  let config;
  try {
    config = loadConfig(values.config ?? process.env.CADRE_CONFIG ?? './config');
  } catch (err) {
    if (!(err instanceof CadreError)) throw err;
    console.error(`cadre replay: invalid config: ${err.message}`);
    return 2;
  }
  for (const file of files) {
    const problem = unreadable(file);
    if (problem) {
      console.error(`cadre replay: cannot read ${file}: ${problem}`);
      return 1;
    }
  }

  const sources: ReplaySource[] = files.map((file) => ({
    name: file,
    lines: createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity }),
  }));
  try {
    await replay(
      sources,
      {
        rules: config.rules,
        topology: config.topology,
        scorecards: values.scorecards,
        clock: values.clock,
        locale: config.cadre.locale,
        timeZone: config.cadre.timeZone,
      },
      {
        out: (text) => write(process.stdout, text),
        err: (text) => write(process.stderr, text),
      },
    );
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!code) throw err;
    console.error(`cadre replay: cannot read input: ${(err as Error).message}`);
    return 1;
  }
  return 0;
}

function unreadable(file: string): string | undefined {
  try {
    accessSync(file, constants.R_OK);
    if (!statSync(file).isFile()) return 'not a file';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
  return undefined;
}

async function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}
