/**
 * Reading docs/evidence.md as data, for test/docs/evidence.test.ts: its sections (by GitHub anchor), the field paths
 * each documents, and the paths an evidence object uses. Pure.
 */

/** GitHub's heading anchor: lower case, punctuation but `-` dropped, spaces to `-`. */
export function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, '').replace(/\s/g, '-');
}

export type DocSection = { readonly heading: string; readonly fields: readonly string[]; readonly links: readonly string[] };

/**
 * Every `##`/`###` section: the field paths in the first column of its tables (`` | `addresses[].maxAge` | ``) and
 * the sections it links to (`](#per-address)`), keyed by anchor.
 */
export function sectionsOf(markdown: string): Map<string, DocSection> {
  const sections = new Map<string, DocSection>();
  for (const block of markdown.split(/^(?=#{2,3} )/m).slice(1)) {
    const heading = block.slice(0, block.indexOf('\n')).replace(/^#+ /, '');
    const fields = [...block.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
    const links = [...block.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
    sections.set(anchorOf(heading), { heading, fields, links });
  }
  return sections;
}

/** The fields a section documents, with those of every section it links to, and theirs, and so on. */
export function documentedFields(sections: ReadonlyMap<string, DocSection>, anchor: string): Set<string> {
  const fields = new Set<string>();
  const seen = new Set<string>();
  const visit = (at: string) => {
    const section = sections.get(at);
    if (!section || seen.has(at)) return;
    seen.add(at);
    section.fields.forEach((f) => fields.add(f));
    section.links.forEach(visit);
  };
  visit(anchor);
  return fields;
}

/** Field paths of an evidence object (`addresses[].versions[].accepted`), every level, in the docs' notation. */
export function fieldPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => fieldPaths(item, `${prefix}[]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [path, ...fieldPaths(child, path)];
  });
}

/** Rows the shared shapes hold the check's own fields in: a path is documented under any of these prefixes. */
const ROW_PREFIXES = ['mx[].addresses[].', 'mx[].', 'addresses[].', 'pages[].', 'unfetched[].'];

/** The path cut to its first two named parts: `versions[].suites[].name` -> `versions[].suites`. */
const twoParts = (path: string) => path.split('.').slice(0, 2).join('.').replace(/\[\]$/, '');

/**
 * Whether `path` is documented: exactly, or relative to a row it sits in (`addresses[].maxAge` as `maxAge`), where
 * two named parts below the row are enough (deeper structure is described in words); a `*` part stands for any key.
 */
export function isDocumented(path: string, documented: ReadonlySet<string>): boolean {
  // Exactly, relative to each row it sits in, and cut below the innermost row (ROW_PREFIXES is longest first).
  const relative = ROW_PREFIXES.filter((p) => path.startsWith(p)).map((p) => path.slice(p.length));
  const candidates = [path, ...relative, twoParts(relative[0] ?? path)];
  const patterns = [...documented].filter((d) => d.includes('*')).map((d) => new RegExp(`^${d.replace(/[.[\]]/g, '\\$&').replace(/\*/g, '[^.]+')}$`));
  return candidates.some((c) => documented.has(c) || patterns.some((p) => p.test(c)));
}
