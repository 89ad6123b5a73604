/** An `issue`/`issuewild` parameter (RFC 8659 4.2), e.g. `accounturi=https://...` (RFC 8657 3). */
export type CaaParameter = { readonly tag: string; readonly value: string };

type CaaBase = {
  /** 0-255; only bit 0 (value 128, Issuer Critical) has a meaning, the other bits are reserved (RFC 8659 4.1). */
  readonly flags: number;
  readonly critical: boolean;
  /** Lower-cased: tags match case-insensitively (RFC 8659 4.1). */
  readonly tag: string;
};

/**
 * One CAA record. `issue` covers both `issue` and `issuewild` (same value syntax, RFC 8659 4.3); `other` is a tag
 * RFC 8659 does not define (`contactemail`, `issuemail`, a typo...), kept with its raw value.
 */
export type CaaRecord = CaaBase & (
  | { readonly kind: 'issue'; readonly tag: 'issue' | 'issuewild';
      /** Lower-cased issuer domain, or null for "no CA" (`;` or an empty value). */
      readonly issuer: string | null; readonly parameters: readonly CaaParameter[] }
  | { readonly kind: 'iodef'; readonly tag: 'iodef'; readonly url: string }
  | { readonly kind: 'other'; readonly value: string }
);

/** The record, or what is wrong with it. */
export type CaaParse = { readonly ok: true; readonly record: CaaRecord } | { readonly ok: false; readonly problem: string };

/** What a CA makes of one Relevant RRset (RFC 8659 3). */
export type CaaPolicy = {
  /** CAs that may issue for the name itself; null when no `issue` property restricts them (RFC 8659 3, 4.2). */
  readonly issuers: readonly string[] | null;
  /** For wildcard names: `issuewild` when present, else `issue` (RFC 8659 4.3); null when unrestricted. */
  readonly wildcardIssuers: readonly string[] | null;
  readonly iodef: readonly string[];
  /** Tags RFC 8659 does not define that carry the critical flag: a CA that does not support them must not issue. */
  readonly criticalUnknown: readonly string[];
  /** Tags RFC 8659 does not define without the critical flag: CAs that do not know them ignore them. */
  readonly ignoredUnknown: readonly string[];
};

const WSP = /^[ \t]+|[ \t]+$/g;
/** RFC 8659 4.2: `label = (ALPHA / DIGIT) *( *("-") (ALPHA / DIGIT))`, also the syntax of a parameter tag. */
const LABEL = /^[A-Za-z0-9](?:-*[A-Za-z0-9])*$/;
/** RFC 8659 4.2: `parameter = tag *WSP "=" *WSP value`, `value = *(%x21-3A / %x3C-7E)`. */
const PARAMETER = /^([A-Za-z0-9](?:-*[A-Za-z0-9])*)[ \t]*=[ \t]*([\x21-\x3a\x3c-\x7e]*)$/;

/**
 * Parses one CAA record in presentation format (`0 issue "letsencrypt.org"`, as DnsAnswer gives it; RFC 8659 4.1.1).
 * Pure and total. The value may be quoted (RFC 1035 5.1 escapes `\"`, `\\`, `\DDD`) or a contiguous string.
 * Strict where a CA is strict: an `issue` value that does not match the RFC 8659 4.2 grammar is a problem here,
 * because CAs must read it as "no CA may issue", which is rarely what its author meant.
 */
export function parseCaa(text: string): CaaParse {
  const match = /^\s*(\S+)\s+(\S+)(?:\s+([\s\S]*?))?\s*$/.exec(text);
  if (!match) return bad('expected "<flags> <tag> <value>"');
  const [, flagsText = '', tagText = '', valueText] = match;
  const flags = /^\d{1,3}$/.test(flagsText) ? Number(flagsText) : NaN;
  if (!(flags <= 255)) return bad(`flags must be a number from 0 to 255, not "${flagsText}"`);
  // RFC 8659 4.1: tags are ASCII letters and digits only, at least one; the wire format caps them at 255 octets.
  if (!/^[A-Za-z0-9]{1,255}$/.test(tagText)) return bad(`tag "${tagText}" may hold only ASCII letters and digits`);
  if (valueText === undefined) return bad('value is missing');
  const value = unquote(valueText);
  if (value === null) return bad(`value ${valueText} is not one quoted or unquoted string`);
  const base = { flags, critical: (flags & 128) !== 0 };
  const tag = tagText.toLowerCase();
  if (tag === 'issue' || tag === 'issuewild') {
    const issue = parseIssueValue(value);
    return 'problem' in issue ? bad(`${tag} value "${value}": ${issue.problem}`) : { ok: true, record: { ...base, kind: 'issue', tag, ...issue } };
  }
  if (tag === 'iodef') {
    const problem = iodefProblem(value);
    return problem ? bad(`iodef value "${value}": ${problem}`) : { ok: true, record: { ...base, kind: 'iodef', tag, url: value } };
  }
  return { ok: true, record: { ...base, kind: 'other', tag, value } };
}

/**
 * The policy one Relevant RRset sets (RFC 8659 3, 4.2, 4.3). Authorisations add up: `issue ";"` next to
 * `issue "ca.example"` allows ca.example alone (RFC 8659 4.2).
 */
export function caaPolicy(records: readonly CaaRecord[]): CaaPolicy {
  const issuersOf = (tag: 'issue' | 'issuewild'): string[] | null => {
    const props = records.filter((r) => r.kind === 'issue' && r.tag === tag);
    if (props.length === 0) return null;
    return [...new Set(props.flatMap((r) => (r.kind === 'issue' && r.issuer !== null ? [r.issuer] : [])))];
  };
  const issuers = issuersOf('issue');
  const unknown = records.filter((r) => r.kind === 'other');
  return {
    issuers,
    wildcardIssuers: issuersOf('issuewild') ?? issuers,
    iodef: records.flatMap((r) => (r.kind === 'iodef' ? [r.url] : [])),
    criticalUnknown: [...new Set(unknown.filter((r) => r.critical).map((r) => r.tag))],
    ignoredUnknown: [...new Set(unknown.filter((r) => !r.critical).map((r) => r.tag))],
  };
}

function bad(problem: string): CaaParse {
  return { ok: false, problem };
}

/** RFC 8659 4.1.1: the value is a quoted string or a contiguous set of characters; null when it is neither. */
function unquote(text: string): string | null {
  if (!text.startsWith('"')) return /[\s"]/.test(text) ? null : text;
  let out = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') return i === text.length - 1 ? out : null;
    if (c !== '\\') { out += c; continue; }
    const digits = /^\d{3}/.exec(text.slice(i + 1))?.[0];
    if (digits !== undefined) {
      if (Number(digits) > 255) return null;
      out += String.fromCharCode(Number(digits));
      i += 3;
    } else if (i + 1 < text.length - 1) {
      out += text[++i];
    } else {
      return null; // a backslash escaping the closing quote leaves the string open
    }
  }
  return null;
}

/** RFC 8659 4.2: `issue-value = *WSP [issuer-domain-name *WSP] [";" *WSP [parameters *WSP]]`. */
function parseIssueValue(value: string): { issuer: string | null; parameters: CaaParameter[] } | { problem: string } {
  const semicolon = value.indexOf(';');
  const head = (semicolon < 0 ? value : value.slice(0, semicolon)).replace(WSP, '');
  if (head !== '' && !head.split('.').every((label) => LABEL.test(label))) {
    return { problem: head.endsWith('.')
      ? `issuer domain "${head}" must not end in a dot`
      : `"${head}" is not an issuer domain name (letters, digits and inner hyphens, dot-separated)` };
  }
  const rest = semicolon < 0 ? '' : value.slice(semicolon + 1).replace(WSP, '');
  const parameters: CaaParameter[] = [];
  // Parameter values exclude ";" and whitespace, so splitting on ";" is exact; an empty piece (";;", a trailing
  // ";") is outside the grammar.
  for (const piece of rest === '' ? [] : rest.split(';')) {
    const param = PARAMETER.exec(piece.replace(WSP, ''));
    if (!param) return { problem: `"${piece.replace(WSP, '')}" is not a tag=value parameter` };
    parameters.push({ tag: param[1]!, value: param[2]! });
  }
  return { issuer: head === '' ? null : head.toLowerCase(), parameters };
}

/** RFC 8659 4.4: a `mailto:` address (email report) or an `http:`/`https:` URL (RFC 6546 report); nothing else. */
function iodefProblem(url: string): string | null {
  if (/^mailto:/i.test(url)) return /^mailto:[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(\?\S*)?$/i.test(url) ? null : 'not a valid mailto: address';
  if (/^https?:/i.test(url)) return URL.canParse(url) && new URL(url).hostname !== '' ? null : 'not a valid http(s) URL';
  return 'only mailto:, http: and https: URLs are allowed';
}
