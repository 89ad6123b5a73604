/**
 * security.txt (RFC 9116) parsed to its §4 ABNF: fields, URIs and dates, each problem with its line number. An
 * OpenPGP cleartext signature (RFC 9116 §2.3, RFC 4880 §7) is recognised and the signed text parsed; the signature
 * itself is not verified. Pure and total.
 *
 * RFC 9116 §4 ABNF, the parts this parser follows:
 *   body = signed / unsigned;  signed = sign-header unsigned sign-footer
 *   line = [ (field / comment) ] eol;  eol = *WSP [CR] LF;  comment = "#" *(WSP / VCHAR / %x80-FFFFF)
 *   contact-field = "Contact" fs SP uri;  fs = ":";  ext-field = field-name fs SP unstructured
 *   uri = scheme ":" hier-part [ "?" query ] [ "#" fragment ]   (RFC 3986 §3, checked by ./uri.ts)
 */
import { parseUri } from './uri.ts';

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
type Report = (line: number | null, level: SecurityTxtProblem['level'], message: string) => void;

/** Options: `utf8: false` when the bytes were not valid UTF-8; `complete: false` when the body was cut by a read cap. */
export type SecurityTxtOptions = { readonly utf8?: boolean; readonly complete?: boolean };

/**
 * Splits the body into lines (RFC 9116 §2.2: every line MUST end with CRLF or LF). A last line without a line
 * feed, and a CR not followed by LF, are problems; one leading byte-order mark is an encoding signature and is
 * dropped (RFC 3629 §6), a second one is text that cannot start a field (RFC 9116 §4: field-name is printable ASCII).
 */
function splitLines(text: string, complete: boolean, problem: Report): Line[] {
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  if (body.startsWith('\ufeff')) problem(1, 'must', 'a second byte-order mark starts the file; only one is an encoding signature (RFC 3629 §6), so line 1 is not a field (RFC 9116 §4)');
  if (body === '') return [];
  const parts = body.split('\n');
  const lines = parts.map((t, i) => ({ text: t.endsWith('\r') ? t.slice(0, -1) : t, number: i + 1 }));
  if (parts.at(-1) === '') lines.pop(); // the text after the final LF is not a line
  else if (complete) problem(lines.length, 'must', 'the last line does not end with a line break (RFC 9116 §2.2: every line MUST end with CRLF or LF)');
  const bareCr = lines.find((l) => l.text.includes('\r'));
  if (bareCr) problem(bareCr.number, 'must', 'a carriage return not followed by a line feed (RFC 9116 §2.2: lines end with CRLF or LF)');
  return lines;
}

/**
 * Parses a security.txt body. `utf8: false` (the bytes were not valid UTF-8) is itself a problem: §4 requires
 * UTF-8, and the line with the first replacement character is named. A line that is neither a field nor a comment
 * in the §4 grammar (leading whitespace, no space after the colon) is reported and not read, as a strict reader does.
 */
export function parseSecurityTxt(text: string, options: SecurityTxtOptions = {}): SecurityTxt {
  const problems: SecurityTxtProblem[] = [];
  const problem: Report = (line, level, message) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ line, level, message });
  };
  const all = splitLines(text, options.complete !== false, problem);
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
    // §4: eol = *WSP [CR] LF, so trailing whitespace belongs to the line end; a whitespace-only line is blank.
    const line = raw.replace(/[ \t]+$/, '');
    if (line === '' || line.startsWith('#')) continue; // §2.1 comments, §4 blank lines
    if (/^[ \t]/.test(line)) {
      problem(number, 'should', 'starts with whitespace, so it is neither a field nor a comment (RFC 9116 §4); a reader skips it');
      continue;
    }
    // §4 ABNF: field-name is RFC 5322 ftext (printable ASCII except ":"), then fs = ":" and exactly one SP.
    const match = /^([\x21-\x39\x3b-\x7e]+):(.*)$/s.exec(line);
    if (!match) { problem(number, 'should', 'neither a field nor a comment; a reader skips it'); continue; }
    const name = match[1] ?? '';
    const rest = match[2] ?? '';
    if (!rest.startsWith(' ')) {
      problem(number, 'should', `${name}: no space after the colon (RFC 9116 §4: field-name ":" SP value); a strict reader skips the field`);
      continue;
    }
    const value = rest.slice(1, 1 + MAX_VALUE_CHARS);
    const key = name.toLowerCase(); // §2.5: field names are case-insensitive
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
  // §2.3: "When digital signatures are used, it is also RECOMMENDED that organizations use the Canonical field
  // (as per Section 2.5.2)": without it the signature does not vouch for where the file belongs.
  if (signed && list('canonical').length === 0) {
    problem(null, 'should', 'signed, but without a Canonical field the signature does not bind the file to its location (RFC 9116 §2.3, §2.5.2)');
  }
  return {
    fields, contact: list('contact'), expires, canonical: list('canonical'), encryption: list('encryption'),
    policy: list('policy'), acknowledgments: list('acknowledgments'), hiring: list('hiring'),
    preferredLanguages: languages, signed, problems,
  };
}

const isBlank = (line: Line | undefined) => line !== undefined && line.text.trim() === '';

/**
 * The signed form (RFC 9116 §4: signed = sign-header unsigned sign-footer; RFC 4880 §7): the file starts with
 * `-----BEGIN PGP SIGNED MESSAGE-----`, then one or more `Hash` armor headers, exactly one empty line, the
 * dash-escaped text (§7.1: a line starting with "-" is prefixed with "- "), then the signature block, and nothing
 * after it. Only the signed text counts; blank lines before the header or after the signature, and text after the
 * signature, are named.
 */
function unwrapSignature(all: readonly Line[], problem: Report) {
  const start = all.findIndex((l) => l.text.trim() !== '');
  if (start === -1 || all[start]?.text.trim() !== BEGIN_SIGNED) return { lines: all, signed: false };
  if (start > 0) problem(1, 'should', `blank line before ${BEGIN_SIGNED}: a signed file starts with it (RFC 9116 §4, RFC 4880 §7)`);
  let i = start + 1;
  const hashHeaders = i;
  while (i < all.length && /^Hash: /.test(all[i]?.text ?? '')) i += 1;
  if (i === hashHeaders) problem(all[start]?.number ?? null, 'should', 'signed message without a "Hash:" armor header (RFC 4880 §7: one or more)');
  if (isBlank(all[i])) i += 1; // exactly one empty line, not part of the signed text
  else problem(all[i]?.number ?? all[start]?.number ?? null, 'should', 'no empty line between the armor headers and the signed text (RFC 4880 §7)');
  const lines: Line[] = [];
  for (; i < all.length && all[i]?.text.trim() !== BEGIN_SIGNATURE; i += 1) {
    const line = all[i];
    if (!line) continue;
    if (line.text.startsWith('-') && !line.text.startsWith('- ')) {
      problem(line.number, 'should', 'a signed line starting with "-" is not dash-escaped with "- " (RFC 4880 §7.1)');
    }
    lines.push({ text: line.text.startsWith('- ') ? line.text.slice(2) : line.text, number: line.number });
  }
  if (i >= all.length) {
    problem(all[start]?.number ?? null, 'should', 'signed message without a signature block');
    return { lines, signed: true };
  }
  while (i < all.length && all[i]?.text.trim() !== END_SIGNATURE) i += 1;
  if (i >= all.length) {
    problem(all.at(-1)?.number ?? null, 'should', `signature block without ${END_SIGNATURE}`);
    return { lines, signed: true };
  }
  const afterAll = all.slice(i + 1);
  const after = afterAll.find((l) => l.text.trim() !== '');
  if (after) problem(after.number, 'should', 'text after the signature is outside the signed block and ignored');
  else if (afterAll.some(isBlank)) problem(afterAll[0]?.number ?? null, 'should', `blank line after ${END_SIGNATURE}: a signed file ends with it (RFC 9116 §4)`);
  return { lines, signed: true };
}

/**
 * §2.5: every URI field is a URI (RFC 3986 §3, absolute, checked by ./uri.ts), and a web URI MUST begin with
 * "https://" (§2.5.1-2.5.7); an https URI has a non-empty host (RFC 9110 §4.2.2).
 */
function uriProblem(value: string): string | null {
  const parsed = parseUri(value);
  const shown = `"${value.slice(0, 64)}"`;
  if (!parsed.ok) return `${shown} is not a URI (e.g. mailto:security@example.nl or https://...): ${parsed.problem}`;
  const scheme = parsed.uri.scheme.toLowerCase();
  if (scheme === 'http') return `${shown} is a web URI that does not use https://`;
  if (scheme === 'https' && !parsed.uri.authority?.host) return `${shown} is an https URI without a host (RFC 9110 §4.2.2)`;
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
