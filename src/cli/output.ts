import { makeDirectory } from './make-directory.ts';
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  EACCES: 'permission denied', EPERM: 'operation not permitted', EROFS: 'read-only file system',
  ENOSPC: 'no space left on device', EDQUOT: 'disk quota exceeded', ENOTDIR: 'a part of the path is not a directory',
  ENOENT: 'no such file or directory', EEXIST: 'a file is in the way', EISDIR: 'is a directory', EIO: 'input/output error',
  ENAMETOOLONG: 'name too long', ELOOP: 'too many symbolic links',
};

/** `ENOSPC (no space left on device)`: the code a user can search for, and what it means. */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string') return ERRNO_TEXT[code] ? `${code} (${ERRNO_TEXT[code]})` : code;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Whether reports can be written into `dir`, asked before a scan sends a packet: it exists as a directory or can be
 * created, and a file can be created in it and removed again. Returns the problem, or null when it is usable.
 */
export async function outputDirProblem(dir: string): Promise<string | null> {
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) return 'exists but is not a directory';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return `cannot be examined: ${describeFsError(err)}`;
    try {
      await makeDirectory(dir);
    } catch (mkdirErr) {
      return `does not exist and cannot be created: ${describeFsError(mkdirErr)}`;
    }
  }
  const probe = join(dir, `.vouch-write-test.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(probe, 'wx', 0o600);
    try {
      await handle.writeFile('vouch\n');
    } finally {
      await handle.close();
    }
  } catch (err) {
    await rm(probe, { force: true }).catch(() => undefined);
    return `is not writable: ${describeFsError(err)}`;
  }
  try {
    await rm(probe);
  } catch (err) {
    return `allows creating files but not removing them: ${describeFsError(err)}`;
  }
  return null;
}

/**
 * Where the JSON report goes when the output directory fails at the end of a scan: the system's temporary
 * directory (TMPDIR), under a name unique to the run. Returns its path; throws when that cannot be written either.
 */
export async function keepReportElsewhere(report: ScanReport, dir: string = tmpdir()): Promise<string> {
  const path = join(dir, `vouch-${fileStamp(report.startedAt)}-${report.runId.slice(0, 8)}.json`);
  await writeFileAtomic(path, WRITERS['json']!.render(report));
  return path;
}
