import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { diffReports, renderDiff } from '../../compliance/diff.ts';
import { ExitError } from '../../core/errors.ts';
import type { ScanReport } from '../../../reports/types.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';

async function readReport(path: string, cwd: string): Promise<ScanReport> {
  try {
    const parsed = JSON.parse(await readFile(resolve(cwd, path), 'utf8')) as ScanReport;
    if (parsed.schemaVersion !== 1 || !Array.isArray(parsed.results)) throw new Error('not a Vouch report (schemaVersion 1)');
    return parsed;
  } catch (err) {
    throw new ExitError(EXIT.usage, `${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** `vouch diff OLD NEW`: what got worse, better or changed; exit 1 when something got worse. */
export async function diffCommand(oldPath: string, newPath: string, options: { json: boolean }, io: CliIo): Promise<number> {
  const diff = diffReports(await readReport(oldPath, io.cwd), await readReport(newPath, io.cwd));
  io.stdout.write(options.json ? `${JSON.stringify(diff, null, 2)}\n` : renderDiff(diff));
  return diff.worse ? EXIT.failed : EXIT.ok;
}
