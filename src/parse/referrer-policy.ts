/**
 * Referrer Policy (W3C, https://www.w3.org/TR/referrer-policy/): the `Referrer-Policy` header and the HTML
 * `<meta name="referrer">` element. Pure and total.
 */
import { scanMetaElements } from './csp.ts';

/** Referrer Policy §3: every policy value a browser knows. */
export const REFERRER_POLICIES = [
  'no-referrer', 'no-referrer-when-downgrade', 'same-origin', 'origin', 'strict-origin',
  'origin-when-cross-origin', 'strict-origin-when-cross-origin', 'unsafe-url',
] as const;
export type ReferrerPolicy = (typeof REFERRER_POLICIES)[number];

/** What a set of `Referrer-Policy` field values amounts to. */
export type ReferrerPolicyParse = {
  /** The policy in force: the last recognised token (spec §8.1), or null when none was recognised. */
  readonly policy: ReferrerPolicy | null;
  /** Non-empty tokens that are not a policy (spec §11.1: ignored, which is what makes fallbacks work). Capped. */
  readonly unknown: readonly string[];
  /** Number of non-empty tokens seen. */
  readonly tokens: number;
};

const MAX_UNKNOWN = 16;

function asPolicy(token: string): ReferrerPolicy | null {
  // The spec compares exactly; browsers and the MDN Observatory accept any case, and so do we.
  const lower = token.toLowerCase();
  return (REFERRER_POLICIES as readonly string[]).includes(lower) ? (lower as ReferrerPolicy) : null;
}

/**
 * Referrer Policy §8.1 "parse a referrer policy from a Referrer-Policy header": the values of every header field
 * are one comma-separated list, and the last token that is a known policy wins; unknown tokens are skipped (§11.1).
 */
export function parseReferrerPolicy(values: readonly string[]): ReferrerPolicyParse {
  let policy: ReferrerPolicy | null = null;
  const unknown: string[] = [];
  let tokens = 0;
  for (const value of values) {
    for (const raw of value.split(',')) {
      const token = raw.trim();
      if (token === '') continue;
      tokens += 1;
      const known = asPolicy(token);
      if (known) policy = known;
      else if (unknown.length < MAX_UNKNOWN) unknown.push(token.slice(0, 64));
    }
  }
  return { policy, unknown, tokens };
}

// HTML "referrer" metadata name: legacy keywords map onto policies.
const LEGACY: Readonly<Record<string, ReferrerPolicy>> = {
  never: 'no-referrer',
  default: 'strict-origin-when-cross-origin',
  always: 'unsafe-url',
  'origin-when-crossorigin': 'origin-when-cross-origin',
};

/**
 * A `<meta name="referrer">` element's content and the policy it sets: null when the content is not a policy, and
 * then the element changes nothing (HTML "referrer" metadata name: the policy is set only if the value is one).
 */
export type MetaReferrer = { readonly content: string; readonly policy: ReferrerPolicy | null };

/**
 * The last `<meta name="referrer">` in the head. HTML §4.2.5.1: the content is one token, lower-cased, legacy
 * keywords mapped; a valid one replaces the document's policy, so it overrides the header.
 */
export function extractMetaReferrer(html: string): MetaReferrer | null {
  let found: MetaReferrer | null = null;
  for (const meta of scanMetaElements(html)) {
    if ((meta['name'] ?? '').trim().toLowerCase() !== 'referrer' || !('content' in meta)) continue;
    const content = (meta['content'] ?? '').trim().toLowerCase();
    const policy = LEGACY[content] ?? asPolicy(content);
    // An invalid value leaves the policy as it was, so only a valid element replaces an earlier one.
    if (policy || found === null) found = { content: content.slice(0, 64), policy };
  }
  return found;
}
