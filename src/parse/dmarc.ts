import { parseTagList } from './tag-list.ts';

/** A DMARC requested handling policy (RFC 7489 6.3 p=). */
export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

/** One rua/ruf destination (RFC 7489 6.2). `host` is where reports go: the mailbox domain, or the URL host. */
export type DmarcUri = {
  readonly uri: string;
  readonly scheme: string | null;
  readonly address: string | null;
  readonly host: string | null;
  /** The `!size` limit as written (`10m`), or null. */
  readonly maxSize: string | null;
  readonly problem: string | null;
};

/** A DMARC policy record with defaults applied (RFC 7489 6.3). JSON-only, so it can be evidence. */
export type DmarcRecord = {
  /** p=; null when missing or invalid (RFC 7489 6.6.3 step 6: receivers then act as p=none or ignore the record). */
  readonly policy: DmarcPolicy | null;
  /** sp= as written; null when absent (subdomains inherit p) or invalid (see `invalidTags`). */
  readonly subdomainPolicy: DmarcPolicy | null;
  /** np= (RFC 9091, RFC 9989) for non-existent subdomains; null when absent (inherits sp, then p). */
  readonly nonExistentPolicy: DmarcPolicy | null;
  readonly pct: number;
  readonly rua: readonly DmarcUri[];
  readonly ruf: readonly DmarcUri[];
  readonly adkim: 'r' | 's';
  readonly aspf: 'r' | 's';
  readonly failureOptions: readonly string[];
  readonly reportFormats: readonly string[];
  readonly reportInterval: number;
  /** t=y (RFC 9989): the owner is testing; receivers apply the next less strict policy. */
  readonly testing: boolean;
  readonly psd: 'y' | 'n' | 'u' | null;
  /** Tags present with a value receivers will not accept; the default applies instead. */
  readonly invalidTags: readonly string[];
  readonly unknownTags: readonly string[];
};

/** A DMARC record (with `notes` on values replaced by defaults), or why it is not one receivers can apply. */
export type DmarcParse =
  | { readonly ok: true; readonly record: DmarcRecord; readonly notes: readonly string[] }
  | { readonly ok: false; readonly problem: string };

/**
 * RFC 7489 6.6.3: records that do not start with `v=DMARC1` are discarded before anything else. RFC 7489 6.4:
 * `dmarc-version = "v" *WSP "=" *WSP %x44 %x4d %x41 %x52 %x43 %x31`, so the tag name "v" is a quoted literal and
 * case-insensitive (RFC 5234 2.3: `V=DMARC1` is a DMARC record) while the value is spelled in %x codes and is
 * case-sensitive (`v=dmarc1` is not). Whitespace around "=" is allowed by the ABNF's *WSP, and leading whitespace
 * is tolerated because receivers trim it.
 */
export const DMARC_RECORD_START = /^\s*[vV]\s*=\s*DMARC1\s*(;|$)/;

const POLICIES: readonly string[] = ['none', 'quarantine', 'reject'];
const KNOWN_TAGS = new Set(['v', 'p', 'sp', 'np', 'pct', 'rua', 'ruf', 'adkim', 'aspf', 'fo', 'rf', 'ri', 't', 'psd']);
const MAX_UINT32 = 4_294_967_295;

/**
 * Parses one DMARC TXT record (RFC 7489 6.3, 6.4), validating every tag. Pure and total.
 * Only a record that is not DMARC at all (`v=DMARC1` not first) or is ambiguous (a repeated tag) is `ok: false`.
 * Other bad values are listed in `notes` and `invalidTags` and replaced by their defaults, because 6.6.3 tells
 * receivers to discard syntax errors in favour of defaults. Tag names and keyword values (p=Reject, adkim=S,
 * fo=D, rua=MAILTO:...) are case-insensitive: RFC 7489 6.4 writes them as quoted ABNF strings, which RFC 5234 2.3
 * makes case-insensitive; only the version value DMARC1 is case-sensitive (%x codes). The tag-list is therefore read
 * with `caseInsensitiveNames` (DKIM, RFC 6376 3.2, keeps case-sensitive names);
 * tags from RFC 9091 (np) and RFC 9989 (t, psd) are known; pct, rf and ri are historic in RFC 9989 but still read.
 */
export function parseDmarc(text: string): DmarcParse {
  if (!DMARC_RECORD_START.test(text)) return { ok: false, problem: 'record does not start with "v=DMARC1" (RFC 7489 6.6.3)' };
  const list = parseTagList(text, { caseInsensitiveNames: true });
  const duplicate = list.problems.find((p) => p.includes('more than once'));
  if (duplicate) return { ok: false, problem: `${duplicate}: receivers may apply either value` };
  const notes = [...list.problems];
  const invalidTags: string[] = [];
  const tags = new Map(list.tags.map((t) => [t.name, t.value]));
  const read = <T>(name: string, fallback: T, valid: (value: string) => T | null, expected: string): T => {
    const value = tags.get(name);
    if (value === undefined) return fallback;
    const parsed = valid(value);
    if (parsed !== null) return parsed;
    invalidTags.push(name);
    notes.push(`${name}=${value} is invalid (expected ${expected})`);
    return fallback;
  };
  const policy = (v: string) => (POLICIES.includes(v.toLowerCase()) ? (v.toLowerCase() as DmarcPolicy) : null);
  const oneOf = <T extends string>(...allowed: T[]) => (v: string) =>
    (allowed.includes(v.toLowerCase() as T) ? (v.toLowerCase() as T) : null);
  const uris = (name: 'rua' | 'ruf') => {
    const parsed = (tags.get(name) ?? '').split(',').map((u) => u.trim()).filter((u) => u !== '').map(parseDmarcUri);
    for (const u of parsed) if (u.problem) notes.push(`${name}: ${u.uri}: ${u.problem}`);
    return parsed;
  };
  const record: DmarcRecord = {
    policy: read('p', null, policy, 'none, quarantine or reject'),
    subdomainPolicy: read('sp', null, policy, 'none, quarantine or reject'),
    nonExistentPolicy: read('np', null, policy, 'none, quarantine or reject'),
    pct: read('pct', 100, (v) => (/^\d{1,3}$/.test(v) && Number(v) <= 100 ? Number(v) : null), 'an integer 0-100'),
    rua: uris('rua'),
    ruf: uris('ruf'),
    adkim: read('adkim', 'r', oneOf('r', 's'), 'r or s'),
    aspf: read('aspf', 'r', oneOf('r', 's'), 'r or s'),
    failureOptions: read('fo', ['0'], colonList(/^[01ds]$/), 'a colon-separated list of 0, 1, d, s'),
    reportFormats: read('rf', ['afrf'], colonList(/^afrf$/), 'afrf'),
    reportInterval: read('ri', 86_400, (v) => (/^\d{1,10}$/.test(v) && Number(v) <= MAX_UINT32 ? Number(v) : null), 'seconds'),
    testing: read('t', 'n', oneOf('y', 'n'), 'y or n') === 'y',
    psd: read('psd', null, oneOf('y', 'n', 'u'), 'y, n or u'),
    invalidTags,
    unknownTags: list.tags.map((t) => t.name).filter((name) => !KNOWN_TAGS.has(name)),
  };
  if (!tags.has('p')) notes.push('p= is missing (RFC 7489 6.3: required)');
  return { ok: true, record, notes };
}

/** Validates a colon-separated keyword list (fo=, rf=), lower-cased; null if any element is not allowed. */
function colonList(element: RegExp): (value: string) => readonly string[] | null {
  return (value) => {
    const parts = value.split(':').map((p) => p.trim().toLowerCase());
    return parts.every((p) => element.test(p)) ? parts : null;
  };
}

/**
 * Parses one DMARC URI (RFC 7489 6.2): a URI with an optional `!<digits>[kmgt]` size limit. Literal "," and "!"
 * inside the URI must be percent-encoded, so the last "!" starts the size. Receivers are only required to
 * support mailto: (6.2), so other schemes are noted.
 */
export function parseDmarcUri(raw: string): DmarcUri {
  const size = /^(.*)!(\d+[kmgt]?)$/i.exec(raw);
  const uri = size?.[1] ?? raw;
  const maxSize = size?.[2]?.toLowerCase() ?? null;
  const result = { uri: raw, scheme: null, address: null, host: null, maxSize };
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):(.+)$/.exec(uri);
  if (!scheme) return { ...result, problem: 'not a URI (expected mailto:address)' };
  const name = scheme[1]!.toLowerCase();
  if (name === 'mailto') {
    const address = safeDecode(scheme[2]!.split('?')[0]!);
    const at = /^[^@\s]+@([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+)\.?$/.exec(address ?? '');
    if (!at) return { ...result, scheme: name, problem: 'not a valid mailto: address' };
    return { ...result, scheme: name, address, host: at[1]!.toLowerCase(), problem: null };
  }
  const host = URL.canParse(uri) ? new URL(uri).hostname.toLowerCase() : '';
  const problem = `${name}: receivers need only support mailto: (RFC 7489 6.2)`;
  return { ...result, scheme: name, host: host === '' ? null : host, problem };
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null; // a malformed %-escape: the address is unusable, which the caller reports
  }
}
