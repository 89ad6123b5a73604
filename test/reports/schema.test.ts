import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { generateKeyPairSync } from 'node:crypto';
import { jsonWriter } from '../../reports/json.ts';
import { renderReport } from '../../reports/memory.ts';
import type { ScanReport } from '../../reports/types.ts';
import { fixtureReport } from './fixture-report.ts';
import { syntheticStream } from './synthetic.ts';
import { CHECK_ID_PATTERN, ERROR_REASONS, SCOPES, SKIP_REASONS } from '../../src/core/types.ts';
import { PROMISE_STATES, REPORT_STATUSES } from '../../reports/types.ts';

// ajv-formats is CommonJS: Node's ESM default import is its module.exports, which carries the plugin as `.default`.
const addFormats = addFormatsModule.default;

const schema: object = JSON.parse(readFileSync(new URL('../../reports/schema/report.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
addFormats(ajv);
const validate = ajv.compile(schema);

type Parsed = { domains: { results: Record<string, unknown>[] }[]; digest: string; promises: Record<string, unknown>[] } & Record<string, unknown>;
/** What a dashboard sees: the report as the JSON writer writes it, parsed back. */
const asJson = async (report: ScanReport, signingKeyPem?: string): Promise<Parsed> => JSON.parse(await renderReport(jsonWriter, report, signingKeyPem));

function errorsOf(value: unknown): string[] {
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

describe('report.schema.json', () => {
  it('accepts the fixture report with promises, waivers, since and digest', async () => {
    expect(errorsOf(await asJson(fixtureReport()))).toEqual([]);
  });

  it('accepts a signed and resumed report, a report without any of the compliance fields, and a synthetic one', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const resumed = { ...fixtureReport(), resumed: [{ at: '2026-06-01T02:00:05.000Z', domainsDone: 2 }] };
    expect(errorsOf(await asJson(resumed, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()))).toEqual([]);
    const { promises: _p, waivers: _w, digest: _d, ...plain } = fixtureReport();
    const bare = { ...plain, domains: plain.domains.map((d) => ({ ...d, results: d.results.filter((r) => r.status !== 'waived').map(({ since: _s, ...r }) => r) })) };
    expect(errorsOf(await asJson(bare))).toEqual([]);
    expect(errorsOf(JSON.parse(await renderReport(jsonWriter, syntheticStream(20, 12))))).toEqual([]);
  });

  it('requires a waived result to carry its original status, waiver, evidence and remediation', async () => {
    const report = await asJson(fixtureReport());
    const waived = report.domains[0]!.results.find((r) => r['status'] === 'waived')!;
    delete waived['waiver'];
    expect(errorsOf(report).join('\n')).toMatch(/must have required property 'waiver'/);
  });

  it('rejects waiver fields on a result that is not waived, and anything but the three fields in a domain entry', async () => {
    const report = await asJson(fixtureReport());
    report.domains[0]!.results[0]!['originalStatus'] = 'fail';
    expect(errorsOf(report)).not.toEqual([]);
    const extra = await asJson(fixtureReport());
    (extra.domains[1] as Record<string, unknown>)['note'] = 'x';
    expect(errorsOf(extra).join('\n')).toMatch(/\/domains\/1 must NOT have additional properties/);
  });

  it('rejects an unknown status, a malformed digest and an automated promise in a manual state', async () => {
    const report = await asJson(fixtureReport());
    report.domains[0]!.results[0]!['status'] = 'ok';
    report.digest = 'md5:abc';
    report.promises.find((p) => p['kind'] === 'automated')!['status'] = 'attested';
    const errors = errorsOf(report).join('\n');
    expect(errors).toMatch(/\/domains\/0\/results\/0\/status must be equal to one of the allowed values/);
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
