/**
 * One SPF record string parsed into terms (RFC 7208 4.5, 4.6.1, 5, 6, and the section 12 ABNF). Pure and total:
 * every syntax problem is named, and any problem makes the whole record a permerror (RFC 7208 4.6).
 */
import { parseMacroString } from './macro.ts';
import type { MacroString } from './macro.ts';
import { parseIp4, parseIp6 } from './ip.ts';
import type { IpBytes } from './ip.ts';

/** RFC 7208 4.6.2: `+` pass (the default), `-` fail, `~` softfail, `?` neutral. */
export type SpfQualifier = '+' | '-' | '~' | '?';
/** The eight mechanisms of RFC 7208 5. */
export type SpfMechanismKind = 'all' | 'include' | 'a' | 'mx' | 'ptr' | 'ip4' | 'ip6' | 'exists';

/** A directive: qualifier plus mechanism, with the fields that mechanism uses (others are null or the default). */
export type SpfMechanism = {
  readonly type: 'mechanism';
  readonly kind: SpfMechanismKind;
  readonly qualifier: SpfQualifier;
  /** The term as written, e.g. `-ip4:192.0.2.0/24`. */
  readonly text: string;
  /** include, exists (required); a, mx, ptr (optional: null means the current <domain>). */
  readonly domainSpec: MacroString | null;
  /** ip4/ip6 network, in network byte order. */
  readonly network: IpBytes | null;
  /** Prefix lengths for IPv4 and IPv6 matches (a, mx, ip4, ip6); 32 and 128 when not given. */
  readonly cidr4: number;
  readonly cidr6: number;
};

/** A `name=value` modifier: `redirect` and `exp` take a domain-spec; unknown ones a macro-string (RFC 7208 6). */
export type SpfModifier = {
  readonly type: 'modifier';
  /** Lower-cased name. */
  readonly name: string;
  readonly text: string;
  readonly value: MacroString;
};

/** A term in record order (RFC 7208 4.6.1: `term = directive / modifier`). */
export type SpfTerm = SpfMechanism | SpfModifier;

/** A syntactically valid record. */
export type SpfRecord = {
  readonly text: string;
  readonly terms: readonly SpfTerm[];
  readonly mechanisms: readonly SpfMechanism[];
  readonly redirect: SpfModifier | null;
  readonly exp: SpfModifier | null;
};

/** `problem` is the first of `problems`, for one-line summaries. */
export type SpfRecordParse =
  | { readonly ok: true; readonly record: SpfRecord }
  | { readonly ok: false; readonly problem: string; readonly problems: readonly string[] };

/** Mechanisms and modifiers that cost a DNS lookup and count toward the limit of 10 (RFC 7208 4.6.4). */
export const DNS_QUERYING_TERMS: ReadonlySet<string> = new Set(['include', 'a', 'mx', 'ptr', 'exists', 'redirect']);

/**
 * Whether a TXT record is an SPF record: RFC 7208 4.5 keeps records that begin with the version section `v=spf1`
 * followed by a space or the end; ABNF strings are case-insensitive, so `V=SPF1` counts too.
 */
export function isSpfRecord(txt: string): boolean {
  return /^v=spf1(?: |$)/i.test(txt);
}

const MECHANISMS = new Set<string>(['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists']);
/** RFC 7208 12: `name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )` directly followed by `=` makes a modifier. */
const MODIFIER = /^([A-Za-z][A-Za-z0-9\-_.]*)=(.*)$/s;

/**
 * Parses one SPF record. Terms are separated by one or more spaces only (RFC 7208 4.6.1), so a tab, CR or LF
 * inside the record is a syntax error rather than a separator.
 * @example parseSpfRecord('v=spf1 ip4:192.0.2.0/24 -all') // { ok: true, record: { mechanisms: [ip4, all], ... } }
 */
export function parseSpfRecord(text: string): SpfRecordParse {
  if (!isSpfRecord(text)) return failed([`record does not start with "v=spf1" (RFC 7208 4.5)`]);
  const problems: string[] = [];
  const terms: SpfTerm[] = [];
  for (const raw of text.slice(6).split(' ')) {
    if (raw === '') continue;
    const parsed = parseTerm(raw);
    if (typeof parsed === 'string') problems.push(parsed);
    else terms.push(parsed);
  }
  const modifiers = terms.filter((t): t is SpfModifier => t.type === 'modifier');
  for (const name of ['redirect', 'exp']) {
    const count = modifiers.filter((m) => m.name === name).length;
    // RFC 7208 6: redirect and exp "MUST NOT appear in a record more than once each" (6.1, 6.2), else permerror.
    if (count > 1) problems.push(`${name}= appears ${count} times; at most once is allowed (RFC 7208 6)`);
  }
  if (problems.length > 0) return failed(problems);
  return {
    ok: true,
    record: {
      text,
      terms,
      mechanisms: terms.filter((t): t is SpfMechanism => t.type === 'mechanism'),
      redirect: modifiers.find((m) => m.name === 'redirect') ?? null,
      exp: modifiers.find((m) => m.name === 'exp') ?? null,
    },
  };
}

function failed(problems: readonly string[]): SpfRecordParse {
  return { ok: false, problem: problems[0]!, problems };
}

function parseTerm(raw: string): SpfTerm | string {
  for (const char of raw) {
    const code = char.codePointAt(0)!;
    if (code < 0x21 || code > 0x7e) {
      const hex = code.toString(16).toUpperCase().padStart(4, '0');
      return `invalid character U+${hex} in ${JSON.stringify(raw)} (RFC 7208 12: visible ASCII only)`;
    }
  }
  const modifier = MODIFIER.exec(raw);
  if (modifier) return parseModifier(raw, modifier[1]!.toLowerCase(), modifier[2]!);
  const qualifier = '+-~?'.includes(raw[0]!) ? (raw[0] as SpfQualifier) : '+';
  const body = qualifier === raw[0] ? raw.slice(1) : raw;
  const nameEnd = body.search(/[:/]/);
  const name = (nameEnd === -1 ? body : body.slice(0, nameEnd)).toLowerCase();
  const rest = nameEnd === -1 ? '' : body.slice(nameEnd);
  if (!MECHANISMS.has(name)) {
    // RFC 7208 12: a modifier name starts with a letter and holds only letters, digits, "-", "_" and ".".
    const eq = raw.indexOf('=');
    const colon = raw.indexOf(':');
    return eq !== -1 && (colon === -1 || eq < colon)
      ? `invalid modifier name in ${JSON.stringify(raw)} (RFC 7208 12: name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ))`
      : `unknown mechanism ${JSON.stringify(name || raw)}`;
  }
  const base: SpfMechanism = {
    type: 'mechanism', kind: name as SpfMechanismKind, qualifier, text: raw, domainSpec: null, network: null, cidr4: 32, cidr6: 128,
  };
  switch (base.kind) {
    case 'all':
      return rest === '' ? base : `"all" takes no argument, got ${JSON.stringify(raw)} (RFC 7208 5.1)`;
    case 'include':
    case 'exists':
      return withDomain(base, raw, rest, true);
    case 'ptr':
      return withDomain(base, raw, rest, false);
    case 'a':
    case 'mx':
      return withDomainAndCidr(base, raw, rest);
    case 'ip4':
    case 'ip6':
      return withNetwork(base, raw, rest);
  }
}

function parseModifier(raw: string, name: string, value: string): SpfModifier | string {
  const known = name === 'redirect' || name === 'exp';
  if (known && value === '') return `${name}= needs a domain-spec (RFC 7208 ${name === 'redirect' ? '6.1' : '6.2'})`;
  const parsed = parseMacroString(value, known ? 'domain-spec' : 'macro-string');
  if (!parsed.ok) return `${name}=: ${parsed.problem}`;
  return { type: 'modifier', name, text: raw, value: parsed.value };
}

function withDomain(base: SpfMechanism, raw: string, rest: string, required: boolean): SpfMechanism | string {
  if (rest === '' && !required) return base;
  if (!rest.startsWith(':')) return `"${base.kind}" needs ":<domain-spec>", got ${JSON.stringify(raw)} (RFC 7208 5)`;
  return domainSpecIn(base, raw, rest.slice(1));
}

function domainSpecIn(base: SpfMechanism, raw: string, spec: string): SpfMechanism | string {
  if (spec === '') return `empty domain-spec in ${JSON.stringify(raw)} (RFC 7208 5)`;
  const parsed = parseMacroString(spec, 'domain-spec');
  return parsed.ok ? { ...base, domainSpec: parsed.value } : `${base.kind}: ${parsed.problem}`;
}

/** RFC 7208 5.3/5.4: `a`/`mx` [ ":" domain-spec ] [ dual-cidr-length ]; the CIDR suffix is taken from the end. */
function withDomainAndCidr(base: SpfMechanism, raw: string, rest: string): SpfMechanism | string {
  const split = /^(.*?)((?:\/\d+)?(?:\/\/\d+)?)$/s.exec(rest.startsWith(':') ? rest.slice(1) : rest)!;
  const [, spec = '', cidr = ''] = split;
  if (!rest.startsWith(':') && spec !== '') return `invalid "${base.kind}" term ${JSON.stringify(raw)}`;
  const lengths = /^(?:\/(\d+))?(?:\/\/(\d+))?$/.exec(cidr)!;
  const cidr4 = prefixLength(lengths[1], 'ip4', '/');
  const cidr6 = prefixLength(lengths[2], 'ip6', '//');
  if (typeof cidr4 === 'string') return cidr4;
  if (typeof cidr6 === 'string') return cidr6;
  const withCidr = { ...base, cidr4, cidr6 };
  return rest.startsWith(':') ? domainSpecIn(withCidr, raw, spec) : withCidr;
}

/** RFC 7208 5.6: `ip4:` ip4-network [ ip4-cidr-length ], `ip6:` ip6-network [ ip6-cidr-length ]; no dual CIDR. */
function withNetwork(base: SpfMechanism, raw: string, rest: string): SpfMechanism | string {
  const family = base.kind === 'ip4' ? 'ip4' : 'ip6';
  if (!rest.startsWith(':') || rest.length === 1) {
    return `${family} needs an address ("${family}:<address>[/<prefix>]"), got ${JSON.stringify(raw)}`;
  }
  const slash = rest.indexOf('/');
  const address = slash === -1 ? rest.slice(1) : rest.slice(1, slash);
  const suffix = slash === -1 ? '' : rest.slice(slash);
  const network = family === 'ip4' ? parseIp4(address) : parseIp6(address);
  if (!network) return `invalid ${family} address ${JSON.stringify(address)} in ${JSON.stringify(raw)} (RFC 7208 5.6)`;
  const lengths = /^(?:\/(\d+))?$/.exec(suffix);
  if (!lengths) return `invalid ${family} cidr ${suffix}`;
  const prefix = prefixLength(lengths[1], family, '/');
  if (typeof prefix === 'string') return prefix;
  return family === 'ip4' ? { ...base, network, cidr4: prefix } : { ...base, network, cidr6: prefix };
}

/**
 * RFC 7208 12: `ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT)` (0-32) and the ip6 one (0-128): no leading zeros,
 * and a length beyond the address size is a permerror (RFC 7208 5.6).
 */
function prefixLength(digits: string | undefined, family: 'ip4' | 'ip6', written: '/' | '//'): number | string {
  const max = family === 'ip4' ? 32 : 128;
  if (digits === undefined) return max;
  if (!/^(?:0|[1-9]\d*)$/.test(digits) || Number(digits) > max) return `invalid ${family} cidr ${written}${digits}`;
  return Number(digits);
}
