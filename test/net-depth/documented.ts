import { readFileSync } from 'node:fs';
import type { ScanReport } from '../../reports/types.ts';
import { allResults } from '../../reports/memory.ts';
import { anchorOf, documentedFields, fieldPaths, isDocumented, sectionsOf } from '../docs/evidence-doc.ts';

const SECTIONS = sectionsOf(readFileSync(new URL('../../docs/evidence.md', import.meta.url), 'utf8'));

/**
 * Evidence fields of a lab scan's results that docs/evidence.md does not list. The demo leaves most of issue 13's
 * checks out (test/docs/evidence.test.ts scans the demo), so the lab scans that exercise them check the page here.
 */
export function undocumentedFields(report: ScanReport): string[] {
  const missing = new Set<string>();
  for (const result of allResults(report)) {
    const documented = documentedFields(SECTIONS, anchorOf(`\`${result.checkId}\``));
    for (const path of fieldPaths(result.evidence ?? {})) if (!isDocumented(path, documented)) missing.add(`${result.checkId}: ${path}`);
  }
  return [...missing].sort();
}
