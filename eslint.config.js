import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';

/**
 * Layers by import (docs/architecture.md "Layers"): each folder may import only the folders listed
 * for it, so an arrow against the direction fails `npm run lint`. Every import in cadre is relative
 * and every folder sits at a fixed depth, so the specifier alone says where it lands: the patterns
 * are built from this table, no resolver or plugin needed (an import plugin would resolve the same
 * relative paths with a TypeScript resolver, two more dependencies for nothing this table misses).
 */
const CONTRACT = ['shared', 'config', 'contract'];
const LAYERS = {
  // The contract layer, bottom up: shared/ is the vocabulary, config/ the config files, contract/
  // what the contract derives from both (inputs validated, figures). No broker, no role.
  shared: { may: [], noBroker: true },
  config: { may: ['shared'], noBroker: true },
  contract: { may: ['shared', 'config'], noBroker: true },
  // The broker layer: streams and buckets, the publisher, leases, the nats-server launcher.
  broker: { may: CONTRACT },
  // The roles: none imports another; what two roles share goes down a layer.
  ingest: { may: [...CONTRACT, 'broker'] },
  processor: { may: [...CONTRACT, 'broker'] },
  gateway: { may: [...CONTRACT, 'broker'] },
  notify: { may: [...CONTRACT, 'broker'] },
  sim: { may: [...CONTRACT, 'broker'] },
  // The browser (ui/src): the contract's vocabulary and figures, the gateway's answer shapes as
  // types only. ui/dev is tooling, like bench/ and test/.
  'ui/src': { may: CONTRACT, types: ['gateway'] },
};
/** processor/core is pure: the contract layer only, no other processor file, no IO, no broker. */
const CORE = { may: CONTRACT, noBroker: true, noIo: true };
const TOP = [
  'shared',
  'config',
  'contract',
  'broker',
  'ingest',
  'processor',
  'gateway',
  'notify',
  'sim',
  'app',
  'bin',
  'scripts',
  'bench',
  'test',
  'ui',
];

const dots = (n) => '\\.\\./'.repeat(n);
/**
 * The patterns for a file `depth` folders under the root, in top folder `own`. `inner` names a
 * nested folder with a rule of its own (processor/core, `innerDepth` deep): its parent's other
 * files are out as well.
 */
function patterns(own, { may, noBroker, noIo, types = [] }, depth, inner, innerDepth = 0) {
  const who = inner ?? own;
  const message = `${who}/ may import ${[inner ? `${inner}/` : `${own}/`, ...may.map((m) => `${m}/`)].join(', ')} only (docs/architecture.md "Layers").`;
  const banned = TOP.filter((t) => (inner || t !== own) && !may.includes(t));
  const strict = banned.filter((t) => !types.includes(t));
  const list = [{ regex: `^${dots(depth)}(${strict.join('|')})/`, message }];
  if (types.length)
    list.push({
      regex: `^${dots(depth)}(${types.join('|')})/`,
      message: `${message} Types only from ${types.join('/, ')}/.`,
      allowTypeImports: true,
    });
  if (inner) list.push({ regex: `^${dots(depth - innerDepth + 1)}[^.]`, message });
  if (noBroker)
    list.push({ regex: '^@nats-io/', message: `${who}/ touches no broker (docs/architecture.md "Layers").` });
  if (noIo)
    list.push({
      regex: '^node:(fs|net|child_process|worker_threads|http|https|dgram|os)',
      message: `${who}/ does no IO (docs/architecture.md "Layers").`,
    });
  return list;
}
/** Files exactly `depth` folders under the root, in `folder`. */
const at = (folder, depth) => `${folder}/${'*/'.repeat(depth - folder.split('/').length)}*.{ts,svelte}`;
const rule = (list) => ({ '@typescript-eslint/no-restricted-imports': ['error', { patterns: list }] });

export default tseslint.config(
  { ignores: ['dist/**', 'ui/dist/**', 'data/**', 'node_modules/**'] },
  ...tseslint.configs.recommended,
  // The UI's components: Svelte's own rules, their <script lang="ts"> through the TypeScript parser.
  ...svelte.configs.recommended,
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'error',
    },
  },
  {
    files: ['test/**'],
    // A test's missing value fails the test loudly already.
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  // One entry per folder and depth (a specifier's `../` count says where it lands); processor/core's
  // entries come after processor/'s, so they replace them there.
  ...Object.entries(LAYERS).flatMap(([folder, layer]) =>
    [1, 2, 3, 4]
      .filter((depth) => depth >= folder.split('/').length)
      .map((depth) => ({
        files: [at(folder, depth)],
        rules: rule(patterns(folder.split('/')[0], layer, depth)),
      })),
  ),
  ...[2, 3, 4].map((depth) => ({
    files: [at('processor/core', depth)],
    rules: rule(patterns('processor', CORE, depth, 'processor/core', 2)),
  })),
);
