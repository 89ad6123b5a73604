import { canonicalJson, createReportDigest, signDigest, signingKey } from '../src/compliance/integrity.ts';
import type { ReportDomain, ReportHeader, ReportWriter } from './types.ts';

/**
 * The writer's line layout (docs/report-schema.md), which reports/json-file.ts reads back a domain at a time:
 *
 *     {                                  the header, pretty-printed with a 2-space indent
 *       "schemaVersion": 2,
 *       ...
 *       "domains": [                     DOMAINS_OPEN
 *         {"domain":"a.nl",...},         one line per domain entry, compact, `domain` first (domainTexts)
 *         {"domain":"b.nl",...}
 *       ],                               DOMAINS_CLOSE + ","
 *       "digest": "sha256:...",          the seal, pretty-printed
 *       "signature": {...}
 *     }
 *
 * JSON.stringify escapes every newline inside a string, so each physical line is structure: a domain entry is always
 * exactly one line, and the two marker lines cannot occur inside the header or an entry.
 */
export const DOMAINS_OPEN = '  "domains": [';
export const DOMAINS_CLOSE = '  ]';
export const DOMAIN_INDENT = '    ';

/**
 * A domain entry as written and as hashed, from one canonical serialization of its results and artifacts (the
 * costly part, done once). The line puts `domain` first, so an index reads it without parsing the line; the
 * hashed form is the same three members in canonical (sorted) order. Either way exactly these three fields.
 */
export function domainTexts(d: ReportDomain): { readonly line: string; readonly canonical: string } {
  const domain = JSON.stringify(d.domain);
  const results = canonicalJson(d.results);
  const artifacts = canonicalJson(d.artifacts);
  return {
    line: `{"domain":${domain},"results":${results},"artifacts":${artifacts}}`,
    canonical: `{"artifacts":${artifacts},"domain":${domain},"results":${results}}`,
  };
}

/** The header without anything that is not header (a whole ScanReport may be passed as a header). */
function headerOnly(header: ReportHeader): Record<string, unknown> {
  const { domains: _d, digest: _g, signature: _s, ...rest } = header as ReportHeader & Record<'domains' | 'digest' | 'signature', unknown>;
  return rest;
}

/** `{\n  "a": 1\n}` -> `{\n  "a": 1,\n`: the object left open for the next member. */
function openObject(pretty: string): string {
  return pretty === '{}' ? '{\n' : `${pretty.slice(0, -2)},\n`;
}

/**
 * The machine-readable report; its shape is published as reports/schema/report.schema.json. Streamed in the line
 * layout above, and sealed as it goes: the digest (and, with ReportStream.signingKeyPem, the Ed25519 signature) is
 * computed over the canonical form one domain at a time and written last. Holds one domain entry at a time (the
 * previous line waits for the next so it knows whether a comma follows).
 */
export const jsonWriter: ReportWriter = {
  format: 'json',
  extension: 'json',
  async write(report, out) {
    // Read the key before writing anything: a wrong key must not leave half a report behind.
    const key = report.signingKeyPem === undefined ? null : signingKey(report.signingKeyPem);
    const header = headerOnly(report.header);
    const digest = createReportDigest(header);
    await out(`${openObject(JSON.stringify(header, null, 2))}${DOMAINS_OPEN}\n`);
    let pending: string | null = null;
    for await (const domain of report.domains()) {
      const { line, canonical } = domainTexts(domain);
      digest.addCanonical(canonical);
      if (pending !== null) await out(`${pending},\n`);
      pending = `${DOMAIN_INDENT}${line}`;
    }
    if (pending !== null) await out(`${pending}\n`);
    const value = digest.finish();
    const seal = key === null ? { digest: value } : { digest: value, signature: signDigest(value, key) };
    await out(`${DOMAINS_CLOSE},\n${JSON.stringify(seal, null, 2).slice(2)}\n`);
  },
};
