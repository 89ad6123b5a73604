/**
 * Content Security Policy Level 3 (W3C CSP3, https://www.w3.org/TR/CSP3/): parsing of delivered policies and an
 * analysis that answers "can an attacker run script here?". Pure and total: every input yields a result.
 */

/** Where a policy came from: a response header or a `<meta http-equiv>` element. */
export type CspSource = 'header' | 'meta';
/** `report` is `Content-Security-Policy-Report-Only`: violations are reported, nothing is blocked. */
export type CspDisposition = 'enforce' | 'report';

/** One serialized policy after CSP3 §2.2.1 parsing. */
export type CspPolicy = {
  readonly source: CspSource;
  readonly disposition: CspDisposition;
  /** Lower-case directive name → source expressions as written; the first occurrence of a name wins. */
  readonly directives: ReadonlyMap<string, readonly string[]>;
  /** Directive names that appeared more than once (the repeats were ignored). */
  readonly repeated: readonly string[];
  /** Directives dropped because a `<meta>` policy may not carry them (CSP3 §3.3, HTML "content security policy state"). */
  readonly ignoredInMeta: readonly string[];
};

const MAX_SCAN_CHARS = 1024 * 1024;

/**
 * Parses one serialized policy (CSP3 §2.2.1): tokens split on ";", the first whitespace-separated word is the
 * lower-cased directive name, a repeated name is ignored, and a token with non-ASCII characters is skipped.
 */
export function parseSerializedCsp(text: string, source: CspSource, disposition: CspDisposition): CspPolicy {
  const directives = new Map<string, readonly string[]>();
  const repeated = new Set<string>();
  const ignoredInMeta = new Set<string>();
  for (const raw of text.split(';')) {
    const token = raw.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '');
    // CSP3 §2.2.1 step 2.2: ASCII whitespace is stripped; empty or non-ASCII tokens are skipped.
    if (token === '' || /[^\x00-\x7f]/.test(token)) continue;
    const [rawName = '', ...values] = token.split(/[\t\n\f\r ]+/);
    const name = rawName.toLowerCase();
    if (source === 'meta' && META_FORBIDDEN.has(name)) {
      ignoredInMeta.add(name);
      continue;
    }
    if (directives.has(name)) {
      repeated.add(name);
      continue;
    }
    directives.set(name, values);
  }
  return { source, disposition, directives, repeated: [...repeated], ignoredInMeta: [...ignoredInMeta] };
}

/** HTML "content security policy state" removes these from a `<meta>` policy before it applies. */
const META_FORBIDDEN = new Set(['report-uri', 'frame-ancestors', 'sandbox']);

/**
 * Parses every policy in the given field values. Each value may hold several policies separated by ","
 * (CSP3 §2.2.2: the header is a `#serialized-policy` list, and repeated headers combine into one list; "," is not
 * allowed inside a directive value, so splitting on it is exact). Policies without directives are dropped (§2.2.2).
 * `<meta>` content is split the same way, as the Observatory does; HTML parses it as one policy, which differs only
 * for policies that are invalid anyway.
 */
export function parseCsp(values: readonly string[], source: CspSource, disposition: CspDisposition): CspPolicy[] {
  const policies: CspPolicy[] = [];
  for (const value of values) {
    for (const serialized of value.split(',')) {
      const policy = parseSerializedCsp(serialized, source, disposition);
      if (policy.directives.size > 0) policies.push(policy);
    }
  }
  return policies;
}

/** A `<meta>` element's attributes, names lower-cased and values entity-decoded. */
export type MetaElement = Readonly<Record<string, string>>;

/**
 * The `<meta>` elements in the document's head (before `</head>` or `<body`), comments skipped. A small scanner,
 * not an HTML parser: enough for `http-equiv` and `name=referrer`, linear in the input. Shared with referrer-policy.ts.
 */
export function scanMetaElements(html: string): MetaElement[] {
  const head = headOf(html.slice(0, MAX_SCAN_CHARS));
  const elements: MetaElement[] = [];
  const open = /<meta\b/gi;
  for (let match = open.exec(head); match !== null; match = open.exec(head)) {
    const close = head.indexOf('>', open.lastIndex);
    if (close === -1) break; // an unterminated tag ends the scan: no later tag can close either
    elements.push(attributesOf(head.slice(open.lastIndex, close)));
    open.lastIndex = close + 1;
  }
  return elements;
}

/** HTML attribute syntax, scanned by hand so that unbalanced quotes cannot make it quadratic. */
function attributesOf(text: string): MetaElement {
  const attributes: Record<string, string> = Object.create(null) as Record<string, string>; // no "__proto__" surprises
  let i = 0;
  const skip = (chars: RegExp) => { while (i < text.length && chars.test(text.charAt(i))) i += 1; };
  while (i < text.length) {
    skip(/[\s/]/);
    const start = i;
    while (i < text.length && !/[\s=/]/.test(text.charAt(i))) i += 1;
    const name = text.slice(start, i).toLowerCase();
    skip(/\s/);
    let value = '';
    if (text.charAt(i) === '=') {
      i += 1;
      skip(/\s/);
      const quote = text.charAt(i);
      if (quote === '"' || quote === "'") {
        const end = text.indexOf(quote, i + 1);
        value = text.slice(i + 1, end === -1 ? text.length : end);
        i = end === -1 ? text.length : end + 1;
      } else {
        const begin = i;
        while (i < text.length && !/\s/.test(text.charAt(i))) i += 1;
        value = text.slice(begin, i);
      }
    }
    if (name !== '' && !(name in attributes)) attributes[name] = decodeEntities(value);
    if (i === start && name === '') i += 1;
  }
  return attributes;
}

/** The content of each `<meta http-equiv="Content-Security-Policy">`, in document order. */
export function extractMetaCsp(html: string): string[] {
  return scanMetaElements(html)
    .filter((m) => (m['http-equiv'] ?? '').trim().toLowerCase() === 'content-security-policy' && 'content' in m)
    .map((m) => m['content'] ?? '');
}

function headOf(html: string): string {
  // Comments are removed with indexOf rather than a lazy regex, which is quadratic on many unterminated "<!--".
  let text = '';
  let at = 0;
  for (let open = html.indexOf('<!--'); open !== -1; open = html.indexOf('<!--', at)) {
    text += html.slice(at, open);
    const close = html.indexOf('-->', open + 4);
    if (close === -1) return cutHead(text);
    at = close + 3;
  }
  return cutHead(text + html.slice(at));
}

function cutHead(text: string): string {
  const end = text.search(/<\/head\b|<body\b/i);
  return end === -1 ? text : text.slice(0, end);
}

const ENTITIES: Readonly<Record<string, string>> = { quot: '"', apos: "'", amp: '&', lt: '<', gt: '>', nbsp: '\u00a0' };

function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,5});/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/** A finding against Vouch's baseline: `fail` lets script or plugins run or breaks the policy, `warn` is hardening. */
export type CspIssue = { readonly severity: 'fail' | 'warn' | 'note'; readonly code: string; readonly message: string };

/** What the enforced policies, taken together, allow. */
export type CspAnalysis = {
  readonly enforced: number;
  readonly reportOnly: number;
  readonly strictDynamic: boolean;
  readonly nonces: boolean;
  readonly hashes: boolean;
  /** `frame-ancestors` of the first enforced header policy that has one (a `<meta>` policy cannot), else null. */
  readonly frameAncestors: readonly string[] | null;
  /** Some enforced header policy limits who may frame the page (no `*`, scheme-only or wildcard-host source). */
  readonly framingRestricted: boolean;
  /** Worst first. */
  readonly issues: readonly CspIssue[];
};

// Sources that match (nearly) any origin; the same set the MDN HTTP Observatory calls "dangerously broad".
const BROAD = new Set(['*', 'http:', 'https:', 'ftp:', 'http://*', 'https://*', 'http://*.*', 'https://*.*']);
/**
 * CSP3 §2.3.1 (#grammardef-nonce-source, #grammardef-hash-source), ABNF strings case-insensitive (RFC 5234 §2.3):
 *   nonce-source = "'nonce-" base64-value "'";  hash-source = "'" hash-algorithm "-" base64-value "'"
 *   hash-algorithm = "sha256" / "sha384" / "sha512";  base64-value = 1*( ALPHA / DIGIT / "+" / "/" / "-" / "_" )*2( "=" )
 * A source that does not match is not a nonce or hash: browsers ignore it, so it cannot switch 'unsafe-inline' off.
 */
const NONCE_OR_HASH = /^'(?:nonce|sha256|sha384|sha512)-[A-Za-z0-9+/_-]+={0,2}'$/i;
const NONCE = /^'nonce-[A-Za-z0-9+/_-]+={0,2}'$/i;
const HASH = /^'(?:sha256|sha384|sha512)-[A-Za-z0-9+/_-]+={0,2}'$/i;
/** A quoted source written as a nonce or hash ("'nonce-", "'sha…-", "'md5-"), or an unquoted one that is one but for the quotes. */
const QUOTED_ATTEMPT = /^'(?:nonce|sha-?\d*|md5)-/i;
const UNQUOTED_ATTEMPT = /^(?:nonce|sha256|sha384|sha512)-[A-Za-z0-9+/_-]+={0,2}$/i;

/**
 * Why `source`, written as a nonce or hash source, does not match the CSP3 §2.3.1 grammar; null when it does or
 * when it is not meant as one. Browsers ignore such a source (it matches no source-expression, or is a host).
 */
export function malformedNonceOrHash(source: string): string | null {
  if (NONCE_OR_HASH.test(source)) return null;
  const shown = shorten(source);
  const dash = source.indexOf('-');
  if (UNQUOTED_ATTEMPT.test(source)) {
    return `${shown} is not quoted, so browsers read it as a host name, not a nonce or hash (CSP3 §2.3.1)`;
  }
  if (!QUOTED_ATTEMPT.test(source)) return null;
  const kind = source.slice(1, dash).toLowerCase();
  const what = kind === 'nonce' ? 'a nonce' : 'a hash';
  if (kind !== 'nonce' && !['sha256', 'sha384', 'sha512'].includes(kind)) {
    return `'${source.slice(1, dash)}-…' is not a CSP hash algorithm (CSP3 §2.3.1: sha256, sha384 or sha512)`;
  }
  const value = source.slice(dash + 1).replace(/'$/, '');
  if (value === '') return `'${source.slice(1, dash)}-' has no value (CSP3 §2.3.1)`;
  if (source.length < 3 || !source.endsWith("'")) {
    return `${shown} has no closing quote: ${what} cannot contain whitespace (CSP3 §2.3.1)`;
  }
  return `${shown} is not a base64 value (CSP3 §2.3.1: letters, digits, "+", "/", "-", "_", then at most two "=")`;
}

const PASSIVE = new Set(['img-src', 'media-src']);
const NOT_SOURCE_LISTS = new Set([
  'report-uri', 'report-to', 'sandbox', 'upgrade-insecure-requests', 'block-all-mixed-content',
  'require-trusted-types-for', 'trusted-types', 'plugin-types', 'webrtc', 'require-sri-for',
]);
// Mistakes in any one policy are reported even when another policy covers for them.
const ANY_POLICY = new Set(['repeated-directive', 'strict-dynamic-without-nonce', 'malformed-nonce-or-hash']);
const shorten = (source: string) => (source.length > 40 ? `${source.slice(0, 39)}…` : source);
const RANK = { fail: 0, warn: 1, note: 2 } as const;

type Effective = { readonly name: string; readonly list: readonly string[] };

/** CSP3 "directive fallback list" (#directive-fallback-list): the first directive present in `names` governs. */
function effective(policy: CspPolicy, names: readonly string[]): Effective | null {
  for (const name of names) {
    const list = policy.directives.get(name);
    if (list) return { name, list: list.map((s) => s.toLowerCase()) };
  }
  return null;
}

/** CSP3 §8.2: with 'strict-dynamic' and a nonce or hash, host and scheme sources, 'self' and 'unsafe-inline' are ignored. */
const trustsOnlyNonces = (list: readonly string[]) => list.includes("'strict-dynamic'") && list.some((s) => NONCE_OR_HASH.test(s));

function scriptIssues(policy: CspPolicy, add: (severity: CspIssue['severity'], code: string, message: string) => void): void {
  const contexts = [
    effective(policy, ['script-src-elem', 'script-src', 'default-src']),
    effective(policy, ['script-src-attr', 'script-src', 'default-src']),
  ];
  if (contexts[0] === null) add('fail', 'script-unrestricted', 'no script-src or default-src: any script runs, inline included');
  else if (contexts[1] === null) add('fail', 'script-unrestricted', 'no script-src-attr, script-src or default-src: inline event handlers run');
  for (const { name, list } of contexts.filter((c): c is Effective => c !== null)) {
    const nonceOrHash = list.some((s) => NONCE_OR_HASH.test(s));
    const strictDynamic = list.includes("'strict-dynamic'");
    if (strictDynamic && !nonceOrHash) add('fail', 'strict-dynamic-without-nonce', `${name} has 'strict-dynamic' without a nonce or hash`);
    // CSP3 "does a source list allow all inline behavior" (#allow-all-inline): a nonce, hash or 'strict-dynamic' switches 'unsafe-inline' off.
    if (list.includes("'unsafe-inline'") && !nonceOrHash && !strictDynamic) {
      // A malformed nonce or hash does not count (CSP3 §2.3.1): browsers ignore it and 'unsafe-inline' stays on.
      const ignored = (policy.directives.get(name) ?? []).filter((s) => malformedNonceOrHash(s) !== null);
      const why = ignored.length > 0 ? ` (browsers ignore the malformed ${ignored.map(shorten).join(' ')})` : '';
      add('fail', 'script-unsafe-inline', `${name} allows 'unsafe-inline' without a nonce or hash${why}`);
    }
    const broad = trustsOnlyNonces(list) ? [] : list.filter((s) => BROAD.has(s) || s === 'data:');
    if (broad.length > 0) add('fail', 'script-broad-source', `${name} allows scripts from ${broad.join(' ')}`);
  }
  for (const names of [['script-src', 'default-src'], ['style-src', 'default-src']]) {
    const found = effective(policy, names);
    if (found?.list.includes("'unsafe-eval'")) add('fail', 'unsafe-eval', `${found.name} allows 'unsafe-eval'`);
  }
}

function policyIssues(policy: CspPolicy): CspIssue[] {
  const issues: CspIssue[] = [];
  const add = (severity: CspIssue['severity'], code: string, message: string) => {
    if (!issues.some((i) => i.message === message)) issues.push({ severity, code, message });
  };
  scriptIssues(policy, add);
  const object = effective(policy, ['object-src', 'default-src']);
  const objectBroad = object?.list.filter((s) => BROAD.has(s)) ?? [];
  if (!object) add('fail', 'object-unrestricted', 'no object-src or default-src: <object> and <embed> load from anywhere');
  else if (objectBroad.length > 0) add('fail', 'object-unrestricted', `${object.name} allows objects from ${objectBroad.join(' ')}`);
  for (const [name, values] of policy.directives) {
    if (PASSIVE.has(name) || NOT_SOURCE_LISTS.has(name) || trustsOnlyNonces(values.map((s) => s.toLowerCase()))) continue;
    const insecure = values.filter((s) => /^(?:http|ftp):/i.test(s) && !BROAD.has(s.toLowerCase()));
    if (insecure.length > 0) add('fail', 'insecure-scheme', `${name} allows ${insecure[0]} over an unencrypted scheme`);
  }
  for (const [name, values] of policy.directives) {
    if (NOT_SOURCE_LISTS.has(name)) continue;
    for (const source of values) {
      const why = malformedNonceOrHash(source);
      if (why) add('warn', 'malformed-nonce-or-hash', `${name}: ${why}`);
    }
  }
  for (const name of PASSIVE) {
    const insecure = policy.directives.get(name)?.filter((s) => /^(?:http|ftp):/i.test(s)) ?? [];
    if (insecure.length > 0) add('warn', 'insecure-scheme-passive', `${name} allows ${insecure[0]} over an unencrypted scheme`);
  }
  const style = effective(policy, ['style-src-elem', 'style-src', 'default-src']);
  const styleLoose = !style || style.list.some((s) => BROAD.has(s) || s === 'data:')
    || (style.list.includes("'unsafe-inline'") && !style.list.some((s) => NONCE_OR_HASH.test(s)));
  if (styleLoose) add('note', 'style-unsafe-inline', `${style?.name ?? 'style-src'} allows inline styles or styles from anywhere`);
  // base-uri and form-action are not fetch directives: default-src does not cover them (CSP3 §6.3.1, §6.4.1).
  const baseUri = policy.directives.get('base-uri')?.map((s) => s.toLowerCase());
  if (!baseUri) add('warn', 'base-uri-missing', 'no base-uri: an injected <base> can re-point relative script URLs');
  else if (baseUri.some((s) => BROAD.has(s) || s === 'data:' || s === "'unsafe-inline'")) add('warn', 'base-uri-missing', 'base-uri allows any origin');
  const formAction = policy.directives.get('form-action')?.map((s) => s.toLowerCase());
  if (!formAction) add('warn', 'form-action-missing', 'no form-action: forms may post to any origin');
  else if (formAction.some((s) => BROAD.has(s))) add('warn', 'form-action-missing', 'form-action allows any origin');
  for (const name of policy.repeated) {
    // Observatory tolerates repeated reporting directives; so do we.
    if (name === 'report-uri' || name === 'report-to') add('note', 'repeated-report', `${name} appears more than once`);
    else add('fail', 'repeated-directive', `${name} appears more than once; browsers ignore the repeat (CSP3 §2.2.1)`);
  }
  for (const name of policy.ignoredInMeta) add('note', 'ignored-in-meta', `${name} is ignored in a <meta> policy`);
  return issues;
}

/**
 * Judges the enforced policies together. CSP3 §8.1: a load must satisfy every enforced policy, so a capability
 * (inline script, a broad source...) exists only if each policy grants it; report-only policies never restrict.
 */
export function analyzeCsp(policies: readonly CspPolicy[]): CspAnalysis {
  const enforced = policies.filter((p) => p.disposition === 'enforce');
  const perPolicy = enforced.map(policyIssues);
  const issues: CspIssue[] = [];
  for (const list of perPolicy) {
    for (const issue of list) {
      const everywhere = perPolicy.every((other) => other.some((i) => i.code === issue.code));
      const kept = ANY_POLICY.has(issue.code) || everywhere;
      if (kept && !issues.some((i) => i.code === issue.code && (ANY_POLICY.has(issue.code) ? i.message === issue.message : true))) {
        issues.push(issue);
      }
    }
  }
  const scriptLists = enforced.flatMap((p) => ['script-src-elem', 'script-src', 'default-src']
    .flatMap((name) => p.directives.get(name) ?? []).map((s) => s.toLowerCase()));
  const framing = enforced.filter((p) => p.source === 'header' && p.directives.has('frame-ancestors'))
    .map((p) => p.directives.get('frame-ancestors') ?? []);
  return {
    enforced: enforced.length,
    reportOnly: policies.length - enforced.length,
    strictDynamic: scriptLists.includes("'strict-dynamic'"),
    nonces: scriptLists.some((s) => NONCE.test(s)),
    hashes: scriptLists.some((s) => HASH.test(s)),
    frameAncestors: framing[0] ?? null,
    framingRestricted: framing.some((list) => !list.some((s) => BROAD.has(s.toLowerCase()))),
    issues: issues.sort((a, b) => RANK[a.severity] - RANK[b.severity]),
  };
}
