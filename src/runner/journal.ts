import { open, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { JournalMismatchError } from './journal-errors.ts';
import { headerLine, resumeLine, type JournalHeader, type JournalResume } from './journal-format.ts';
import { COMPLETE, scanJournal } from './journal-scan.ts';
import { JournalWriter, type JournalWriterOptions } from './journal-writer.ts';
import { runFileName } from '../core/run-files.ts';

/**
 * The run journal (issue 11): the durable record of one run, one JSON line per finished domain, from which every
 * report is written and a stopped run is resumed. Format: journal-format.ts; writing: journal-writer.ts; reading:
 * journal-reader.ts.
 */
export { JournalError, JournalFormatError, JournalMismatchError, JournalWriteError } from './journal-errors.ts';
export { JOURNAL_FORMAT, type JournalEnd, type JournalHeader, type JournalResume } from './journal-format.ts';
export { readJournal, JournalReader, type RecordState } from './journal-reader.ts';
export { JournalWriter, type JournalWriterOptions } from './journal-writer.ts';

/** `vouch-20261125T083000.123Z.journal.ndjson`: the run's reports share its stamp (src/core/run-files.ts). */
export function journalFileName(startedAt: string): string {
  return runFileName(startedAt, 'journal.ndjson');
}

/**
 * Starts a run's journal: creates the file (never over an existing one: `wx`) and writes and syncs its run line, and
 * the directory entry, before any domain is scanned. Throws the file system's error (EEXIST, ENOSPC...), removing the
 * file if it created it.
 */
export async function createJournal(path: string, header: JournalHeader, options: JournalWriterOptions = {}): Promise<JournalWriter> {
  const handle = await open(path, 'wx', 0o644);
  try {
    const line = Buffer.from(headerLine(header), 'utf8');
    await handle.write(line, 0, line.length, 0);
    await handle.datasync();
    await syncDirectory(dirname(path));
    return new JournalWriter(handle, path, header, line.length, options);
  } catch (error) {
    // The file is this run's own (created exclusively): a half-written header is no journal, so it goes.
    await handle.close().catch(() => undefined);
    await rm(path, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** What a resume must match: a journal written for anything else is refused. */
export type ResumeExpectation = {
  readonly configDigest: string;
  readonly domainsDigest: string;
  readonly checks: readonly string[];
  /** The configured domain count, to say how the list differs. */
  readonly domains?: number;
  /** When given, a journal written by another Vouch version is refused (its verdicts may differ from this one's). */
  readonly toolVersion?: string;
};

export type ResumedJournal = {
  /** Appends after the journal's last whole line; the resume line is already written. */
  readonly writer: JournalWriter;
  readonly header: JournalHeader;
  /** Whether domain `index` has a complete record (and so must not be scanned again). */
  isDone(index: number): boolean;
  readonly doneCount: number;
  /** Every resume of the run, this one last. */
  readonly resumes: readonly JournalResume[];
  /** Why the journal was cut before appending (a line cut by kill -9 or a full disk), or null when it was whole. */
  readonly cut: { readonly bytes: number; readonly why: string } | null;
};

/**
 * Opens a stopped run's journal to continue it. Reads and parses every line; refuses (JournalMismatchError, naming
 * each difference) a journal of another configuration, domain list, check set or, if asked, Vouch version; cuts the
 * file back to the end of its last valid line (a line cut mid-write, and anything after it); appends and syncs a
 * resume line. Throws a JournalFormatError for a file that is not a journal, or the file system's error.
 */
export async function openJournalForResume(
  path: string, expect: ResumeExpectation, resumedAt: string, options: JournalWriterOptions = {},
): Promise<ResumedJournal> {
  const handle = await open(path, 'r+');
  try {
    const index = await scanJournal(handle, path, true);
    const differences = headerDifferences(index.header, expect);
    if (differences.length > 0) throw new JournalMismatchError(path, differences);
    const cut = index.validBytes < index.fileBytes ? { bytes: index.fileBytes - index.validBytes, why: index.damage ?? 'unknown' } : null;
    if (cut) await handle.truncate(index.validBytes);
    const writer = new JournalWriter(handle, path, index.header, index.validBytes, options);
    const resume: JournalResume = { at: resumedAt, domainsDone: index.domainsDone };
    await writer.appendLine(resumeLine(resume));
    await writer.flush();
    const { states } = index;
    return {
      writer, header: index.header, isDone: (i) => states[i] === COMPLETE, doneCount: index.domainsDone,
      resumes: [...index.resumes, resume], cut,
    };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/** One sentence per way the journal's run differs from the one asked to resume it. */
export function headerDifferences(header: JournalHeader, expect: ResumeExpectation): string[] {
  const differences: string[] = [];
  if (header.config.digest !== expect.configDigest) {
    differences.push(`the configuration differs (digest ${header.config.digest} in the journal, ${expect.configDigest} now)`);
  }
  if (header.domainsDigest !== expect.domainsDigest) {
    const counts = expect.domains === undefined ? `${header.domains} in the journal` : `${header.domains} in the journal, ${expect.domains} now`;
    differences.push(`the domain list differs (${counts})`);
  }
  const before = new Set(header.checks);
  const now = new Set(expect.checks);
  const gone = header.checks.filter((id) => !now.has(id));
  const added = expect.checks.filter((id) => !before.has(id));
  if (gone.length > 0 || added.length > 0) {
    const parts = [gone.length > 0 ? `only in the journal: ${sample(gone)}` : '', added.length > 0 ? `only now: ${sample(added)}` : ''];
    differences.push(`the checks differ (${parts.filter(Boolean).join('; ')})`);
  } else if (header.checks.join('\n') !== expect.checks.join('\n')) {
    differences.push('the checks are the same but in another order (results are stored in check order)');
  }
  if (expect.toolVersion !== undefined && header.tool.version !== expect.toolVersion) {
    differences.push(`Vouch's version differs (${header.tool.version} wrote the journal, this is ${expect.toolVersion})`);
  }
  return differences;
}

function sample(ids: readonly string[]): string {
  return ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more`;
}

/** Makes a new file's directory entry durable (a power cut could otherwise lose the file itself). Best effort. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some file systems and platforms refuse fsync on a directory; the file's own data is synced regardless.
  }
}
