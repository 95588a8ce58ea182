/**
 * What an offline `cadre` command (replay, report) does first, one way for all: its arguments (the
 * usage on a mistake, exit 2), its config (exit 2 when invalid) and its NDJSON input files (exit 1
 * naming the first that cannot be read). Each returns what it made, or the exit code.
 */
import { accessSync, constants, createReadStream, statSync } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CadreError } from '../shared/errors.js';
import { loadConfig, type Config } from './load.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; allowPositionals: true; options: O }>
>;

/** The parsed arguments, or 0 after printing the usage for `--help`, or 2 after a mistake. */
export function commandArgs<O extends Options>(
  command: string,
  usage: string,
  argv: string[],
  options: O,
): Parsed<O> | number {
  let args: Parsed<O>;
  try {
    args = parseArgs({ args: argv, allowPositionals: true, options });
  } catch (err) {
    console.error(`cadre ${command}: ${(err as Error).message}\n${usage}`);
    return 2;
  }
  if ((args.values as { help?: boolean }).help) {
    console.log(usage);
    return 0;
  }
  return args;
}

/** The config of `--config DIR`, $CADRE_CONFIG or ./config; 2 after saying why it is invalid. */
export function commandConfig(command: string, dir: string | undefined): Config | number {
  try {
    return loadConfig(dir ?? process.env.CADRE_CONFIG ?? './config');
  } catch (err) {
    if (!(err instanceof CadreError)) throw err;
    console.error(`cadre ${command}: invalid config: ${err.message}`);
    return 2;
  }
}

/** One input file's lines, named by the file. */
export interface InputFile {
  name: string;
  lines: Interface;
}

/** The files' lines in order; 1 after naming the first file that cannot be read. */
export function inputFiles(command: string, files: string[]): InputFile[] | number {
  for (const file of files) {
    const problem = unreadable(file);
    if (problem) {
      console.error(`cadre ${command}: cannot read ${file}: ${problem}`);
      return 1;
    }
  }
  return files.map((file) => ({
    name: file,
    lines: createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity }),
  }));
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
