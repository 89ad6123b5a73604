import { join } from 'node:path';
import { WRITERS } from '../../reports/index.ts';
import type { ScanReport } from '../../reports/types.ts';
import { writeFileAtomic } from './write-atomic.ts';

/** `2026-11-25T08:30:00.123Z` -> `20261125T083000Z`: sortable, and safe in every file system. */
export function fileStamp(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

/**
 * Writes each format twice, atomically: a per-run file (`vouch-<start>.<ext>`, kept for history and diffs) and
 * `latest.<ext>` (what dashboards and the next night's baseline read). Returns the per-run paths.
 */
export async function writeReports(report: ScanReport, dir: string, formats: readonly string[]): Promise<string[]> {
  const written: string[] = [];
  for (const format of formats) {
    const writer = WRITERS[format];
    if (!writer) continue;
    const text = writer.render(report);
    const path = join(dir, `vouch-${fileStamp(report.startedAt)}.${writer.extension}`);
    await writeFileAtomic(path, text);
    await writeFileAtomic(join(dir, `latest.${writer.extension}`), text);
    written.push(path);
  }
  return written;
}
