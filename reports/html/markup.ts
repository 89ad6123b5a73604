/** Markup built by the `html` tag: the only thing interpolated without escaping. */
export type Safe = { readonly __html: string };
export type Value = string | number | Safe | readonly Safe[];

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return /[&<>"']/.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c]!) : text;
}

// Cc (controls, but tab and newline) and Cf (format: bidi marks and overrides, zero-width, soft hyphen, tags, U+061C),
// plus the blank "filler" letters U+115F, U+1160, U+3164, U+FFA0 that render as nothing.
const INVISIBLE = /(?![\t\n])[\p{Cc}\p{Cf}\u115f\u1160\u3164\uffa0\ufff9-\ufffb]/u;
const INVISIBLES = new RegExp(INVISIBLE.source, 'gu');

/**
 * Control characters and bidi/zero-width format characters from the network are shown as `\uXXXX` rather than
 * rendered: raw, they could hide text or reorder what an auditor reads (a U+202E override flips the rest of a line).
 */
export function visible(text: string): string {
  if (!INVISIBLE.test(text)) return text; // the common case, without building a new string
  return text.replace(INVISIBLES, (c) => {
    const hex = c.codePointAt(0)!.toString(16).toUpperCase();
    return hex.length > 4 ? `\\u{${hex}}` : `\\u${hex.padStart(4, '0')}`;
  });
}

/** Escaped text as markup: what the `html` tag does to every string it interpolates. */
export const text = (value: string | number): Safe => ({ __html: escapeHtml(visible(String(value))) });

/**
 * Template tag that escapes every interpolated string or number. Markup can only come from another `html` template,
 * so a value from the network or the config cannot become markup by someone forgetting to escape it.
 */
export function html(strings: TemplateStringsArray, ...values: readonly Value[]): Safe {
  let out = strings[0]!;
  values.forEach((v, i) => {
    const part = typeof v === 'string' || typeof v === 'number' ? text(v).__html
      : '__html' in v ? v.__html : v.map((s) => s.__html).join('');
    out += part + strings[i + 1]!;
  });
  return { __html: out };
}

export const EMPTY: Safe = html``;

/** Text with a line-break opportunity (<wbr>) after each of `after`'s characters, and nowhere else. */
function breakingAfter(value: string, after: RegExp): Safe {
  const parts = value.split(after);
  return { __html: parts.map((p, i) => (i % 2 === 1 ? `${escapeHtml(p)}<wbr>` : text(p).__html)).join('') };
}

/** Letters, digits, hyphens, underscores and dots: a host name, in A-labels or U-labels. */
const HOST_NAME = /^[\p{L}\p{N}_.-]+$/u;

/**
 * A domain name that wraps only at its dots: `shop.example.nl` never breaks inside `example`, and `no-redirect.nl`
 * never at its hyphen (browsers break after a hyphen, and `no-` / `redirect.nl` reads as two names). Each label,
 * with the dot that ends it, is its own `white-space: nowrap` span, with a <wbr> after the dot. The class keeps
 * evidence's wrap-anywhere rule off it. A "name" that is no host name (spaces, markup: only a tampered report or
 * config has one) is shown as evidence text, which may wrap anywhere.
 */
export function domainName(name: string): Safe {
  if (!HOST_NAME.test(name)) return html`<span class="evidence">${name}</span>`;
  const labels = name.match(/[^.]+\.?|\./g) ?? [];
  return { __html: `<span class="dn">${labels.map((label) => `<span class="dl">${escapeHtml(label)}</span>`).join('<wbr>')}</span>` };
}

/**
 * An ISO time to the minute, as `2026-06-10 12:00 UTC`: short enough for a table column, wrapping at its spaces.
 * Anything else is shown as it is (the evidence, with the full time, is in the result).
 */
export function shortTime(value: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?Z$/.exec(value);
  return m ? `${m[1]} ${m[2]} UTC` : value;
}

/** An identifier (check id, artifact key) that may wrap after its separators: `.`, `:`, `@`, `/`, `_`, `=`, `,`. */
export const identifier = (value: string): Safe => breakingAfter(value, /([.:@/_=,])/);

/**
 * One component of an element id, injectively: letters, digits, `.` and `-` stay (so `#d-example.nl` reads as the
 * name), every other character becomes `_<hex>_`. Ids join components with `~`, which no component contains, so two
 * different domains or checks can never share an anchor, and the id is safe as a URL fragment unencoded.
 */
export function idPart(value: string): string {
  return value.replace(/[^A-Za-z0-9.-]/gu, (c) => `_${c.codePointAt(0)!.toString(16)}_`);
}

/** The element id of a domain's section, a result (domain and check), a promise, or a domain's artifact. */
export const anchors = {
  domain: (domain: string) => `d-${idPart(domain)}`,
  result: (domain: string, checkId: string) => `r-${idPart(domain)}~${idPart(checkId)}`,
  promise: (promiseId: string) => `p-${idPart(promiseId)}`,
  artifact: (domain: string, key: string) => `a-${idPart(domain)}~${idPart(key)}`,
};

/** Only http(s) links become anchors; anything else (javascript:, data:) stays text. */
export function externalLink(url: string): Safe {
  return /^https?:\/\//i.test(url) ? html`<a href="${url}" rel="noreferrer noopener">${url}</a>` : html`<code>${url}</code>`;
}
