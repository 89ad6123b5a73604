import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { CONFIG_DEFINITION } from '../../src/config/definition/index.ts';
import { configSchemaText } from '../../src/config/reference/json-schema.ts';
import { configurationReference } from '../../src/config/reference/markdown.ts';

const REGENERATE = 'regenerate with: npx vitest run test/config/reference.test.ts -u';

describe('the configuration reference, generated from src/config/definition/', () => {
  it('docs/configuration.md is up to date', async () => {
    await expect(configurationReference(CONFIG_DEFINITION), `docs/configuration.md is out of date; ${REGENERATE}`)
      .toMatchFileSnapshot('../../docs/configuration.md');
  });

  it('reports/schema/config.schema.json is up to date', async () => {
    await expect(configSchemaText(CONFIG_DEFINITION), `reports/schema/config.schema.json is out of date; ${REGENERATE}`)
      .toMatchFileSnapshot('../../reports/schema/config.schema.json');
  });

  it('names paths under lib/node_modules only for a global (-g) install, where npm puts them', () => {
    // `npm install --prefix P` (no -g) installs into P/node_modules; only -g with --prefix P uses P/lib/node_modules.
    const text = configurationReference(CONFIG_DEFINITION).replace(/\n/g, ' ');
    expect(text).toContain('lib/node_modules');
    expect(text).not.toMatch(/npm install (?![^`]*-g)[^`]*`[^.]*lib\/node_modules/);
  });

  it('the schema is valid JSON Schema 2020-12 that strict ajv compiles', () => {
    const schema = JSON.parse(readFileSync(new URL('../../reports/schema/config.schema.json', import.meta.url), 'utf8')) as object;
    expect(() => new Ajv2020({ strict: true, strictRequired: false }).compile(schema)).not.toThrow();
  });
});
