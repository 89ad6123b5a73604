import { defineCheck } from '../../src/core/check.ts';
import type { HttpHop } from '../../src/probes/types.ts';
import { headerValues, judgePages } from './page.ts';
import type { PageFetch, Verdict } from './page.ts';

const REMEDIATION = 'Send "Cross-Origin-Opener-Policy: same-origin", "Cross-Origin-Resource-Policy: same-origin" (or '
  + 'same-site) and, where embedded content allows it, "Cross-Origin-Embedder-Policy: require-corp" (or credentialless).';

type HeaderRule = { readonly name: string; readonly good: readonly string[]; readonly weak: readonly string[]; readonly structured: boolean };

// COOP and COEP are RFC 8941 tokens with parameters (HTML "cross-origin opener/embedder policies"); CORP is an exact string (Fetch "CORP check").
const RULES: readonly HeaderRule[] = [
  { name: 'cross-origin-opener-policy', good: ['same-origin', 'same-origin-allow-popups', 'noopener-allow-popups'], weak: ['unsafe-none'], structured: true },
  { name: 'cross-origin-embedder-policy', good: ['require-corp', 'credentialless'], weak: ['unsafe-none'], structured: true },
  { name: 'cross-origin-resource-policy', good: ['same-origin', 'same-site', 'cross-origin'], weak: [], structured: false },
];

const TOKEN = "[A-Za-z*][!#$%&'*+\\-.^_`|~0-9A-Za-z:/]*";
const BARE = `(?:${TOKEN}|"(?:[^"\\\\]|\\\\["\\\\])*"|-?\\d{1,15}(?:\\.\\d{1,3})?|\\?[01]|:[A-Za-z0-9+/=]*:)`;
const ITEM = new RegExp(`^ *(${TOKEN})(?:; *[a-z*][a-z0-9_\\-.*]*(?:=${BARE})?)* *$`);

/** RFC 8941 §4.2.3: the token of a structured-field item, parameters allowed; null when it does not parse. */
function tokenOf(value: string): string | null {
  return ITEM.exec(value)?.[1] ?? null;
}

function classify(hop: HttpHop, rule: HeaderRule): 'good' | 'weak' | 'absent' | 'invalid' {
  const values = hop.headers[rule.name] ?? [];
  if (values.length === 0) return 'absent';
  if (values.length > 1) return 'invalid'; // a repeated header combines into a list, which is not a valid item
  const value = rule.structured ? tokenOf(values[0] ?? '') : (values[0] ?? '').trim();
  if (value !== null && rule.good.includes(value)) return 'good';
  return value !== null && rule.weak.includes(value) ? 'weak' : 'invalid';
}

function judge({ final }: PageFetch): Verdict {
  const states = RULES.map((rule) => ({ rule, state: classify(final, rule) }));
  const evidence = Object.fromEntries(states.map(({ rule, state }) => [rule.name, { values: headerValues(final, rule.name), state }]));
  const named = (wanted: readonly string[]) => states.filter((s) => wanted.includes(s.state)).map((s) => s.rule.name);
  const invalid = named(['invalid']);
  if (invalid.length > 0) return { status: 'fail', summary: `Invalid or repeated ${invalid.join(', ')}: browsers ignore it`, evidence };
  const missing = named(['absent', 'weak']);
  if (missing.length > 0) return { status: 'warn', summary: `Missing or unsafe-none: ${missing.join(', ')}`, evidence };
  return { status: 'pass', summary: 'Cross-Origin-Opener, -Embedder and -Resource-Policy are all set', evidence };
}

/** COOP, COEP and CORP: reported as hardening; absent warns, malformed fails. */
export const crossOriginIsolationCheck = defineCheck({
  id: 'http.cross-origin-isolation',
  title: 'Pages isolate themselves from other origins (COOP, COEP, CORP)',
  promises: ['infrastructure-security'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'HTML Living Standard, "Cross-origin opener policies" and "Cross-origin embedder policies"; Fetch, "Cross-Origin-Resource-Policy header"',
    'MDN HTTP Observatory tests "cross-origin-opener-policy", "cross-origin-embedder-policy", "cross-origin-resource-policy": '
      + 'invalid or repeated values fail in both',
    'Differs from the Observatory: absence and unsafe-none warn (the Observatory passes) as missing hardening; CORP must match '
      + 'exactly, as Fetch compares it (the Observatory lower-cases).',
  ],
  run: judgePages(judge, REMEDIATION),
});
