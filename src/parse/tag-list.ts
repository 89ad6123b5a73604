/** One `name=value` pair of a tag-list, with surrounding whitespace removed and case kept as written. */
export type Tag = { readonly name: string; readonly value: string };

/** The tags in order of appearance, and what was wrong with the syntax (empty when nothing was). */
export type TagList = { readonly tags: readonly Tag[]; readonly problems: readonly string[] };

/** RFC 6376 3.2 tag-name is ALPHA *(ALPHA / DIGIT / "_"); RFC 8461 3.1 extension names also allow "-" and ".". */
const TAG_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/**
 * Splits a `name=value; name=value` record into tags. Pure and total.
 * The format is DKIM's tag-list (RFC 6376 3.2), which DMARC (RFC 7489 6.4), MTA-STS (RFC 8461 3.1) and TLS-RPT
 * (RFC 8460 3) TXT records reuse. A trailing ";" is allowed; empty segments (";;") are skipped. Each segment without
 * "=", with an invalid name, or repeating an earlier name (RFC 6376 3.2: duplicates invalidate the whole list) is a
 * problem. Names compare case-sensitively here; callers whose RFC says otherwise lower-case them first.
 */
export function parseTagList(text: string, options: { readonly caseInsensitiveNames?: boolean } = {}): TagList {
  const tags: Tag[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const segment of text.split(';')) {
    const trimmed = segment.trim();
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    if (eq === -1) {
      problems.push(`"${trimmed}" is not a tag=value pair`);
      continue;
    }
    const written = trimmed.slice(0, eq).trim();
    const name = options.caseInsensitiveNames ? written.toLowerCase() : written;
    if (!TAG_NAME.test(name)) {
      problems.push(`"${written}" is not a valid tag name`);
      continue;
    }
    if (seen.has(name)) {
      problems.push(`tag "${name}" appears more than once`);
      continue;
    }
    seen.add(name);
    tags.push({ name, value: trimmed.slice(eq + 1).trim() });
  }
  return { tags, problems };
}
