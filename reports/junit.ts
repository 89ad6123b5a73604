import type { ReportResult, ReportWriter, ScanReport } from './types.ts';

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

type Totals = { tests: number; failures: number; errors: number; skipped: number; ms: number };

function totals(results: readonly ReportResult[]): Totals {
  return {
    tests: results.length,
    failures: results.filter((r) => r.status === 'fail').length,
    errors: results.filter((r) => r.status === 'error').length,
    skipped: results.filter((r) => r.status === 'skip' || r.status === 'waived').length,
    ms: results.reduce((sum, r) => sum + r.durationMs, 0),
  };
}

const counts = (t: Totals) => `tests="${t.tests}" failures="${t.failures}" errors="${t.errors}" skipped="${t.skipped}"`;

/** JUnit XML for CI systems: one testsuite per domain, one testcase per check (fail, error, skipped/waived, warn passes). */
export const junitWriter: ReportWriter = {
  format: 'junit',
  extension: 'xml',
  render(report: ScanReport): string {
    const domains = [...new Set([...report.domains, ...report.results.map((r) => r.domain)])];
    const suites = domains.map((domain) => {
      const results = report.results.filter((r) => r.domain === domain);
      const t = totals(results);
      const head = `  <testsuite name="${xmlAttr(domain)}" ${counts(t)} time="${seconds(t.ms)}" timestamp="${xmlAttr(report.startedAt)}">`;
      return [head, ...results.map(testcase), '  </testsuite>'].join('\n');
    });
    const all = totals(report.results);
    return [
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<testsuites name="vouch" ${counts(all)} time="${seconds(report.durationMs)}" timestamp="${xmlAttr(report.startedAt)}">`,
      ...suites,
      '</testsuites>',
      '',
    ].join('\n');
  },
};
