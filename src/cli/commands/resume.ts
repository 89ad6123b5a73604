import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfigOverrides } from '../../config/load.ts';
import { ExitError } from '../../core/errors.ts';
import { readJournal } from '../../runner/journal.ts';
import { EXIT } from '../exit-codes.ts';

const JOURNAL = /^vouch-\d{8}T\d{6}(?:\.\d{3})?Z\.journal\.ndjson$/;

/**
 * The journal `vouch scan --resume DIR` continues: the newest one in DIR (names sort by start time) that did not
 * finish, or that finished without every domain (a worker thread died with some: their checks are `error`, and a
 * resume scans them again). A DIR whose newest run finished every domain has nothing to resume, which is said rather
 * than starting a new scan.
 */
export async function findResumableJournal(dir: string): Promise<string> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => JOURNAL.test(n)).sort();
  } catch (err) {
    throw new ExitError(EXIT.usage, `--resume ${dir}: cannot read the directory: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  // Newest first; a journal without even its first line (killed as it was created) is no run to resume: skipped.
  for (const name of names.reverse()) {
    const path = join(dir, name);
    const reader = await readJournal(path).catch(() => null);
    if (!reader) continue;
    try {
      if (reader.end?.status === 'complete' && reader.domainsDone >= reader.header.domains) {
        throw new ExitError(EXIT.usage, `--resume ${dir}: the newest run (${reader.header.runId}, ${name}) finished; there is nothing to resume`);
      }
    } finally {
      await reader.close();
    }
    return path;
  }
  throw new ExitError(EXIT.usage, `--resume ${dir}: no readable run journal (vouch-*.journal.ndjson) in this directory`);
}

/** `queuePassword`: the `--queue` URL had a password, which the journal does not keep (src/cli/commands/scan.ts). */
export type Invocation = { readonly config: string | null; readonly overrides: ConfigOverrides; readonly queuePassword?: true };

/** How the journal's run was started (configuration file and command-line values), recorded by `vouch scan`. */
export async function readInvocation(path: string): Promise<Invocation> {
  const reader = await readJournal(path).catch((err: unknown) => {
    throw new ExitError(EXIT.usage, `${path}: not a readable run journal: ${err instanceof Error ? err.message : String(err)}`);
  });
  try {
    const recorded = (reader.header.settings as { invocation?: Invocation }).invocation;
    if (!recorded) throw new ExitError(EXIT.usage, `--resume: ${path} does not say how its scan was started (written by a library call, not "vouch scan")`);
    return recorded;
  } finally {
    await reader.close();
  }
}
