import { createHash } from 'node:crypto';
import type { Target } from '../core/types.ts';

/**
 * `sha256:<hex>` of the configured domain list in order. A journal records it so that a resume against another
 * list (which would shift every domain's place) is refused, with that reason, before any domain is skipped.
 */
export function domainsDigest(targets: readonly Target[]): string {
  const hash = createHash('sha256');
  for (const t of targets) hash.update(`${t.domain}\n`);
  return `sha256:${hash.digest('hex')}`;
}
