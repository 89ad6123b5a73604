import { resolve } from 'node:path';
import { NotAReport, openBaseline, type Baseline } from '../../../reports/baseline.ts';
import { diffReports, renderDiff } from '../../compliance/diff.ts';
import { ExitError } from '../../core/errors.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';

async function openReport(path: string, cwd: string): Promise<Baseline> {
  try {
    return await openBaseline(resolve(cwd, path));
  } catch (err) {
    const why = err instanceof NotAReport ? err.message
      : (err as NodeJS.ErrnoException).code ? `cannot read: ${(err as NodeJS.ErrnoException).code}` : String(err);
    throw new ExitError(EXIT.usage, `${path}: ${why}`);
  }
}

/**
 * `vouch diff OLD NEW`: what got worse, better or changed; exit 1 when something got worse. Either report may be
 * schema 1 or 2; a schema-2 report is read a domain at a time (reports/baseline.ts), so any size compares.
 */
export async function diffCommand(oldPath: string, newPath: string, options: { json: boolean }, io: CliIo): Promise<number> {
  const older = await openReport(oldPath, io.cwd);
  try {
    const newer = await openReport(newPath, io.cwd);
    try {
      const diff = await diffReports(older, newer);
      io.stdout.write(options.json ? `${JSON.stringify(diff, null, 2)}\n` : renderDiff(diff));
      return diff.worse ? EXIT.failed : EXIT.ok;
    } finally {
      await newer.close();
    }
  } finally {
    await older.close();
  }
}
