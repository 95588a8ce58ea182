/**
 * Loads and validates the config folder. An invalid file stops start-up with the file, the path inside
 * it and what is wrong: nothing half-configured runs.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TSchema, StaticDecode } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { parse as parseYaml } from 'yaml';
import { CadreError } from '../shared/errors.js';
import { RulesSchema, type Rules } from './rules.js';
import { AccessSchema, type Access } from './access.js';
import { NotifySchema, crossCheckNotify, type Notify } from './notify.js';
import { Topology, TopologySchema, topologyDefaults } from './topology.js';
import { CadreSchema, type CadreSettings } from './cadre.js';

export interface Config {
  dir: string;
  topology: Topology;
  rules: Rules;
  access: Access;
  notify: Notify;
  /** cadre.yaml (extension): HTTP limits, stream retention, processor batching. */
  cadre: CadreSettings;
}

export function loadConfig(dir: string): Config {
  const topologyFile = readSection(dir, ['topology.json', 'topology.yaml'], TopologySchema, {
    required: true,
    defaults: topologyDefaults,
  });
  const problems = Topology.crossCheck(topologyFile.value);
  if (problems.length) throw configError(topologyFile.name, problems);
  const notify = readSection(dir, ['notify.yaml', 'notify.yml', 'notify.json'], NotifySchema);
  const notifyProblems = crossCheckNotify(notify.value);
  if (notifyProblems.length) throw configError(notify.name, notifyProblems);
  return {
    dir,
    topology: new Topology(topologyFile.value),
    rules: readSection(dir, ['rules.yaml', 'rules.yml', 'rules.json'], RulesSchema).value,
    access: readSection(dir, ['access.yaml', 'access.yml', 'access.json'], AccessSchema).value,
    notify: notify.value,
    cadre: readSection(dir, ['cadre.yaml', 'cadre.yml', 'cadre.json'], CadreSchema).value,
  };
}

/** Rules from a plain object (tests, replay with overrides), validated like the file. */
export function rulesFrom(raw: unknown = {}): Rules {
  return decode('rules', RulesSchema, raw);
}

/** cadre.yaml settings from a plain object (tests, benchmarks), validated like the file. */
export function cadreFrom(raw: unknown = {}): CadreSettings {
  return decode('cadre', CadreSchema, raw);
}

interface SectionOptions {
  required?: boolean;
  /** Fills in defaults in place, when the schema's generic walk would be too slow for the file. */
  defaults?: (raw: unknown) => unknown;
}

function readSection<T extends TSchema>(
  dir: string,
  names: [string, ...string[]],
  schema: T,
  options: SectionOptions = {},
): { name: string; value: StaticDecode<T> } {
  const name = names.find((n) => existsSync(join(dir, n)));
  if (!name) {
    const [first] = names;
    if (options.required) throw configError(first, [`missing: ${first} is required in ${dir}`]);
    return { name: first, value: decode(first, schema, {}, true) };
  }
  let raw: unknown;
  try {
    // YAML 1.2 is a superset of JSON, so one loader could read both; JSON.parse is ~50× faster on a
    // large topology.json, and its errors are as precise.
    const text = readFileSync(join(dir, name), 'utf8');
    raw = name.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 1000 });
  } catch (err) {
    throw configError(name, [`not readable as YAML/JSON: ${(err as Error).message.split('\n')[0]}`]);
  }
  return { name, value: decode(name, schema, raw ?? {}, true, options.defaults) };
}

/** One compiled checker per schema: a 56k-element topology checks in tens of ms, not a second. */
const checkers = new WeakMap<TSchema, TypeCheck<TSchema>>();

/** Validated with defaults filled in; `fresh` says `raw` is the caller's to change (just parsed). */
function decode<T extends TSchema>(
  file: string,
  schema: T,
  raw: unknown,
  fresh = false,
  defaults: (raw: unknown) => unknown = (r) => Value.Default(schema, r),
): StaticDecode<T> {
  let checker = checkers.get(schema) as TypeCheck<T> | undefined;
  if (!checker) checkers.set(schema, (checker = TypeCompiler.Compile(schema)));
  const withDefaults = defaults(fresh ? raw : structuredClone(raw));
  if (checker.Check(withDefaults)) {
    try {
      return checker.Decode(withDefaults) as StaticDecode<T>;
    } catch (e) {
      // A transform (a duration, a time zone) refused a value the schema's shape allowed.
      throw configError(file, [(e as Error).message]);
    }
  }
  const deepest = new Map<string, string>();
  for (const e of Value.Errors(schema, withDefaults))
    if (!deepest.has(e.path)) deepest.set(e.path, e.message);
  // Report the most specific paths: a parent's error is implied by its child's.
  const paths = [...deepest.keys()].filter(
    (p) => ![...deepest.keys()].some((q) => q !== p && q.startsWith(p + '/')),
  );
  throw configError(
    file,
    paths
      .slice(0, 5)
      .map((p) => `${p || '/'}: ${deepest.get(p)} (got ${JSON.stringify(valueAt(withDefaults, p))})`),
  );
}

function valueAt(root: unknown, path: string): unknown {
  let v: unknown = root;
  for (const key of path.split('/').slice(1))
    v = (v as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/')];
  return v;
}

function configError(file: string, problems: string[]): CadreError {
  return new CadreError('CADRE_ERR_CONFIG', `${file}: ${problems.join('; ')}`, { file, problems });
}
