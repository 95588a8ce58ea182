/**
 * `cadre config [--config DIR]` (extension): validates the config folder and prints the effective
 * settings — every key, defaults filled in, durations in seconds — so an operator can see what cadre
 * actually runs with. Secrets (password and key hashes, the command key) are not printed.
 */
import { parseArgs } from 'node:util';
import { Value } from '@sinclair/typebox/value';
import { stringify } from 'yaml';
import { readEnv } from '../config/env.js';
import { loadConfig } from '../config/load.js';
import { RulesSchema } from '../config/rules.js';
import { CadreSchema } from '../config/cadre.js';
import { NotifySchema } from '../config/notify.js';
import { AccessSchema } from '../config/access.js';

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } } });
  const dir = values.config ?? readEnv().configDir;
  const config = loadConfig(dir);
  const access = Value.Encode(AccessSchema, config.access);
  const cadre = Value.Encode(CadreSchema, config.cadre) as typeof config.cadre;
  const effective = {
    'rules.yaml': Value.Encode(RulesSchema, config.rules),
    'cadre.yaml': {
      ...cadre,
      // The command key signs commands: never printed, only whether one is set.
      commands: {
        key: cadre.commands.key ? '(set)' : '(not set: CADRE_COMMAND_KEY or CADRE_DATA/command-key)',
        previousKeys: cadre.commands.previousKeys.map(() => '(set)'),
      },
    },
    'notify.yaml': Value.Encode(NotifySchema, config.notify),
    'access.yaml': {
      ...access,
      users: access.users.map(({ name, role, cities }) => ({ name, role, ...(cities ? { cities } : {}) })),
      apiKeys: access.apiKeys.map(({ name, role }) => ({ name, role })),
    },
    'topology.json': {
      cities: config.topology.cities.length,
      grids: config.topology.grids.length,
      elements: config.topology.elements.length,
    },
  };
  console.log(`# effective configuration of ${dir} (durations in seconds)`);
  console.log(stringify(effective, { lineWidth: 0 }).trimEnd());
  return 0;
}
