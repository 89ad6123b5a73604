/**
 * SPF macro strings (RFC 7208 7): parsing with exact problems, and expansion from precomputed values.
 * Pure and total. Looking up `%{p}` needs DNS, so the evaluator resolves it and passes the value in.
 */
import { isTopLabel, withoutTrailingDot } from './domain.ts';
import { dottedIp, formatIp } from './ip.ts';
import type { ClientIp } from './ip.ts';

/** RFC 7208 7.2 macro letters; `c`, `r` and `t` are allowed only in explanation text. */
export type MacroLetter = 's' | 'l' | 'o' | 'd' | 'i' | 'p' | 'h' | 'c' | 'r' | 't' | 'v';

/** One piece of a macro string: literal text, an escape (`%%`, `%_`, `%-`) or a `%{...}` expansion. */
export type MacroToken =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'escape'; readonly text: string; readonly value: string }
  | {
    readonly kind: 'macro'; readonly text: string; readonly letter: MacroLetter;
    /** An upper-case letter: URL-escape the result (RFC 7208 7.3). */
    readonly urlEscape: boolean;
    /** Keep this many right-hand parts (the DIGIT transformer), or null for all. */
    readonly keep: number | null;
    readonly reverse: boolean;
    /** Characters to split on; `.` when none were given. */
    readonly delimiters: string;
  };

/** A parsed macro string with its source text. */
export type MacroString = { readonly text: string; readonly tokens: readonly MacroToken[] };

/**
 * Where a macro string appears, which decides what it may contain (RFC 7208 7.1): a `domain-spec` (no spaces, no
 * c/r/t, must end in a macro or `.toplabel`), an explanation TXT record (`explain-string`: spaces and c/r/t allowed),
 * or the value of an unknown modifier (any macro-string).
 */
export type MacroContext = 'domain-spec' | 'explain-string' | 'macro-string';

/** The result of parsing a macro string. */
export type MacroParse = { readonly ok: true; readonly value: MacroString } | { readonly ok: false; readonly problem: string };

/** Every macro letter's value for one evaluation (see {@link macroValues}). */
export type MacroValues = Readonly<Record<MacroLetter, string>>;

const LETTERS = new Set<string>(['s', 'l', 'o', 'd', 'i', 'p', 'h', 'c', 'r', 't', 'v']);
const EXP_ONLY = new Set<string>(['c', 'r', 't']);
const ESCAPES: Readonly<Record<string, string>> = { '%': '%', _: ' ', '-': '%20' };

/**
 * Parses `text` as a macro string in `context` (RFC 7208 7.1 ABNF). A `%` must start `%{...}`, `%%`, `%_` or `%-`;
 * literals are visible ASCII (%x21-7E, plus SP in explanations).
 * @example parseMacroString('%{ir}.%{v}._spf.%{d2}', 'domain-spec') // { ok: true, value: { tokens: [...] } }
 */
export function parseMacroString(text: string, context: MacroContext): MacroParse {
  const tokens: MacroToken[] = [];
  let literal = '';
  const flush = () => {
    if (literal) tokens.push({ kind: 'literal', text: literal });
    literal = '';
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char !== '%') {
      const code = char.charCodeAt(0);
      const visible = code >= 0x21 && code <= 0x7e;
      if (!visible && !(code === 0x20 && context === 'explain-string')) {
        return { ok: false, problem: `invalid character ${codePoint(char)} in ${JSON.stringify(text)}` };
      }
      literal += char;
      continue;
    }
    const next = text[i + 1];
    if (next !== undefined && next in ESCAPES) {
      flush();
      tokens.push({ kind: 'escape', text: `%${next}`, value: ESCAPES[next]! });
      i++;
      continue;
    }
    if (next !== '{') {
      return { ok: false, problem: `"%" must be followed by "{", "%", "_" or "-" in ${JSON.stringify(text)} (RFC 7208 7.1)` };
    }
    const close = text.indexOf('}', i);
    if (close === -1) return { ok: false, problem: `unterminated macro ${JSON.stringify(text.slice(i))}` };
    const macro = parseExpand(text.slice(i, close + 1), context);
    if (!macro.ok) return macro;
    flush();
    tokens.push(macro.token);
    i = close;
  }
  flush();
  if (context === 'domain-spec') {
    const problem = domainEndProblem(text, tokens);
    if (problem) return { ok: false, problem };
  }
  return { ok: true, value: { text, tokens } };
}

function parseExpand(raw: string, context: MacroContext): { ok: true; token: MacroToken } | { ok: false; problem: string } {
  const match = /^%\{([A-Za-z])(\d*)([Rr]?)([.\-+,/_=]*)\}$/.exec(raw);
  const letter = match?.[1]?.toLowerCase();
  if (!match || letter === undefined || !LETTERS.has(letter)) {
    return { ok: false, problem: `invalid macro ${JSON.stringify(raw)} (RFC 7208 7.1: %{<letter><digits>[r]<delimiters>})` };
  }
  if (EXP_ONLY.has(letter) && context === 'domain-spec') {
    return { ok: false, problem: `macro ${JSON.stringify(raw)} is only allowed in explanation text (RFC 7208 7.2)` };
  }
  const digits = match[2]!;
  // RFC 7208 7.3: "If a DIGIT is specified, the value MUST be nonzero."
  if (digits !== '' && Number(digits) === 0) return { ok: false, problem: `macro ${JSON.stringify(raw)} keeps zero parts (RFC 7208 7.3)` };
  return {
    ok: true,
    token: {
      kind: 'macro', text: raw, letter: letter as MacroLetter, urlEscape: match[1] !== letter,
      keep: digits === '' ? null : Number(digits), reverse: match[3] !== '', delimiters: match[4] || '.',
    },
  };
}

/** RFC 7208 7.1: `domain-end = ( "." toplabel [ "." ] ) / macro-expand`. */
function domainEndProblem(text: string, tokens: readonly MacroToken[]): string | null {
  const last = tokens[tokens.length - 1];
  if (last === undefined) return 'empty domain-spec';
  if (last.kind !== 'literal') return null;
  const body = withoutTrailingDot(last.text);
  const dot = body.lastIndexOf('.');
  if (dot === -1 || !isTopLabel(body.slice(dot + 1))) {
    return `domain-spec ${JSON.stringify(text)} must end in a macro or in "." and a valid top-level label (RFC 7208 7.1)`;
  }
  return null;
}

function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Expands a parsed macro string (RFC 7208 7.3): transformers first, then URL escaping for upper-case letters. */
export function expandMacroString(macro: MacroString, values: MacroValues): string {
  return macro.tokens.map((token) => {
    if (token.kind === 'literal') return token.text;
    if (token.kind === 'escape') return token.value;
    const parts = values[token.letter].split(new RegExp(`[${escapeClass(token.delimiters)}]`));
    if (token.reverse) parts.reverse();
    const kept = token.keep !== null && token.keep < parts.length ? parts.slice(-token.keep) : parts;
    const joined = kept.join('.');
    return token.urlEscape ? urlEscape(joined) : joined;
  }).join('');
}

function escapeClass(delimiters: string): string {
  return delimiters.replace(/[\\\-\]^/]/g, '\\$&');
}

/** RFC 7208 7.3: escape every octet outside RFC 3986's `unreserved` (ALPHA DIGIT - . _ ~) as %XX. */
export function urlEscape(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((byte) => {
    const char = String.fromCharCode(byte);
    return /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}

/**
 * Expands a domain-spec into a query name. RFC 7208 7.3: a result over 253 characters loses labels from the left
 * until it fits; one trailing dot is dropped, since it names the same domain.
 */
export function expandDomainSpec(macro: MacroString, values: MacroValues): string {
  let name = withoutTrailingDot(expandMacroString(macro, values));
  while (name.length > 253 && name.includes('.')) name = name.slice(name.indexOf('.') + 1);
  return name;
}

/** What the macro letters stand for in one check_host() call (RFC 7208 7.2). */
export type MacroInputs = {
  /** <sender> with its local-part (`postmaster` already substituted when it had none, RFC 7208 4.3). */
  readonly sender: string;
  /** The <domain> of the record being evaluated. */
  readonly domain: string;
  readonly ip: ClientIp;
  readonly helo: string;
  /** The validated domain name of <ip> for `p`, or `unknown`. */
  readonly validatedName: string;
  /** The checking host's name for `r`; RFC 7208 7.2 says `unknown` when not available. */
  readonly receiver: string;
  readonly now: Date;
};

/** The value of every macro letter (RFC 7208 7.2, 7.3). */
export function macroValues(input: MacroInputs): MacroValues {
  const at = input.sender.lastIndexOf('@');
  return {
    s: input.sender,
    l: at === -1 ? 'postmaster' : input.sender.slice(0, at),
    o: at === -1 ? input.sender : input.sender.slice(at + 1),
    d: withoutTrailingDot(input.domain),
    i: dottedIp(input.ip),
    p: input.validatedName,
    v: input.ip.family === 4 ? 'in-addr' : 'ip6',
    h: input.helo,
    c: formatIp(input.ip),
    r: input.receiver,
    t: String(Math.floor(input.now.getTime() / 1000)),
  };
}

/** Whether any `%{...}` in the string uses `letter` (the evaluator resolves `p` only when it is needed). */
export function usesMacro(macro: MacroString, letter: MacroLetter): boolean {
  return macro.tokens.some((t) => t.kind === 'macro' && t.letter === letter);
}
