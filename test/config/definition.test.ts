import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../src/config/defaults.ts';
import { CONFIG_DEFINITION } from '../../src/config/definition/index.ts';
import { definitionAt, keyPaths, mappingOf, type ValueDefinition } from '../../src/config/definition/types.ts';
import { buildConfig } from '../../src/config/load.ts';
import { completeExample } from '../../src/config/reference/example.ts';
import { MEASURE_MODES } from '../../src/config/tls.ts';
import type { Config } from '../../src/config/config.ts';
import { concretePath, exampleFilesDir, schemaErrors, withValue } from './support/definition-fixtures.ts';

const PATHS = keyPaths(CONFIG_DEFINITION);
const all = (type: ValueDefinition['type']) => PATHS.filter((p) => definitionAt(CONFIG_DEFINITION, p).type === type);
const MAPPINGS = ['', ...PATHS.filter((p) => mappingOf(definitionAt(CONFIG_DEFINITION, p)) !== undefined)];
const INTEGERS = all('integer');
/** Enums, and lists of enums by their items (`output.formats[]`). */
const ENUMS = [...all('enum'), ...all('list').filter((p) => definitionAt(CONFIG_DEFINITION, `${p}[]`).type === 'enum').map((p) => `${p}[]`)];

const complete = completeExample(CONFIG_DEFINITION) as Record<string, unknown>;
let baseDir: string;
const load = (raw: unknown) => buildConfig(raw, { source: null, baseDir });
const problemsOf = async (raw: unknown) => {
  const result = await load(raw);
  return result.ok ? [] : [...result.problems];
};

beforeAll(async () => { baseDir = await exampleFilesDir(); });

describe('the configuration definition and the loader agree', () => {
  it('covers a realistic number of keys (the walk reached the nested ones)', () => {
    expect(PATHS.length).toBeGreaterThan(70);
    expect(PATHS).toContain('domains[].cookies[].category');
    expect(PATHS).toContain('prometheus.textfile');
  });

  it('a configuration using every key of the definition, with its examples, loads without a problem', async () => {
    expect(await problemsOf(complete)).toEqual([]);
    expect(schemaErrors(complete)).toEqual([]);
  });

  it.each(MAPPINGS)('an unknown key in the mapping at "%s" is refused by the loader and the schema', async (path) => {
    const raw = withValue(complete, path, 1, 'zzUnknown');
    const where = path === '' ? 'zzUnknown' : `${concretePath(path)}.zzUnknown`;
    expect(await problemsOf(raw)).toContainEqual(expect.stringMatching(new RegExp(`^${where.replace(/[.[\]]/g, '\\$&')}: unknown key`)));
    expect(schemaErrors(raw)).not.toEqual([]);
  });

  it.each(INTEGERS)('%s: both bounds accepted, one beyond either refused, by the loader and the schema', async (path) => {
    const node = definitionAt(CONFIG_DEFINITION, path);
    if (node.type !== 'integer') throw new Error('not an integer');
    const bound = `${concretePath(path)}: expected a whole number from ${node.min} to ${node.max}`;
    for (const ok of [node.min, node.max]) {
      expect((await problemsOf(withValue(complete, path, ok))).filter((p) => p.startsWith(bound))).toEqual([]);
      expect(schemaErrors(withValue(complete, path, ok))).toEqual([]);
    }
    for (const bad of [node.min - 1, node.max + 1, 1.5]) {
      expect(await problemsOf(withValue(complete, path, bad))).toContainEqual(expect.stringContaining(bound));
      expect(schemaErrors(withValue(complete, path, bad))).not.toEqual([]);
    }
  });

  it.each(ENUMS)('%s: every listed value is accepted, another is refused, by the loader and the schema', async (path) => {
    const node = definitionAt(CONFIG_DEFINITION, path);
    if (node.type !== 'enum') throw new Error('not an enum');
    for (const value of node.values) {
      expect(await problemsOf(withValue(complete, path, value))).toEqual([]);
      expect(schemaErrors(withValue(complete, path, value))).toEqual([]);
    }
    const wrong = withValue(complete, path, typeof node.values[0] === 'number' ? 5 : 'zz-other');
    expect(await problemsOf(wrong)).toContainEqual(expect.stringMatching(new RegExp(`^${concretePath(path).replace(/[.[\]]/g, '\\$&')}: `)));
    expect(schemaErrors(wrong)).not.toEqual([]);
  });

  it.each([
    ['a list where a mapping belongs', { domains: ['a.example'], output: ['json'] }, 'output: expected a mapping'],
    ['text where a list belongs', { domains: 'a.example' }, 'domains: expected a list'],
    ['a waiver without its owner', { domains: ['a.example'], waivers: [{ domain: 'a.example', check: 'http.csp', reason: 'r', expires: '2027-01-01' }] }, 'waivers[0].owner: required'],
    ['a misspelt top-level key', { domains: ['a.example'], timeout: { probeMs: 100 } }, 'timeout: unknown key (did you mean'],
    ['an empty string', { domains: ['a.example'], ehloName: '  ' }, 'ehloName: expected a non-empty string'],
    ['a promise without its id', { domains: ['a.example'], promises: { list: [{ title: 'x' }] } }, 'promises.list[0].id: required'],
  ])('%s is refused by the loader and the schema', async (_name, raw, problem) => {
    expect((await problemsOf(raw)).join('\n')).toContain(problem);
    expect(schemaErrors(raw)).not.toEqual([]);
  });
});

describe('the defaults the definition documents are the ones the loader applies', () => {
  let config: Config;
  beforeAll(async () => {
    const result = await load({ domains: ['a.example'] });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    config = result.config;
  });
  const defaultOf = (path: string) => definitionAt(CONFIG_DEFINITION, path).default;

  it.each([
    ['timeouts.probeMs', (c: Config) => c.probe.timeoutMs],
    ['concurrency.domains', (c: Config) => c.probe.domainsInFlight],
    ['concurrency.connectionsPerHost', (c: Config) => c.probe.connectionsPerHost],
    ['concurrency.mxConnectionsPerAddress', (c: Config) => c.probe.mxConnectionsPerAddress],
    ['limits.maxHeaderBytes', (c: Config) => c.probe.maxHeaderBytes],
    ['limits.maxBodyBytes', (c: Config) => c.probe.maxBodyBytes],
    ['limits.maxRedirects', (c: Config) => c.probe.maxRedirects],
    ['ipFamilies', (c: Config) => c.probe.ipFamilies],
    ['tlsVersionProbe', (c: Config) => c.probe.tlsVersionProbe],
    ['output.formats', (c: Config) => c.output.formats],
    ['cookieCategories', (c: Config) => c.cookieCategories],
    ['strictMxCertificates', (c: Config) => c.strictMxCertificates],
    ['tls.profile', (c: Config) => c.tls.profile],
    ['tls.measure', (c: Config) => c.tls.measure],
    ['ocsp.queryResponder', (c: Config) => c.ocsp.queryResponder],
    ['checks.only', (c: Config) => c.checks.only],
    ['domains[].web', (c: Config) => c.targets[0]?.web],
    ['domains[].mail', (c: Config) => c.targets[0]?.mail],
    ['domains[].profile', (c: Config) => c.targets[0]?.profile],
  ])('%s', (path, read) => {
    expect(defaultOf(path)).toBeDefined();
    expect(read(config)).toEqual(defaultOf(path));
  });

  it('thresholds: every one the loader knows, with its default', () => {
    expect(Object.keys(mappingOf(definitionAt(CONFIG_DEFINITION, 'thresholds'))?.keys ?? {}).sort()).toEqual(Object.keys(DEFAULT_THRESHOLDS).sort());
    for (const [key, value] of Object.entries(DEFAULT_THRESHOLDS)) expect(defaultOf(`thresholds.${key}`), key).toBe(value);
    expect(config.thresholds).toEqual(DEFAULT_THRESHOLDS);
  });

  it('tls.measure lists the modes the TLS settings know', () => {
    const measure = definitionAt(CONFIG_DEFINITION, 'tls.measure');
    expect(measure.type === 'enum' && measure.values).toEqual([...MEASURE_MODES]);
  });
});
