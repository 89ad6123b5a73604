import type { Check } from '../src/core/check.ts';
import { loadChecks } from './registry.ts';

/**
 * Every built-in check, loaded; the list, and the order (the report's order), is checks/registry.ts. The CLI loads
 * only the checks a run selects (src/cli/commands/prepare.ts); this is for everything that wants them all.
 */
export const ALL_CHECKS: readonly Check[] = await loadChecks();
