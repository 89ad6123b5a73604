import type { ConfigOverrides } from '../../config/load.ts';
import type { LogLevel } from '../../log.ts';
import { ExitError } from '../../core/errors.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { prepareScan } from './prepare.ts';
import { readInvocation } from './resume.ts';
import { readJournal } from '../../runner/journal.ts';
import { executeScan, type ScanCommandOptions } from './scan.ts';

export type ReplayCommandOptions = {
  readonly journal: string;
  readonly config?: string;
  /** Where the replay's reports go and in which formats; the domains are the journal's. */
  readonly overrides: Pick<ConfigOverrides, 'outDir' | 'formats'>;
  readonly failOn: 'fail' | 'warn';
  readonly logLevel?: LogLevel;
  readonly progress: boolean;
} & Pick<ScanCommandOptions, 'quiet' | 'colour' | 'formatsAsked'>;

/**
 * `vouch replay JOURNAL`: the recorded scan judged again, offline, by today's configuration (by default the file
 * the scan was started with, as it reads now). Reports are written as a scan's, with `replayOf` in the journal.
 */
export async function replayCommand(options: ReplayCommandOptions, io: CliIo, signal: AbortSignal): Promise<number> {
  // A journal that cannot be read is the user's argument, found before anything else runs.
  const reader = await readJournal(options.journal).catch((err: unknown) => {
    throw new ExitError(EXIT.usage, `replay ${options.journal}: not a readable run journal: ${err instanceof Error ? err.message : String(err)}`);
  });
  await reader.close();
  let config = options.config;
  let overrides: ConfigOverrides = options.overrides;
  if (!config) {
    const invocation = await readInvocation(options.journal).catch(() => null);
    if (!invocation) {
      throw new ExitError(EXIT.usage, `replay ${options.journal}: the journal does not say which configuration the scan used; give --config`);
    }
    config = invocation.config ?? undefined;
    // The scan's domain list and options, with this command's output settings (never the scan's output directory).
    const { outDir: _out, formats: _formats, ...scanned } = invocation.overrides;
    overrides = { ...scanned, ...options.overrides };
  }
  const loaded = await prepareScan(config, overrides, io.cwd);
  // Reports go where this command says (--out), never into the scan's output directory as its `latest`.
  const prepared = { ...loaded, config: { ...loaded.config, output: { ...loaded.config.output, dir: options.overrides.outDir ?? null } } };
  return (await executeScan(prepared, options, io, signal, { replay: options.journal })).code;
}
