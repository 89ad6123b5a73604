import { canonicalJson, createReportDigest, signDigest, signingKey } from '../src/compliance/integrity.ts';
import type { ReportDomain, ReportHeader, ReportSignature, ReportWriter } from './types.ts';

/**
 * The writer's line layout (docs/report-schema.md), which reports/json-file.ts reads back a domain at a time:
 *
 *     {                                  the members known when the scan starts, pretty-printed (2-space indent)
 *       "schemaVersion": 2,
 *       ...
 *       "domains": [                     DOMAINS_OPEN
 *         {"domain":"a.nl",...},         one line per domain entry, compact, `domain` first (domainTexts)
 *         {"domain":"b.nl",...}
 *       ],                               DOMAINS_CLOSE + ","
 *       "status": "complete",            the members known only at the end (LATE_MEMBERS), pretty-printed
 *       ...
 *       "digest": "sha256:...",          then the seal
 *       "signature": {...}
 *     }
 *
 * So a report can be written while the scan runs: everything before the domains is known before the first one
 * finishes (src/report-live/). JSON.stringify escapes every newline inside a string, so each physical line is
 * structure: a domain entry is always exactly one line, and the two marker lines cannot occur inside a member.
 */
export const DOMAINS_OPEN = '  "domains": [';
export const DOMAINS_CLOSE = '  ]';
export const DOMAIN_INDENT = '    ';

/**
 * Header members known only once the scan ends, written after the domains, in this order. All sort after "domains",
 * so the digest, which hashes the members before "domains" first, can start before they are known. Any other member
 * (also one added later) is written before the domains and must be known at the start.
 */
export const LATE_MEMBERS = ['status', 'finishedAt', 'durationMs', 'resumed', 'summary', 'promises', 'waivers'] as const;
const LATE: ReadonlySet<string> = new Set(LATE_MEMBERS);

/** A header's members split into those written before the domains and those written after (undefined ones dropped). */
export function splitHeader(header: ReportHeader): { readonly early: Record<string, unknown>; readonly late: Record<string, unknown> } {
  const { domains: _d, digest: _g, signature: _s, ...rest } = header as ReportHeader & Record<'domains' | 'digest' | 'signature', unknown>;
  const early: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) if (value !== undefined && !LATE.has(key)) early[key] = value;
  const late: Record<string, unknown> = {};
  for (const key of LATE_MEMBERS) if (rest[key] !== undefined) late[key] = rest[key];
  return { early, late };
}

/** The file's start: the early members, left open, and the domains' opening line. */
export function jsonHead(early: Record<string, unknown>): string {
  const pretty = JSON.stringify(early, null, 2);
  return `${pretty === '{}' ? '{\n' : `${pretty.slice(0, -2)},\n`}${DOMAINS_OPEN}\n`;
}

/** One domain entry's physical line; every line but the last carries the comma. */
export function jsonDomainLine(line: string, last: boolean): string {
  return `${DOMAIN_INDENT}${line}${last ? '' : ','}\n`;
}

/** The file's end: the domains' closing line, the late members and the seal, and the closing brace. */
export function jsonTail(late: Record<string, unknown>, seal: { readonly digest: string; readonly signature?: ReportSignature }): string {
  return `${DOMAINS_CLOSE},\n${JSON.stringify({ ...late, ...seal }, null, 2).slice(2)}\n`;
}

/**
 * A domain entry as written and as hashed, from one canonical serialization of its results and artifacts (the
 * costly part, done once). The line puts `domain` first, so an index reads it without parsing the line; the
 * hashed form is the same three members in canonical (sorted) order. Either way exactly these three fields.
 */
export function domainTexts(d: ReportDomain): { readonly line: string; readonly canonical: string } {
  return domainTextsOf(domainParts(d));
}

/** A domain entry's three members serialized (JSON text each): what a report written live keeps until its turn. */
export type DomainParts = { readonly domain: string; readonly results: string; readonly artifacts: string };

export function domainParts(d: ReportDomain): DomainParts {
  return { domain: JSON.stringify(d.domain), results: canonicalJson(d.results), artifacts: canonicalJson(d.artifacts) };
}

/** The line and the hashed form of an entry (domainTexts), from its serialized members. */
export function domainTextsOf({ domain, results, artifacts }: DomainParts): { readonly line: string; readonly canonical: string } {
  return {
    line: `{"domain":${domain},"results":${results},"artifacts":${artifacts}}`,
    canonical: `{"artifacts":${artifacts},"domain":${domain},"results":${results}}`,
  };
}

/**
 * The machine-readable report; its shape is published as reports/schema/report.schema.json. Streamed in the line
 * layout above, and sealed as it goes: the digest (and, with ReportStream.signingKeyPem, the Ed25519 signature) is
 * computed over the canonical form one domain at a time and written last. Holds one domain entry at a time (the
 * previous line waits for the next so it knows whether a comma follows). A report written while the scan ran
 * (src/report-live/) is byte for byte this writer's output for the same run.
 */
export const jsonWriter: ReportWriter = {
  format: 'json',
  extension: 'json',
  async write(report, out) {
    // Read the key before writing anything: a wrong key must not leave half a report behind.
    const key = report.signingKeyPem === undefined ? null : signingKey(report.signingKeyPem);
    const { early, late } = splitHeader(report.header);
    const digest = createReportDigest(early);
    await out(jsonHead(early));
    let pending: string | null = null;
    for await (const domain of report.domains()) {
      const { line, canonical } = domainTexts(domain);
      digest.addCanonical(canonical);
      if (pending !== null) await out(jsonDomainLine(pending, false));
      pending = line;
    }
    if (pending !== null) await out(jsonDomainLine(pending, true));
    const value = digest.finish(late);
    await out(jsonTail(late, key === null ? { digest: value } : { digest: value, signature: signDigest(value, key) }));
  },
};
