import { defineCheck } from '../../src/core/check.ts';
import { cap, judgePages } from './page.ts';
import type { PageFetch, Verdict } from './page.ts';

const REMEDIATION = 'Stop advertising product versions: e.g. nginx "server_tokens off", Apache "ServerTokens Prod" and '
  + '"ServerSignature Off", PHP "expose_php = Off", IIS "removeServerHeader" and <httpRuntime enableVersionHeader="false">, '
  + 'and remove X-Powered-By / X-Generator headers.';

/** Headers that name the software behind a site (RFC 9110 §10.2.4 Server, §7.6.3 Via, and common vendor headers). */
export const DISCLOSING_HEADERS = [
  'server', 'x-powered-by', 'x-aspnet-version', 'x-aspnetmvc-version', 'x-generator', 'x-powered-cms',
  'x-runtime-version', 'x-version', 'x-server-powered-by', 'x-backend-server', 'x-mod-pagespeed', 'x-page-speed',
  'x-owa-version', 'microsoftsharepointteamservices', 'via',
] as const;

// A version: "product/1", a dotted number "2.4.41", or a lone number word ("Drupal 10"). Host names with digits
// ("AmazonS3", "mw2271.codfw.wmnet") do not match.
const VERSION = /\/\s*v?\d|(?:^|[^\w.])v?\d+(?:\.\d+)+\b|(?:^|\s)v?\d+(?=\s|$|[(;,])/i;

/** RFC 9110 §7.6.3: each Via element starts with the protocol version ("1.1 proxy"), which is no product version. */
function versionPart(name: string, value: string): string {
  return name === 'via' ? value.split(',').map((e) => e.trim().replace(/^(?:[A-Za-z]+\/)?\d+(?:\.\d+)?\s+/, '')).join(', ') : value;
}

function judge(page: PageFetch): Verdict {
  const seen: Record<string, string[]> = {};
  const versions: string[] = [];
  for (const hop of page.hops) {
    for (const name of DISCLOSING_HEADERS) {
      for (const value of hop.headers[name] ?? []) {
        const shown = cap(value, 256);
        if (!(seen[name] ??= []).includes(shown)) seen[name].push(shown);
        if (VERSION.test(versionPart(name, value.slice(0, 1024))) && !versions.includes(`${name}: ${shown}`)) versions.push(`${name}: ${shown}`);
      }
    }
  }
  const evidence = { headers: seen, revealingVersions: versions };
  if (versions.length > 0) return { status: 'warn', summary: `Software versions advertised: ${versions.slice(0, 3).join('; ')}${versions.length > 3 ? ` (+${versions.length - 3} more)` : ''}`, evidence };
  const names = Object.keys(seen);
  return { status: 'pass', summary: names.length > 0 ? `No versions in ${names.join(', ')}` : 'No software-identifying headers', evidence };
}

/** Server, X-Powered-By and similar headers must not reveal product versions. */
export const serverDisclosureCheck = defineCheck({
  id: 'http.server-disclosure',
  title: 'Responses do not advertise software versions',
  promises: ['infrastructure-security'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'RFC 9110 §10.2.4: "an origin server SHOULD NOT generate a Server header field containing needlessly fine-grained detail"',
    'Whether software is up to date cannot be proven from outside; advertising versions is a finding, so this warns, never fails.',
    'Not tested by the MDN HTTP Observatory.',
  ],
  run: judgePages(judge, REMEDIATION),
});
