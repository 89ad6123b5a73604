import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { WRITERS } from '../../reports/index.ts';
import type { ScanReport } from '../../reports/types.ts';
import { writeFileAtomic } from './write-atomic.ts';

/** `2026-11-25T08:30:00.123Z` -> `20261125T083000.123Z`: sortable, safe in every file system, distinct per run. */
export function fileStamp(iso: string): string {
  return iso.replace(/[-:]/g, '');
}

/**
 * Writes each format twice, atomically: a per-run file (`vouch-<start>.<ext>`, kept for history and diffs) and
 * `latest.<ext>` (what dashboards and the next night's baseline read; not for an interrupted scan). Returns the
 * per-run paths.
 */
export async function writeReports(report: ScanReport, dir: string, formats: readonly string[], retain: number | null = null): Promise<string[]> {
  const written: string[] = [];
  for (const format of formats) {
    const writer = WRITERS[format];
    if (!writer) continue;
    const text = writer.render(report);
    const path = join(dir, `vouch-${fileStamp(report.startedAt)}.${writer.extension}`);
    await writeFileAtomic(path, text);
    // An interrupted scan is kept, but never becomes `latest`: dashboards and the next night's baseline would read
    // its unfinished checks as failures to test.
    if (report.status !== 'interrupted') await writeFileAtomic(join(dir, `latest.${writer.extension}`), text);
    written.push(path);
  }
  if (retain !== null) await pruneRuns(dir, retain);
  return written;
}

const RUN_FILE = /^vouch-(\d{8}T\d{6}(?:\.\d{3})?Z)\.[a-z]+$/;

/** Keeps the newest `retain` runs' files (all formats of a run share its stamp); `latest.*` is never touched. */
export async function pruneRuns(dir: string, retain: number): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => RUN_FILE.test(f));
  const stamps = [...new Set(files.map((f) => RUN_FILE.exec(f)![1]!))].sort().reverse();
  const doomed = new Set(stamps.slice(retain));
  const removed = files.filter((f) => doomed.has(RUN_FILE.exec(f)![1]!));
  await Promise.all(removed.map((f) => rm(join(dir, f), { force: true })));
  return removed;
}

/** The previous run's JSON report (`latest.json`), or null when there is none or it cannot be read as a report. */
export async function readBaseline(path: string): Promise<ScanReport | null> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<ScanReport>;
    const usable = parsed && parsed.schemaVersion === 1 && Array.isArray(parsed.results) && parsed.status !== 'interrupted';
    return usable ? (parsed as ScanReport) : null;
  } catch {
    return null;
  }
}
