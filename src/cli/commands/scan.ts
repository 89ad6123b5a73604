import type { ConfigOverrides } from '../../config/load.ts';
import { createLogger, type LogLevel } from '../../log.ts';
import { exitCodeFor, runScan } from '../../scan.ts';
import { WRITERS } from '../../../reports/index.ts';
import type { ScanReport } from '../../../reports/types.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { writeReports } from '../output.ts';
import { prepareScan, type Prepared } from './prepare.ts';

export type ScanCommandOptions = {
  readonly config?: string;
  readonly overrides: ConfigOverrides;
  readonly failOn: 'fail' | 'warn';
  readonly logLevel?: LogLevel;
  readonly progress: boolean;
};

/** `vouch scan`: prepare, run, write the reports, print the summary; returns the exit code. */
export async function scanCommand(options: ScanCommandOptions, io: CliIo, signal: AbortSignal): Promise<number> {
  const prepared = await prepareScan(options.config, options.overrides, io.cwd);
  return (await executeScan(prepared, options, io, signal)).code;
}

/** Shared with `vouch demo`, which prepares its own configuration. */
export async function executeScan(
  prepared: Prepared, options: Omit<ScanCommandOptions, 'config' | 'overrides'>, io: CliIo, signal: AbortSignal,
): Promise<{ code: number; report: ScanReport }> {
  const { config, checks } = prepared;
  const log = createLogger(options.logLevel ?? (io.stderr.isTTY ? 'warn' : 'info'), io.stderr);
  const showProgress = options.progress && io.stderr.isTTY === true && config.targets.length > 1;
  const { report } = await runScan({
    config, checks, log, signal,
    ...(showProgress ? { onDomainDone: (done: number, total: number) => io.stderr.write(`\r\x1b[Kscanning: ${done}/${total} domains`) } : {}),
  });
  if (showProgress) io.stderr.write('\r\x1b[K');

  const dir = config.output.dir;
  if (dir) {
    const paths = await writeReports(report, dir, config.output.formats);
    log.info({ paths }, 'reports written');
    io.stdout.write(WRITERS['text']!.render(report));
    io.stdout.write(`\nReports: ${paths.join(', ')}\n`);
  } else {
    io.stdout.write((WRITERS[config.output.stdoutFormat] ?? WRITERS['text']!).render(report));
  }
  const code = report.status === 'interrupted' ? EXIT.interrupted : exitCodeFor(report.summary, options.failOn);
  return { code, report };
}
