import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { generateKeyPairSync } from 'node:crypto';
import { jsonWriter } from '../../reports/json.ts';
import { sealReport } from '../../src/compliance/integrity.ts';
import { fixtureReport } from './fixture-report.ts';
import { CHECK_ID_PATTERN, ERROR_REASONS, SCOPES, SKIP_REASONS } from '../../src/core/types.ts';
import { PROMISE_STATES, REPORT_STATUSES } from '../../reports/types.ts';

// ajv-formats is CommonJS: Node's ESM default import is its module.exports, which carries the plugin as `.default`.
const addFormats = addFormatsModule.default;

const schema: object = JSON.parse(readFileSync(new URL('../../reports/schema/report.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
addFormats(ajv);
const validate = ajv.compile(schema);

/** What a dashboard sees: the report as the JSON writer writes it, parsed back. */
const asJson = (value: unknown): Record<string, unknown> => JSON.parse(jsonWriter.render(value as never));

function errorsOf(value: unknown): string[] {
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

describe('report.schema.json', () => {
  it('accepts the fixture report with promises, waivers, since and digest', () => {
    expect(errorsOf(asJson(fixtureReport()))).toEqual([]);
  });

  it('accepts a signed report and a report without any of the compliance fields', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const signed = sealReport(fixtureReport(), privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(errorsOf(asJson(signed))).toEqual([]);
    const { promises: _p, waivers: _w, digest: _d, ...plain } = fixtureReport();
    const bare = { ...plain, results: plain.results.filter((r) => r.status !== 'waived').map(({ since: _s, ...r }) => r) };
    expect(errorsOf(asJson(bare))).toEqual([]);
  });

  it('requires a waived result to carry its original status, waiver, evidence and remediation', () => {
    const report = asJson(fixtureReport()) as { results: Record<string, unknown>[] };
    const waived = report.results.find((r) => r['status'] === 'waived')!;
    delete waived['waiver'];
    expect(errorsOf(report).join('\n')).toMatch(/must have required property 'waiver'/);
  });

  it('rejects waiver fields on a result that is not waived', () => {
    const report = asJson(fixtureReport()) as { results: Record<string, unknown>[] };
    report.results[0]!['originalStatus'] = 'fail';
    expect(errorsOf(report)).not.toEqual([]);
  });

  it('rejects an unknown status, a malformed digest and an automated promise in a manual state', () => {
    const report = asJson(fixtureReport()) as { results: Record<string, unknown>[]; digest: string; promises: Record<string, unknown>[] };
    report.results[0]!['status'] = 'ok';
    report.digest = 'md5:abc';
    report.promises.find((p) => p['kind'] === 'automated')!['status'] = 'attested';
    const errors = errorsOf(report).join('\n');
    expect(errors).toMatch(/\/results\/0\/status must be equal to one of the allowed values/);
    expect(errors).toMatch(/\/digest must match pattern/);
    expect(errors).toMatch(/\/promises\/0\/status must be equal to one of the allowed values/);
  });

  it('lists exactly the vocabularies the code declares (statuses, reasons, scopes, promise states, check ids)', () => {
    const text = JSON.stringify(schema);
    expect((schema as { $defs: { checkId: { pattern: string } } }).$defs.checkId.pattern).toBe(CHECK_ID_PATTERN.source);
    expect(text).toContain(`"enum":${JSON.stringify(PROMISE_STATES.slice(0, 5))}`);
    // Each vocabulary appears in the schema as one enum array, in the code's order.
    for (const words of [REPORT_STATUSES, ERROR_REASONS, SKIP_REASONS, SCOPES]) {
      expect(text, words.join(',')).toContain(`"enum":${JSON.stringify(words)}`);
    }
  });
});
