/**
 * `cadre replay FILE... [--config DIR] [--scorecards] [--clock input|ticks]`: exit 0 however many lines
 * are rejected; 1 when a file cannot be read; 2 for bad usage or an invalid config.
 */
import { once } from 'node:events';
import { commandArgs, commandConfig, inputFiles } from '../config/cli.js';
import { replay } from './replay.js';
import { readEnv } from '../config/env.js';
import { commandKeysOf, resolveCommandKey } from '../shared/command_signature.js';

const USAGE = 'usage: cadre replay FILE... [--config DIR] [--scorecards] [--clock input|ticks]';

export async function main(argv: string[]): Promise<number> {
  const args = commandArgs('replay', USAGE, argv, {
    config: { type: 'string' },
    scorecards: { type: 'boolean', default: false },
    clock: { type: 'string', default: 'input' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (typeof args === 'number') return args;
  const { values, positionals: files } = args;
  if (files.length === 0 || (values.clock !== 'input' && values.clock !== 'ticks')) {
    console.error(
      `cadre replay: ${files.length === 0 ? 'no input file' : `--clock must be input or ticks`}\n${USAGE}`,
    );
    return 2;
  }

  const env = readEnv();
  const config = commandConfig('replay', values.config);
  if (typeof config === 'number') return config;
  const sources = inputFiles('replay', files);
  if (typeof sources === 'number') return sources;
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
        // The live processor's key: CADRE_COMMAND_KEY, cadre.yaml, or CADRE_DATA/command-key when
        // CADRE_DATA is given (never created here). Without one, commands are not verified.
        commandKeys: commandKeysOf({
          ...config.cadre.commands,
          key: resolveCommandKey(
            env.commandKey,
            config.cadre.commands.key,
            process.env.CADRE_DATA ? env.dataDir : undefined,
            false,
          ),
        }),
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

async function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}
