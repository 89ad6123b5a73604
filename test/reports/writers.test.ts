import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publicKeyFingerprint } from '../../src/compliance/integrity.ts';
import { loadWriter, REPORT_FORMATS } from '../../reports/index.ts';
import { csvCell } from '../../reports/csv.ts';
import { escapeHtml, htmlWriter, visible } from '../../reports/html.ts';
import { xmlAttr, xmlText } from '../../reports/junit.ts';
import { labelValue } from '../../reports/prometheus.ts';
import { jsonWriter } from '../../reports/json.ts';
import { allResults, renderReport } from '../../reports/memory.ts';
import { fixtureReport, HOSTILE } from './fixture-report.ts';

const report = fixtureReport();
const results = allResults(report);
const WRITERS = Object.fromEntries(await Promise.all(REPORT_FORMATS.map(async (f) => [f, await loadWriter(f)] as const)));
const rendered = Object.fromEntries(await Promise.all(REPORT_FORMATS.map(async (f) => [f, await renderReport(WRITERS[f]!, report)] as const)));

describe('snapshots of every format on the fixed report', () => {
  it.each(REPORT_FORMATS.map((f) => [f] as const))('%s', async (format) => {
    await expect(rendered[format]).toMatchFileSnapshot(`__snapshots__/report.${WRITERS[format]!.extension}`);
  });

  it('registers every writer under its own format name', async () => {
    for (const format of REPORT_FORMATS) expect(WRITERS[format]!.format).toBe(format);
    expect(await loadWriter('markdown')).toBeUndefined();
  });

  it('json round-trips the report unchanged, with the seal sealReport computes in memory', () => {
    expect(JSON.parse(rendered['json']!)).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('json has the documented layout: the start members pretty-printed, one compact line per domain, the end members, the seal last', () => {
    const lines = rendered['json']!.split('\n');
    const open = lines.indexOf('  "domains": [');
    expect(lines.slice(0, 3)).toEqual(['{', '  "schemaVersion": 2,', '  "tool": {']);
    const before = JSON.parse(`${lines.slice(0, open).join('\n').replace(/,$/, '')}\n}`) as Record<string, unknown>;
    expect(Object.keys(before)).toEqual(['schemaVersion', 'tool', 'runId', 'startedAt', 'config', 'resolvers', 'checks']);
    expect(lines.slice(open + 1, open + 1 + report.domains.length).map((l) => JSON.parse(l.replace(/^ {4}/, '').replace(/,$/, '')))).toEqual(
      JSON.parse(JSON.stringify(report.domains)));
    const after = lines.slice(open + 1 + report.domains.length);
    expect(after[0]).toBe('  ],');
    expect(after[1]).toBe('  "status": "complete",');
    expect(after.slice(-3)).toEqual([`  "digest": "${report.digest!}"`, '}', '']);
    const late = JSON.parse(`{${after.slice(1).join('\n')}`) as Record<string, unknown>;
    expect(Object.keys(late)).toEqual(['status', 'finishedAt', 'durationMs', 'summary', 'promises', 'waivers', 'digest']);
  });

  it('json writes an empty domain list as valid JSON', async () => {
    const empty = { ...report, domains: [] };
    expect(JSON.parse(await renderReport(jsonWriter, empty)).domains).toEqual([]);
  });
});

describe('html', () => {
  const page = rendered['html']!;

  it('escapes the five HTML metacharacters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('contains no script, event handler or injected element from hostile values', () => {
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/<img/i);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&quot;&#39;&gt;&lt;img src=x onerror=alert(1)&gt;');
  });

  it('is self-contained: only known elements and attributes, no loads, policy forbids scripts', () => {
    expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
    // Every "<" in text is escaped, so each match below is real markup: hostile values cannot add elements or attributes.
    const tags = [...page.matchAll(/<([a-zA-Z][\w-]*)((?:\s+[\w-]+(?:="[^"]*")?)*)\s*>/g)];
    const names = new Set(tags.map((t) => t[1]!.toLowerCase()));
    const attributes = new Set(tags.flatMap((t) => t[2]!.replace(/="[^"]*"/g, '').trim().split(/\s+/).filter(Boolean)));
    const allowedTags = ['html', 'head', 'meta', 'title', 'style', 'body', 'header', 'nav', 'h1', 'h2', 'h3', 'h4', 'p', 'strong', 'dl', 'dt', 'dd',
      'main', 'section', 'div', 'table', 'caption', 'thead', 'tbody', 'tr', 'th', 'td', 'span', 'br', 'wbr', 'code', 'blockquote', 'ol', 'ul', 'li',
      'a', 'details', 'summary', 'pre', 'svg', 'rect'];
    expect([...names].filter((n) => !allowedTags.includes(n))).toEqual([]);
    expect([...attributes].sort()).toEqual(['aria-hidden', 'aria-label', 'aria-labelledby', 'charset', 'class', 'content', 'focusable', 'height',
      'href', 'http-equiv', 'id', 'lang', 'name', 'open', 'preserveAspectRatio', 'rel', 'role', 'scope', 'tabindex', 'viewBox', 'width', 'x', 'y']);
    expect(page.match(/</g)!.length).toBe(tags.length + (page.match(/<\/[a-z0-9]+>/g)?.length ?? 0) + 1); // + the doctype
    // The only links are to http(s) evidence or to an anchor on the page; a javascript: URL from the config is shown as text.
    const ids = new Set([...page.matchAll(/ id="([^"]*)"/g)].map((m) => m[1]));
    for (const [, href] of page.matchAll(/href="([^"]*)"/g)) {
      if (href!.startsWith('#')) expect(ids.has(href!.slice(1)), href).toBe(true);
      else expect(href).toMatch(/^https?:\/\//);
    }
    expect(page).toContain('<code>javascript:alert(1)</code>');
  });

  it('shows control and bidi characters from the network as escapes, not raw', () => {
    expect(visible('a\u0000b\u001bc\u202ed\ne')).toBe('a\\u0000b\\u001Bc\\u202Ed\ne');
    // Arabic letter mark, invisible tag characters, soft hyphen, Hangul filler: all hide or reorder text.
    expect(visible('a\u061Cb\u{E0041}c\u00ADd\u3164e')).toBe('a\\u061Cb\\u{E0041}c\\u00ADd\\u3164e');
    expect(page).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202e]/);
  });

  it('shows each promise with its Dutch clause and English rendering', () => {
    expect(page).toContain('<blockquote lang="nl">Voor e-mail hanteren wij STARTTLS voor versleuteling</blockquote>');
    expect(page).toContain('For e-mail we use STARTTLS for encryption.');
    expect(page).toContain('ISO/IEC 27001:2022 A.8.24 Use of cryptography');
  });

  it('lists certificate expiry at a glance, per host and address, soonest first', () => {
    // The fixture's evidence names no thresholds: the expiry is shown, and judged by nothing.
    expect(page).toMatch(/<td><span class="dn">.*example\.<\/span><wbr><span class="dl">nl<\/span><\/span><br><span class="muted">2001:<wbr>db8:<wbr>:<wbr>10<\/span><\/td><td>2026-06-10 12:00 UTC<\/td><td><span class="badge st-skip">.*NO THRESHOLD<\/span> <span class="num">9<\/span>/);
    expect(page.indexOf('>9</span></td>')).toBeLessThan(page.indexOf('>80</span></td>'));
  });

  it('shows scan time, scope, tool version, config digest, waivers and the report digest', () => {
    for (const text of [report.startedAt, report.finishedAt, 'vouch 0.1.0', report.config.digest, report.digest!, 'renewal ticket OPS-12']) {
      expect(page).toContain(text);
    }
  });

  it('opens failures and errors, and keeps passing evidence behind <details>', () => {
    expect(page.match(/<details id="r-[^"]*" open>/g)).toHaveLength(results.filter((r) => r.status === 'fail' || r.status === 'error').length);
    expect(page.match(/<details id="r-/g)).toHaveLength(results.length);
  });

  it('flags an interrupted scan', async () => {
    expect(await renderReport(htmlWriter, { ...report, status: 'interrupted' })).toContain('class="banner"');
  });

  it('names at most 100 domains in the scope, and says how many more there are', async () => {
    const many = { ...report, domains: Array.from({ length: 103 }, (_, i) => ({ domain: `d${i}.example`, results: [], artifacts: {} })) };
    const scope = /<dt>Scope<\/dt><dd>(.*?)<\/dd>/.exec(await renderReport(htmlWriter, many))![1]!.replace(/<[^>]*>/g, '');
    expect(scope).toMatch(/^103 domain\(s\): d0\.example, d1\.example, .*, d99\.example, and 3 more \(each in its section below\); 6 check\(s\)$/);
    expect(scope).not.toContain('d100.example');
  });

  it('shows the digest and signing key of the JSON report written from the same stream', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const json = JSON.parse(await renderReport(jsonWriter, report, pem)) as { digest: string; signature: { publicKeyFingerprint: string } };
    const signedPage = await renderReport(htmlWriter, report, pem);
    expect(signedPage).toContain(`<dt>Report digest</dt><dd>${json.digest}</dd>`);
    expect(signedPage).toContain(`<dt>Signature</dt><dd>ed25519, key ${publicKeyFingerprint(publicKey)}</dd>`);
    expect(json.signature.publicKeyFingerprint).toBe(publicKeyFingerprint(publicKey));
  });
});

describe('junit', () => {
  const xml = rendered['junit']!;

  it('escapes XML and removes characters XML 1.0 cannot hold', () => {
    expect(xmlText('a<b>&"\'\u0000\u0007\u001b\ud800z')).toBe('a&lt;b&gt;&amp;&quot;&apos;z');
    expect(xmlAttr('x\ny\tz\r')).toBe('x&#10;y&#9;z&#13;');
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(xml).not.toMatch(/<script|<img/);
  });

  it('has one testsuite per domain and one testcase per result, with the right elements', () => {
    expect(xml.match(/<testsuite /g)).toHaveLength(report.domains.length);
    expect(xml.match(/<testcase /g)).toHaveLength(results.length);
    expect(xml.match(/<failure /g)).toHaveLength(report.summary.fail);
    expect(xml.match(/<error /g)).toHaveLength(report.summary.error);
    expect(xml.match(/<skipped /g)).toHaveLength(report.summary.skip + (report.summary.waived ?? 0));
    // junit-10.xsd allows no skipped or timestamp on <testsuites> (test/reports/junit-xsd.test.ts validates the whole file).
    expect(xml).toContain('<testsuites name="vouch" tests="9" failures="2" errors="1" time="7.250">');
    expect(xml).toContain('<testsuite name="example.nl" tests="6" failures="1" errors="1" skipped="2" time="0.870" timestamp="2026-06-01T02:00:00.000Z">');
    expect(xml).toContain('<testsuite name="shop.example.nl" tests="2" failures="0" errors="0" skipped="0" time="0.370" timestamp="2026-06-01T02:00:00.600Z">');
  });

  it('passes a warn but shows it in system-out', () => {
    expect(xml).toMatch(/name="http\.hsts" time="[\d.]+">\n {6}<system-out>WARN: /);
  });
});

describe('prometheus', () => {
  const text = rendered['prometheus']!;
  const samples = text.split('\n').filter((l) => l && !l.startsWith('#'));

  it('escapes label values as the exposition format requires', () => {
    expect(labelValue('a"b\\c\nd\u0000e')).toBe('a\\"b\\\\c\\nde');
  });

  it('writes only well-formed sample lines, each family introduced by HELP and TYPE', () => {
    const label = String.raw`[a-z_]+="(?:[^"\\\n]|\\["\\n])*"`;
    const line = new RegExp(String.raw`^[a-z_]+(\{${label}(,${label})*\})? -?(\d+(\.\d+)?(e[+-]?\d+)?|NaN)$`);
    for (const s of samples) expect(s).toMatch(line);
    const families = new Set(samples.map((s) => s.replace(/[{ ].*/, '')));
    for (const name of families) {
      expect(text).toContain(`# HELP ${name} `);
      expect(text).toContain(`# TYPE ${name} gauge`);
    }
  });

  it('gives each finding (warn, fail, error) a series of its own, valued 1 and labelled by its status, and no other result one', () => {
    expect(samples.filter((s) => s.startsWith('vouch_check_status'))).toEqual([
      'vouch_check_status{domain="example.nl",check="http.hsts",status="warn"} 1',
      'vouch_check_status{domain="example.nl",check="tls.certificate-expiry",status="fail"} 1',
      'vouch_check_status{domain="example.nl",check="tls.protocol-versions",status="error"} 1',
      String.raw`vouch_check_status{domain="\"'><img src=x onerror=alert(1)>.example",check="http.hsts",status="fail"} 1`,
    ]);
  });

  it('totals results per domain (no zero, no skip) and per check (every status, zeros included)', () => {
    expect(samples.filter((s) => s.startsWith('vouch_domain_results{domain="example.nl"'))).toEqual(['pass', 'warn', 'fail', 'error', 'waived']
      .map((status) => `vouch_domain_results{domain="example.nl",status="${status}"} 1`));
    expect(samples.filter((s) => s.startsWith('vouch_check_results{check="http.hsts"'))).toEqual(
      [['pass', 0], ['warn', 1], ['fail', 1], ['error', 0], ['skip', 0], ['waived', 0]].map(([status, n]) => `vouch_check_results{check="http.hsts",status="${status}"} ${n}`));
  });

  it('exports certificate expiry as Unix seconds per address, and the scan metrics', () => {
    expect(samples.filter((s) => s.startsWith('vouch_certificate_expiry_timestamp_seconds'))).toEqual([
      'vouch_certificate_expiry_timestamp_seconds{domain="example.nl",host="example.nl",port="443",service="https",address="192.0.2.10"} 1787227200',
      'vouch_certificate_expiry_timestamp_seconds{domain="example.nl",host="example.nl",port="443",service="https",address="2001:db8::10"} 1781092800',
    ]);
    expect(samples).toContain('vouch_scan_duration_seconds 7.25');
    expect(samples).toContain(`vouch_scan_timestamp_seconds ${Date.parse(report.finishedAt) / 1000}`);
    expect(samples).toContain('vouch_results{status="waived"} 1');
    expect(text).not.toContain('_total');
    expect(text).not.toContain('_days');
  });
});

describe('text', () => {
  const out = rendered['text']!;

  it('shows the promise roll-up and waived results', () => {
    expect(out).toMatch(/NOT MET\s+transport-encryption/);
    expect(out).toMatch(/WAIVED\s+mail\.dmarc\s+fail waived until 2026-09-30/);
    expect(out).toContain('1 waived');
    expect(out).toContain('1 waiver(s) expired');
  });

  it('cannot be made to move the cursor or reorder text', () => {
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
    expect(HOSTILE.control).toMatch(/\u001b/);
  });
});

describe('csv', () => {
  const csv = rendered['csv']!;

  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rhere', '"cr\rhere"'],
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1', "'+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tindent', "'\tindent"],
    ['\r=1', `"'\r=1"`],
    ['a;b', '"a;b"'],
    ['a=1', 'a=1'],
    ['', ''],
  ])('cell %j -> %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('has a header row and one CRLF-terminated row per result, with the documented columns', () => {
    const rows = csv.split('\r\n');
    expect(rows[0]).toBe('domain,check,status,reason,since,promise');
    expect(rows.at(-1)).toBe('');
    expect(rows.slice(1, 3)).toEqual([
      'example.nl,https.available,pass,"HTTPS answers (TLSv1.3, HTTP 200)",2026-06-01T02:00:00.000Z,transport-encryption',
      `example.nl,http.hsts,warn,"HSTS max-age=15552000 is below 31536000 s; server says ${HOSTILE.script}",2026-06-01T02:00:00.000Z,transport-encryption`,
    ]);
    expect(csv).toContain('example.nl,tls.protocol-versions,error,timeout: could not test TLSv1: connect timed out after 8000 ms,');
    expect(csv).toContain(`example.nl,mail.dmarc,waived,"fail waived until 2026-09-30 (""'><img src=x onerror=alert(1)>: DMARC rollout in Q2 ${HOSTILE.script}): DMARC policy is none`);
  });

  it('parses back, per RFC 4180, into exactly the results (a quoted newline stays inside its cell)', () => {
    const parsed = parseCsv(csv);
    expect(parsed).toHaveLength(results.length + 1);
    expect(parsed.slice(1).map((row) => [row[0], row[1], row[2]])).toEqual(results.map((r) => [r.domain, r.checkId, r.status]));
    const hostile = parsed.find((row) => row[1] === 'http.hsts' && row[2] === 'fail')!;
    expect(hostile[3]).toBe(`HSTS header missing; page title ${HOSTILE.attribute} ${HOSTILE.control}`);
    expect(parsed.every((row) => row.length === 6)).toBe(true);
  });
});

/** A minimal RFC 4180 reader, to show the writer's output means what it should (not a general CSV parser). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' && cell === '') {
      // A quoted cell: up to the quote that is not doubled.
      for (let j = i + 1; ; ) {
        const q = text.indexOf('"', j);
        if (text[q + 1] === '"') {
          cell += text.slice(j, q + 1);
          j = q + 2;
          continue;
        }
        cell += text.slice(j, q);
        i = q;
        break;
      }
    } else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell); rows.push(row); row = []; cell = ''; i++;
    } else cell += c;
  }
  return rows;
}
