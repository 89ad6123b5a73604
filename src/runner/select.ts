import type { Check } from '../core/check.ts';
import { globToRegExp } from '../config/names.ts';

export type Selection<T extends Pick<Check, 'id'> = Check> = { ok: true; checks: readonly T[] } | { ok: false; problems: readonly string[] };

/**
 * Narrows the registry to `only` (if any) minus `skip`; ids may use `*` globs (`tls.*`). A pattern that matches no
 * check is a problem, so a typo cannot silently turn a check off; every bad pattern is listed at once.
 */
export function selectChecks<T extends Pick<Check, 'id'>>(all: readonly T[], only: readonly string[], skip: readonly string[]): Selection<T> {
  const problems: string[] = [];
  const matcher = (field: string) => (pattern: string, i: number) => {
    const re = globToRegExp(pattern);
    const hits = all.filter((c) => re.test(c.id));
    if (hits.length === 0) problems.push(`${field}[${i}]: "${pattern}" matches no check id (see "vouch checks")`);
    return re;
  };
  const onlyRes = only.map(matcher('checks.only'));
  const skipRes = skip.map(matcher('checks.skip'));
  if (problems.length > 0) return { ok: false, problems };
  const checks = all.filter((c) => (onlyRes.length === 0 || onlyRes.some((re) => re.test(c.id))) && !skipRes.some((re) => re.test(c.id)));
  return { ok: true, checks };
}
