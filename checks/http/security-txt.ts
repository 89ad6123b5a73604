import { defineCheck } from '../../src/core/check.ts';
import { HTTPS_SERVED } from '../../src/core/prerequisites.ts';
import { redirectPolicyOf } from '../../src/web/redirect-walk.ts';
import { parseSecurityTxt } from '../../src/parse/security-txt.ts';
import type { SecurityTxtProblem } from '../../src/parse/security-txt.ts';
import { fetchEverywhere, headerValues, judgeEach } from './page.ts';
import type { Fetch, PageFetch, Verdict } from './page.ts';

const REMEDIATION = 'Publish https://<domain>/.well-known/security.txt (RFC 9116) as "text/plain; charset=utf-8" with at least '
  + 'one Contact (mailto: or https:), an Expires date less than a year ahead, and a Canonical listing that URL; renew it '
  + 'before it expires.';

const DAY_MS = 86_400_000;
const at = (p: SecurityTxtProblem) => `${p.line === null ? 'file' : `line ${p.line}`}: ${p.message}`;

/** What the legacy /security.txt answered on the same address; null when it was not needed. */
function legacyFacts(legacy: Fetch | undefined) {
  if (!legacy) return null;
  return 'failure' in legacy ? { url: legacy.requested, error: legacy.failure.summary } : { url: legacy.final.url, httpStatus: legacy.final.status };
}

function judgeFile(page: PageFetch, legacy: Fetch | undefined, now: Date, maxDays: number): Verdict {
  const { final } = page;
  const legacyOnly = legacy !== undefined && 'final' in legacy && legacy.final.status === 200;
  const legacyNote = legacyOnly ? ' (only the legacy /security.txt exists; RFC 9116 §3 requires /.well-known/)' : '';
  const base = { contentType: headerValues(final, 'content-type'), legacy: legacyFacts(legacy) };
  if (final.status !== 200) {
    const what = final.status === 404 || final.status === 410 ? 'No security.txt' : `security.txt answered HTTP ${final.status}`;
    return { status: 'fail', summary: `${what} at /.well-known/security.txt${legacyNote}`, evidence: base };
  }
  const parsed = parseSecurityTxt(final.body, { utf8: final.bodyUtf8, complete: !final.bodyTruncated });
  const problems: SecurityTxtProblem[] = [...parsed.problems];
  const [type = '', ...params] = (final.headers['content-type']?.[0] ?? '').split(';').map((p) => p.trim().toLowerCase());
  // RFC 9116 §3: "text/plain" with the charset parameter set to "utf-8".
  if (type !== 'text/plain') problems.push({ line: null, level: 'must', message: `served as "${type || 'no Content-Type'}", not text/plain` });
  else if (!params.some((p) => /^charset\s*=\s*"?utf-8"?$/.test(p))) problems.push({ line: null, level: 'should', message: 'text/plain without charset=utf-8' });
  if (final.bodyTruncated) problems.push({ line: null, level: 'should', message: `larger than the ${final.bodyBytes}-byte read limit; the rest was not read` });
  const expires = parsed.expires ? Date.parse(parsed.expires) : null;
  const expiresLine = parsed.fields.find((f) => f.name.toLowerCase() === 'expires')?.line ?? null;
  if (expires !== null && expires <= now.getTime()) problems.push({ line: expiresLine, level: 'must', message: `expired on ${parsed.expires}` });
  else if (expires !== null && expires - now.getTime() > maxDays * DAY_MS) {
    problems.push({ line: expiresLine, level: 'should', message: `Expires ${parsed.expires} is more than ${maxDays} days ahead (RFC 9116 §2.5.5: less than a year)` });
  }
  // RFC 9116 §2.5.2: the Canonical URIs say where the file lives; the URL it was read from must be among them.
  const fetched = [page.requested, final.url];
  if (parsed.canonical.length > 0 && !parsed.canonical.some((c) => fetched.includes(URL.canParse(c) ? new URL(c).href : c))) {
    const line = parsed.fields.find((f) => f.name.toLowerCase() === 'canonical')?.line ?? null;
    problems.push({ line, level: 'must', message: `Canonical does not list ${final.url}` });
  }
  const evidence = {
    ...base, signed: parsed.signed, signatureVerified: false, contact: [...parsed.contact], expires: parsed.expires,
    canonical: [...parsed.canonical], encryption: [...parsed.encryption], policy: [...parsed.policy],
    acknowledgments: [...parsed.acknowledgments], hiring: [...parsed.hiring], preferredLanguages: [...parsed.preferredLanguages],
    problems: problems.map((p) => `${p.level === 'must' ? 'MUST' : 'SHOULD'} ${at(p)}`),
  };
  const musts = problems.filter((p) => p.level === 'must');
  const more = (n: number) => (n > 1 ? ` (+${n - 1} more)` : '');
  if (musts[0]) return { status: 'fail', summary: `security.txt ${at(musts[0])}${more(musts.length)}`, evidence };
  if (problems[0]) return { status: 'warn', summary: `security.txt ${at(problems[0])}${more(problems.length)}`, evidence };
  return { status: 'pass', summary: `security.txt with ${parsed.contact.length} Contact(s), expires ${parsed.expires ?? ''}${parsed.signed ? ', signed (not verified)' : ''}`, evidence };
}

/** security.txt (RFC 9116) at /.well-known/ on every address of the domain. */
export const securityTxtCheck = defineCheck({
  id: 'http.security-txt',
  title: 'A valid security.txt tells researchers how to report a vulnerability',
  promises: ['security-contact'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'RFC 9116 §2.2 (line breaks), §2.3 (signature), §2.5 (fields), §3 (location, text/plain; charset=utf-8), §4 (ABNF); '
      + 'RFC 3986 §3 (URIs, not the WHATWG URL parser); RFC 4880 §7 (cleartext signature); RFC 3339 §5.6 (Expires)',
    'Each problem names its line; a MUST broken fails (a last line without a line break, an invalid URI, a second '
      + 'byte-order mark), a SHOULD (missing charset, Expires over settings.thresholds.securityTxtMaxExpiryDays ahead, '
      + 'lines outside the §4 grammar such as no space after the colon, which are then not read; blank lines around '
      + 'the signed form; a signed file without Canonical, RECOMMENDED by §2.3) warns. An OpenPGP signature is noted, '
      + 'not verified.',
  ],
  async run(ctx) {
    const url = `https://${ctx.target.domain}/.well-known/security.txt`;
    const policy = redirectPolicyOf(ctx.settings);
    const wellKnown = await fetchEverywhere(ctx.probes, url, { policy, prerequisite: HTTPS_SERVED });
    const missing = wellKnown.some((p) => 'final' in p && p.final.status !== 200);
    const legacy = missing ? await fetchEverywhere(ctx.probes, `https://${ctx.target.domain}/security.txt`, { policy }) : [];
    const now = ctx.settings.now();
    const maxDays = ctx.settings.thresholds.securityTxtMaxExpiryDays;
    const judge = (page: PageFetch) => judgeFile(page, legacy.find((l) => l.endpoint === page.endpoint), now, maxDays);
    return judgeEach(ctx, { landing: wellKnown, extra: [], unresolved: [] }, judge, REMEDIATION);
  },
});
