/** docs/configuration.md, generated from the configuration definition: one section per top-level key. */
import { CATALOGUE_FILE } from '../definition/compliance.ts';
import { mappingOf, type JsonValue, type StringFormat, type ValueDefinition } from '../definition/types.ts';
import { toYaml } from './example.ts';

const REGENERATE = 'npx vitest run test/config/reference.test.ts -u';

const FORMAT_NAMES: Record<StringFormat, string> = {
  text: 'text', path: 'path', domain: 'domain name', date: 'date', glob: 'name or `*` glob', url: 'https URL', address: 'IP address',
};

/** The type column: `whole number 1-10000`, `list of path`, `` `raw` \| `node` ``. */
export function typeText(definition: ValueDefinition): string {
  switch (definition.type) {
    case 'string': return FORMAT_NAMES[definition.format ?? 'text'];
    case 'boolean': return 'true or false';
    case 'integer': return `whole number ${definition.min}-${definition.max}`;
    case 'enum': return definition.values.map((v) => `\`${v}\``).join(' | ');
    case 'list': return `list of ${typeText(definition.items)}`;
    case 'mapping': return 'mapping';
    case 'either': return definition.options.map(typeText).join(' or ');
  }
}

const inline = (value: JsonValue) => `\`${JSON.stringify(value).replace(/"/g, '').replace(/,/g, ', ')}\``;
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function defaultText(definition: ValueDefinition, required = false): string {
  if (required) return 'required';
  if (definition.defaultText !== undefined) return cell(definition.defaultText);
  return definition.default === undefined ? '' : inline(definition.default);
}

/** Table rows for a key and every key under it, depth first; `required` when its mapping cannot do without it. */
function rows(path: string, definition: ValueDefinition, required = false): string[] {
  const own = `| \`${path}\` | ${cell(typeText(definition))} | ${defaultText(definition, required)} | ${cell(definition.description)} |`;
  const mapping = mappingOf(definition);
  const children = mapping
    ? Object.entries(mapping.keys).flatMap(([key, child]) => rows(`${path}.${key}`, child, mapping.required?.includes(key)))
    : definition.type === 'list' && mappingOf(definition.items) ? rows(`${path}[]`, definition.items).slice(1) : [];
  return [own, ...children];
}

const TABLE_HEAD = ['| key | type | default | meaning |', '|---|---|---|---|'];

function keySection(key: string, definition: ValueDefinition): string[] {
  const example = definition.example === undefined ? [] : ['', '```yaml', ...toYaml(key, definition.example), '```'];
  return [`### \`${key}\``, '', ...TABLE_HEAD, ...rows(key, definition), ...example, ''];
}

const INTRO = [
  '# Configuration reference',
  '',
  `<!-- Generated from src/config/definition/ by test/config/reference.test.ts; do not edit by hand. Regenerate: ${REGENERATE} -->`,
  '',
  'A configuration is one YAML or JSON file: `vouch scan --config vouch.yaml`, `vouch validate vouch.yaml`.',
  '[`examples/vouch.yaml`](../examples/vouch.yaml) uses every key. Every key is optional except `domains` (or',
  '`domainsFile`, or domains on the command line). Paths are relative to the directory of the configuration file.',
  'An unknown key is an error, with a "did you mean" where one is close, and every problem of the file is listed at',
  'once, each with the file and the key path: `vouch.yaml: domains[2].name: "x" is not a domain name`. Domain names',
  'may be internationalised (`bücher.nl` is scanned as its A-label form `xn--bcher-kva.nl`, as reports show it); a URL',
  'is refused with the host name to write instead (`vouch scan -i` reads pasted URLs, with a note).',
  '',
  'Command-line values replace the file\'s: domains given as arguments replace `domains`, and `--out`, `--format`,',
  '`--only`, `--resolver`, `--timeout`, `--concurrency` and `--workers` replace `output.dir`, `output.formats`,',
  '`checks.only`, `resolvers`, `timeouts.probeMs`, `concurrency.domains` and `concurrency.workers`; `--ca` and',
  '`--connect-to` add to `trustedCaFiles` and `connectTo`.',
  '',
  '## Editor completion',
  '',
  'The configuration\'s JSON Schema, [`reports/schema/config.schema.json`](../reports/schema/config.schema.json), is',
  'generated from the same definition as this page. Editors that use the YAML language server (the YAML extension',
  'of VS Code, `yaml-language-server` in Neovim, Helix, Emacs, ...) complete keys, show these descriptions and mark',
  'unknown keys and wrong types while you type, once the file\'s first line names the schema:',
  '',
  '```yaml',
  '# yaml-language-server: $schema=../reports/schema/config.schema.json',
  '```',
  '',
  'The path is relative to the configuration file (that line is the one in `examples/vouch.yaml`). An installed',
  'Vouch carries the schema in its package: installed as the README says (`npm install -g --prefix /opt/vouch ...`),',
  'name `/opt/vouch/lib/node_modules/vouch/reports/schema/config.schema.json` (without `-g`, npm puts the package in',
  '`/opt/vouch/node_modules/vouch/` instead). The schema says what a schema can;',
  '`vouch validate` checks the rest (domain names, addresses, dates that exist, files that can be read, the',
  'signing key\'s type, check ids and promise ids).',
  '',
];

const CATALOGUE = [
  '## Your own promise catalogue',
  '',
  'The promises reports are rolled up to are data: Vouch ships the privacy statement\'s promises in',
  '[`catalogue/privacy-statement-nl.json`](../catalogue/privacy-statement-nl.json) (each clause quoted in Dutch,',
  'with an English rendering and its ISO/IEC 27001:2022 Annex A controls; an installed Vouch has it in its package,',
  'e.g. `/opt/vouch/lib/node_modules/vouch/catalogue/`). To judge against your own statement, copy that file beside',
  'your configuration, edit it (YAML or JSON) and name the copy:',
  '',
  '```yaml',
  'promises: { file: my-promises.json, mode: replace }   # only your promises',
  '```',
  '',
  'With `mode: extend` (the default), a promise of yours with the id of a shipped one replaces it whole, and the others',
  'are added after the shipped ones. Promises under `promises.list` come after those of the file. A catalogue file',
  'has these keys; an entry of its `promises` has the same keys as an entry of `promises.list`:',
  '',
  ...TABLE_HEAD,
  ...Object.entries(mappingOf(CATALOGUE_FILE)?.keys ?? {}).flatMap(([key, child]) => rows(key, child, mappingOf(CATALOGUE_FILE)?.required?.includes(key))),
  '',
];

/** The whole page, as committed in docs/configuration.md. */
export function configurationReference(definition: ValueDefinition): string {
  const keys = Object.entries(mappingOf(definition)?.keys ?? {});
  const overview = keys.map(([key, child]) => `| [\`${key}\`](#${key.toLowerCase()}) | ${cell(typeText(child))} | ${defaultText(child)} | ${cell(child.description)} |`);
  return [
    ...INTRO, '## Keys', '', ...TABLE_HEAD, ...overview, '', ...keys.flatMap(([key, child]) => keySection(key, child)), ...CATALOGUE,
  ].join('\n');
}
