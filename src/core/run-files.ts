/**
 * How a run's files are named in the output directory: `vouch-<start>.<extension>`, where the start time
 * `2026-11-25T08:30:00.123Z` becomes `20261125T083000.123Z` (sortable, safe in every file system, distinct per run).
 * Its reports and its journal share the stamp, so retention keeps or removes a run whole. Small on purpose: the
 * journal (loaded by worker threads) and the CLI both name files with it.
 */
export function fileStamp(iso: string): string {
  return iso.replace(/[-:]/g, '');
}

export function runFileName(startedAt: string, extension: string): string {
  return `vouch-${fileStamp(startedAt)}.${extension}`;
}
