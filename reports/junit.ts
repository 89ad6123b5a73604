import { REPORT_STATUSES, type ReportResult, type ReportWriter } from './types.ts';

/**
 * Characters XML 1.0 forbids (C0 controls other than tab, newline and carriage return; U+FFFE/U+FFFF; unpaired
 * surrogates) plus C1 controls and DEL, which it only discourages but some CI parsers reject. Removed, not escaped:
 * XML 1.0 has no way to write them at all.
 */
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const TEXT_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
/** In attributes, whitespace is escaped too, or attribute-value normalisation would turn newlines into spaces. */
const ATTR_ESCAPES: Readonly<Record<string, string>> = { ...TEXT_ESCAPES, '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

/** Escapes text for XML element content. */
export function xmlText(text: string): string {
  return text.replace(NOT_XML, '').replace(/[&<>"']/g, (c) => TEXT_ESCAPES[c]!);
}

/** Escapes text for a double-quoted XML attribute value. */
export function xmlAttr(text: string): string {
  return text.replace(NOT_XML, '').replace(/[&<>"'\t\n\r]/g, (c) => ATTR_ESCAPES[c]!);
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** The body of a failure or error: what was found, what to do, and the evidence, so the CI log is enough. */
function details(r: ReportResult): string {
  const lines = [r.summary];
  if ('remediation' in r && r.remediation) lines.push(`Remediation: ${r.remediation}`);
  if ('evidence' in r && r.evidence !== undefined) lines.push(`Evidence: ${JSON.stringify(r.evidence, null, 2)}`);
  return xmlText(lines.join('\n'));
}

function testcase(r: ReportResult): string {
  const open = `    <testcase classname="${xmlAttr(r.domain)}" name="${xmlAttr(r.checkId)}" time="${seconds(r.durationMs)}">`;
  const body = ((): string => {
    switch (r.status) {
      case 'fail': return `      <failure message="${xmlAttr(r.summary)}" type="fail">${details(r)}</failure>`;
      case 'error': return `      <error message="${xmlAttr(r.summary)}" type="${xmlAttr(r.reason)}">${details(r)}</error>`;
      case 'skip': return `      <skipped message="${xmlAttr(`${r.reason}: ${r.summary}`)}"/>`;
      case 'waived': {
        const w = r.waiver;
        return `      <skipped message="${xmlAttr(`waived ${r.originalStatus} until ${w.expires} (${w.owner}): ${w.reason}`)}"/>\n`
          + `      <system-out>${details(r)}</system-out>`;
      }
      // A warn keeps the promise, so it passes; the finding goes to system-out where CI UIs show it.
      case 'warn': return `      <system-out>WARN: ${details(r)}</system-out>`;
      case 'pass': return '';
    }
  })();
  return body ? `${open}\n${body}\n    </testcase>` : `${open}</testcase>`;
}

type Totals = { tests: number; failures: number; errors: number; skipped: number; ms: number; firstStart: string | null };

function totals(results: readonly ReportResult[]): Totals {
  const t: Totals = { tests: results.length, failures: 0, errors: 0, skipped: 0, ms: 0, firstStart: null };
  for (const r of results) {
    if (r.status === 'fail') t.failures++;
    else if (r.status === 'error') t.errors++;
    else if (r.status === 'skip' || r.status === 'waived') t.skipped++;
    t.ms += r.durationMs;
    // ISO times in UTC of one shape, so text order is time order.
    if (t.firstStart === null || r.startedAt < t.firstStart) t.firstStart = r.startedAt;
  }
  return t;
}

/**
 * JUnit XML for CI systems, valid against Jenkins' junit-10.xsd (test/fixtures/junit-10.xsd): one testsuite per
 * domain, one testcase per check (fail, error, skipped/waived, warn passes). `<testsuites>` carries only what that
 * schema allows it (name, tests, failures, errors, time: no `skipped`, no `timestamp`); each testsuite has its
 * skipped count and, as `timestamp`, when its first check started. The run's totals open the file, so they come
 * from the header's summary, which counts the same results.
 */
export const junitWriter: ReportWriter = {
  format: 'junit',
  extension: 'xml',
  async write(report, out) {
    const header = report.header;
    const s = header.summary;
    const tests = REPORT_STATUSES.reduce((sum, st) => sum + (s[st] ?? 0), 0);
    await out(`<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="vouch" tests="${tests}" failures="${s.fail}" errors="${s.error}" time="${seconds(header.durationMs)}">\n`);
    for await (const { domain, results } of report.domains()) {
      const t = totals(results);
      const counts = `tests="${t.tests}" failures="${t.failures}" errors="${t.errors}" skipped="${t.skipped}"`;
      const head = `  <testsuite name="${xmlAttr(domain)}" ${counts} time="${seconds(t.ms)}" timestamp="${xmlAttr(t.firstStart ?? header.startedAt)}">`;
      await out(`${[head, ...results.map(testcase), '  </testsuite>'].join('\n')}\n`);
    }
    await out('</testsuites>\n');
  },
};
