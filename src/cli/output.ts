import { makeDirectory } from './make-directory.ts';
import { randomBytes } from 'node:crypto';
import { copyFile, link, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadWriter } from '../../reports/index.ts';
import type { ReportStream } from '../../reports/types.ts';
import { writeStreamAtomic } from './write-atomic.ts';
import { fanOut } from './report-fanout.ts';
import { fileStamp, runFileName } from '../core/run-files.ts';

export { fileStamp } from '../core/run-files.ts';


/** The per-run file of one format: `vouch-<start>.<ext>`. */
export function runFilePath(dir: string, startedAt: string, extension: string): string {
  return join(dir, runFileName(startedAt, extension));
}

/**
 * Writes every format from ONE pass over the report's domains (and, given `alsoTo`, the same pass feeds those
 * consumers too), each into its per-run file atomically (`vouch-<start>.<ext>`, kept for history and diffs).
 * Returns the per-run paths; publishRun then makes them `latest`. The formats a scan writes while it runs
 * (src/report-live/) are not written here.
 */
export async function writeReports(
  report: ReportStream, dir: string, formats: readonly string[], alsoTo: readonly ((stream: ReportStream) => Promise<void>)[] = [],
): Promise<string[]> {
  const writers = (await Promise.all(formats.map((format) => loadWriter(format)))).filter((w) => w !== undefined);
  const paths = writers.map((w) => runFilePath(dir, report.header.startedAt, w.extension));
  await fanOut(report, [
    ...writers.map((writer, i) => (stream: ReportStream) => writeStreamAtomic(paths[i]!, (write) => writer.write(stream, write))),
    ...alsoTo,
  ]);
  return paths;
}

/**
 * After a run's files are written: points `latest.<ext>` at each (what dashboards and the next night's baseline
 * read) with an atomic rename of a hard link, so a 1 GB report is not written twice, unless the scan was
 * interrupted; then applies retention.
 */
export async function publishRun(
  dir: string, paths: readonly string[], options: { readonly latest: boolean; readonly status: string; readonly retain: number | null },
): Promise<void> {
  // An interrupted scan is kept, but never becomes `latest`: dashboards and the next night's baseline would read
  // its unfinished checks as failures to test.
  if (options.latest && options.status !== 'interrupted') {
    for (const path of paths) {
      const extension = RUN_FILE.exec(basename(path))?.[2];
      if (extension) await replaceWithLink(path, join(dir, `latest.${extension}`));
    }
  }
  if (options.retain !== null) await pruneRuns(dir, options.retain);
}

/** `target` becomes another name of `source`, atomically (a link under a temporary name, renamed over it). */
async function replaceWithLink(source: string, target: string): Promise<void> {
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await link(source, temp);
  } catch {
    // A file system without hard links: a copy, still renamed into place atomically.
    await copyFile(source, temp);
  }
  try {
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** A run's files: its reports, its journal, and the temporary files a killed run's live reports left (`.partial`). */
const RUN_FILE = /^vouch-(\d{8}T\d{6}(?:\.\d{3})?Z)\.([a-z]+|journal\.ndjson|[a-z-]+\.partial)$/;

/** Keeps the newest `retain` runs' files (all formats of a run share its stamp); `latest.*` is never touched. */
export async function pruneRuns(dir: string, retain: number): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => RUN_FILE.test(f));
  const stamps = [...new Set(files.map((f) => RUN_FILE.exec(f)![1]!))].sort().reverse();
  const doomed = new Set(stamps.slice(retain));
  const removed = files.filter((f) => doomed.has(RUN_FILE.exec(f)![1]!));
  await Promise.all(removed.map((f) => rm(join(dir, f), { force: true })));
  return removed;
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
export async function keepReportElsewhere(report: ReportStream, dir: string = tmpdir()): Promise<string> {
  const path = join(dir, `vouch-${fileStamp(report.header.startedAt)}-${report.header.runId.slice(0, 8)}.json`);
  const json = await loadWriter('json');
  await writeStreamAtomic(path, (write) => json.write(report, write));
  return path;
}
