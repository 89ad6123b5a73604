/**
 * security.txt (RFC 9116): fields, URIs and dates, each problem with its line number. An OpenPGP cleartext
 * signature (RFC 4880 §7) is recognised and the signed text parsed; the signature itself is not verified.
 * Pure and total.
 */

/** One problem, graded by the RFC's own words so a caller can map `must` → fail and `should` → warn. */
export type SecurityTxtProblem = {
  /** 1-based line in the file as served; null for the whole file (a required field that is missing). */
  readonly line: number | null;
  readonly level: 'must' | 'should';
  readonly message: string;
};

export type SecurityTxtField = { readonly name: string; readonly value: string; readonly line: number };

export type SecurityTxt = {
  /** Every field in file order, unknown ones included (§2.4: ignored, but an auditor may read them). Capped. */
  readonly fields: readonly SecurityTxtField[];
  readonly contact: readonly string[];
  /** The first valid Expires as an ISO timestamp, else null. */
  readonly expires: string | null;
  readonly canonical: readonly string[];
  readonly encryption: readonly string[];
  readonly policy: readonly string[];
  readonly acknowledgments: readonly string[];
  readonly hiring: readonly string[];
  readonly preferredLanguages: readonly string[];
  /** The file is an OpenPGP cleartext-signed message (§2.3); not verified. */
  readonly signed: boolean;
  readonly problems: readonly SecurityTxtProblem[];
};

const MAX_FIELDS = 200;
const MAX_PROBLEMS = 50;
const MAX_VALUE_CHARS = 512;
const URI_FIELDS = new Set(['contact', 'canonical', 'encryption', 'policy', 'acknowledgments', 'hiring']);
const BEGIN_SIGNED = '-----BEGIN PGP SIGNED MESSAGE-----';
const BEGIN_SIGNATURE = '-----BEGIN PGP SIGNATURE-----';
const END_SIGNATURE = '-----END PGP SIGNATURE-----';

type Line = { readonly text: string; readonly number: number };

/**
 * Parses a security.txt body. `utf8: false` (the bytes were not valid UTF-8) is itself a problem: §4 requires
 * UTF-8, and the line with the first replacement character is named.
 */
export function parseSecurityTxt(text: string, options: { readonly utf8?: boolean } = {}): SecurityTxt {
  const problems: SecurityTxtProblem[] = [];
  const problem = (line: number | null, level: SecurityTxtProblem['level'], message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ line, level, message });
  };
  const all = text.replace(/^\ufeff/, '').split(/\r?\n/).map((t, i) => ({ text: t, number: i + 1 }));
  if (options.utf8 === false) {
    const bad = all.find((l) => l.text.includes('\ufffd'));
    problem(bad?.number ?? null, 'must', 'the file is not valid UTF-8 (RFC 9116 §4)');
  }
  const { lines, signed } = unwrapSignature(all, problem);
  const byName = new Map<string, string[]>();
  const fields: SecurityTxtField[] = [];
  let expires: string | null = null;
  let expiresSeen = 0;
  let languagesSeen = 0;
  const languages: string[] = [];
  for (const { text: raw, number } of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue; // §2.1 comments, §4 blank lines
    // §4 ABNF: field-name is printable ASCII except ":", then ":" and optional whitespace.
    const match = /^([\x21-\x39\x3b-\x7e]+):[ \t]*(.*)$/.exec(line);
    if (!match) { problem(number, 'should', 'neither a field nor a comment; a reader skips it'); continue; }
    const name = match[1] ?? '';
    const value = (match[2] ?? '').slice(0, MAX_VALUE_CHARS);
    const key = name.toLowerCase(); // §4: field names are case-insensitive
    if (fields.length < MAX_FIELDS) fields.push({ name, value, line: number });
    if (URI_FIELDS.has(key)) {
      const why = uriProblem(value);
      if (why) { problem(number, 'must', `${name}: ${why}`); continue; }
      byName.set(key, [...(byName.get(key) ?? []), value]);
    } else if (key === 'expires') {
      expiresSeen += 1;
      // §2.5.5: "MUST always be present and MUST NOT appear more than once".
      if (expiresSeen > 1) { problem(number, 'must', 'Expires appears more than once'); continue; }
      const date = parseRfc3339(value);
      if (!date) problem(number, 'must', `Expires "${value.slice(0, 64)}" is not an RFC 3339 date-time`);
      else expires = date.toISOString();
    } else if (key === 'preferred-languages') {
      languagesSeen += 1;
      if (languagesSeen > 1) { problem(number, 'must', 'Preferred-Languages appears more than once (§2.5.8)'); continue; }
      for (const tag of value.split(',').map((t) => t.trim())) {
        // §2.5.8: RFC 5646 language tags; a loose shape check, not the full registry.
        if (/^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/.test(tag)) languages.push(tag);
        else problem(number, 'should', `Preferred-Languages: "${tag.slice(0, 32)}" is not a language tag`);
      }
    }
  }
  const list = (key: string) => byName.get(key) ?? [];
  if (list('contact').length === 0) problem(null, 'must', 'no valid Contact field (RFC 9116 §2.5.3)');
  if (expiresSeen === 0) problem(null, 'must', 'no Expires field (RFC 9116 §2.5.5)');
  return {
    fields, contact: list('contact'), expires, canonical: list('canonical'), encryption: list('encryption'),
    policy: list('policy'), acknowledgments: list('acknowledgments'), hiring: list('hiring'),
    preferredLanguages: languages, signed, problems,
  };
}

/**
 * RFC 4880 §7: `BEGIN PGP SIGNED MESSAGE`, armor headers, a blank line, the dash-escaped text, then the
 * signature block. Only the signed text counts; anything after the signature is outside it and is named.
 */
function unwrapSignature(all: readonly Line[], problem: (line: number | null, level: 'must' | 'should', message: string) => void) {
  const start = all.findIndex((l) => l.text.trim() !== '');
  if (start === -1 || all[start]?.text.trim() !== BEGIN_SIGNED) return { lines: all, signed: false };
  let i = start + 1;
  while (i < all.length && all[i]?.text.trim() !== '') i += 1; // armor headers such as "Hash: SHA256"
  const lines: Line[] = [];
  for (i += 1; i < all.length && all[i]?.text.trim() !== BEGIN_SIGNATURE; i += 1) {
    const line = all[i];
    if (line) lines.push({ text: line.text.startsWith('- ') ? line.text.slice(2) : line.text, number: line.number });
  }
  if (i >= all.length) {
    problem(all[start]?.number ?? null, 'should', 'signed message without a signature block');
    return { lines, signed: true };
  }
  while (i < all.length && all[i]?.text.trim() !== END_SIGNATURE) i += 1;
  const after = all.slice(i + 1).find((l) => l.text.trim() !== '');
  if (after) problem(after.number, 'should', 'text after the signature is outside the signed block and ignored');
  return { lines, signed: true };
}

/** §2.5: every URI field follows RFC 3986, and a web URI MUST begin with "https://". */
function uriProblem(value: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) || !URL.canParse(value)) {
    return `"${value.slice(0, 64)}" is not a URI (e.g. mailto:security@example.nl or https://...)`;
  }
  if (/^http:/i.test(value)) return `"${value.slice(0, 64)}" is a web URI that does not use https://`;
  return null;
}

/** RFC 3339 §5.6 date-time (the "T" and "Z" in either case), with calendar range checks. */
export function parseRfc3339(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(value.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  const zone = m[8] ?? 'Z';
  const offset = /^[Zz]$/.test(zone) ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  // §5.7: leap second 60 allowed; offsets beyond 23:59 are not.
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60 || Math.abs(offset) >= 24 * 60) return null;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  const fraction = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const ms = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), fraction) - offset * 60_000;
  return Number.isFinite(ms) ? new Date(ms) : null;
}
