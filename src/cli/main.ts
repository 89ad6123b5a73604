#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { parseStrictInteger } from '../config/fields.ts';
import { ExitError } from '../core/errors.ts';
import { LOG_LEVELS, type LogLevel } from '../log.ts';
import { REPORT_FORMATS } from '../core/types.ts';
import { VERSION } from '../version.ts';
import { DEFAULT_PROBE_SETTINGS } from '../config/defaults.ts';
import { EXIT, EXIT_HELP } from './exit-codes.ts';
import { processIo, type CliIo } from './io.ts';

/** A single-value option given twice is a mistake to report, not a value to silently overwrite. */
function once<T>(parse: (text: string) => T) {
  return (text: string, previous: T | undefined): T => {
    if (previous !== undefined) throw new InvalidArgumentError('given more than once');
    return parse(text);
  };
}
const positiveInteger = (text: string) => {
  const n = parseStrictInteger(text);
  if (n === undefined || n < 1) throw new InvalidArgumentError(`"${text}" is not a whole number of at least 1`);
  return n;
};
/** BullMQ renews a job's lock at half its lease: below a second, a busy worker would lose its jobs to others. */
const leaseMs = (text: string) => {
  const n = positiveInteger(text);
  if (n < 1000) throw new InvalidArgumentError(`${n} ms is too short: at least 1000`);
  return n;
};
const collect = (text: string, previous: string[] | undefined) => [...(previous ?? []), ...text.split(',').map((s) => s.trim()).filter(Boolean)];
const repeatable = (text: string, previous: string[] | undefined) => [...(previous ?? []), text];

const outputOptions = (cmd: Command) => cmd
  .option('-o, --out <dir>', 'write the reports into this directory (per-run files plus latest.*)', once(String))
  .option('-f, --format <list>', `report formats, comma-separated: ${REPORT_FORMATS.join(',')}`, collect)
  .addOption(new Option('--fail-on <level>', 'lowest status that makes the exit code 1').choices(['fail', 'warn']).default('fail'))
  .addOption(new Option('--log-level <level>', 'JSON log lines on stderr (default: info, warn on a terminal, error with --quiet; trace: every probe)').choices([...LOG_LEVELS]))
  .option('--no-progress', 'no progress line on a terminal')
  .option('--no-color', 'no colour (also: NO_COLOR set to anything; never colour when stdout is not a terminal)');

/** `--quiet`: for cron and CI, where only what needs action should be read. */
const quietOption = (cmd: Command) => cmd
  .option('-q, --quiet', 'no progress, no text summary, no notes: only the recap of failures and errors, errors, and the exit code');

/** What every reporting command passes on about its terminal output. */
const terminalOptions = (o: Record<string, unknown>) => ({
  quiet: o['quiet'] === true,
  colour: o['color'] !== false,
  ...(o['format'] ? { formatsAsked: o['format'] as string[] } : {}),
});

/** Builds the program; `run` executes one command and returns its exit code. Never calls process.exit. */
export async function main(argv: readonly string[], io: CliIo = processIo(), signal: AbortSignal = new AbortController().signal): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command('vouch')
    .description('Vouch proves, with evidence, that an organisation keeps the security promises it makes in public.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .addHelpText('after', `\n${EXIT_HELP}\n`);

  quietOption(outputOptions(program.command('scan')
    .description('scan domains and write evidence reports')
    .argument('[domains...]', 'domains to scan, or URLs (their host is scanned); with --input, these come first. Replace the config file\'s list')
    .option('-c, --config <file>', 'configuration file (YAML or JSON)', once(String))
    .option('-i, --input <file>', 'domains to scan from a file, one a line (# comments, blank lines ignored; "-" reads stdin)', once(String))
    .option('--only <ids>', 'run only these check ids (comma-separated, * globs)', collect)
    .option('--connect-to <HOST:PORT:ADDR:PORT>', 'connect to another address/port for HOST:PORT (like curl); repeatable', repeatable)
    .option('--resolver <address[:port]>', 'DNS resolver to use instead of /etc/resolv.conf; repeatable', repeatable)
    .option('--ca <file>', 'extra trusted CA certificates (PEM); repeatable', repeatable)
    .option('--trust-anchors <file>', 'DNSSEC trust anchors (DS/DNSKEY records) instead of the IANA root\'s (config dnssec.trustAnchors)', once(String))
    .option('--timeout <ms>', 'deadline for each network operation', once(positiveInteger))
    .option('--concurrency <n>', `domains in flight (default ${DEFAULT_PROBE_SETTINGS.domainsInFlight}; config concurrency.domains)`, once(positiveInteger))
    .option('--workers <n>', 'worker threads (default: the number of cores, at most one per 50 domains)', once(positiveInteger))
    .option('--browser', 'visit each page in headless Chromium without consent, for the browser.* checks (config browser.enabled)')
    .option('--resume <dir>', 'continue the interrupted scan whose journal is in <dir> (its --out directory)', once(String))
    .option('--baseline <report.json>', 'previous report for "since" (default: latest.json in --out)', once(String))
    .option('--prometheus-textfile <file>', 'also write the metrics to this file for node_exporter\'s textfile collector (config prometheus.textfile)', once(String))
    .option('--queue <url>', 'scan through "vouch worker" processes on this Redis: redis://[USER@]HOST[:PORT][/DB] or rediss:// (config queue.url; password: VOUCH_QUEUE_PASSWORD)', once(String))
    .option('--queue-ca <file>', 'a private CA (PEM) for a rediss:// queue (config queue.caFile)', once(String))))
    .addHelpText('after', `\n${EXIT_HELP}\n`)
    .action(async (domains: string[], o: Record<string, unknown>) => {
      const { scanCommand } = await import('./commands/scan.ts');
      code = await scanCommand({
        ...(o['config'] ? { config: String(o['config']) } : {}),
        overrides: {
          ...(domains.length ? { domains } : {}),
          ...(o['connectTo'] ? { connectTo: o['connectTo'] as string[] } : {}),
          ...(o['resolver'] ? { resolvers: o['resolver'] as string[] } : {}),
          ...(o['ca'] ? { trustedCaFiles: (o['ca'] as string[]).map((f) => resolve(io.cwd, f)) } : {}),
          ...(o['trustAnchors'] ? { trustAnchorsFile: resolve(io.cwd, String(o['trustAnchors'])) } : {}),
          ...(o['only'] ? { only: o['only'] as string[] } : {}),
          ...(o['out'] ? { outDir: resolve(io.cwd, String(o['out'])) } : {}),
          ...(o['format'] ? { formats: o['format'] as string[] } : {}),
          ...(o['timeout'] ? { timeoutMs: o['timeout'] as number } : {}),
          ...(o['concurrency'] ? { concurrency: o['concurrency'] as number } : {}),
          ...(o['workers'] ? { workers: o['workers'] as number } : {}),
          ...(o['prometheusTextfile'] ? { prometheusTextfile: resolve(io.cwd, String(o['prometheusTextfile'])) } : {}),
          ...(o['browser'] ? { browser: true } : {}),
          ...(o['queue'] ? { queueUrl: String(o['queue']) } : {}),
          ...(o['queueCa'] ? { queueCaFile: resolve(io.cwd, String(o['queueCa'])) } : {}),
        },
        failOn: o['failOn'] === 'warn' ? 'warn' : 'fail',
        ...(o['logLevel'] ? { logLevel: o['logLevel'] as LogLevel } : {}),
        progress: o['progress'] !== false,
        ...(o['baseline'] ? { baseline: String(o['baseline']) } : {}),
        ...(o['resume'] ? { resume: String(o['resume']) } : {}),
        ...(o['input'] ? { input: String(o['input']) } : {}),
        ...terminalOptions(o),
      }, io, signal);
    });

  quietOption(outputOptions(program.command('replay')
    .description('re-judge a recorded scan offline (its run journal) with the current checks, thresholds, waivers and promises')
    .argument('<journal>', 'a run journal (vouch-<start>.journal.ndjson in the scan\'s --out directory)')
    .option('-c, --config <file>', 'the configuration to judge by (default: the one the scan was started with)', once(String))))
    .action(async (journal: string, o: Record<string, unknown>) => {
      const { replayCommand } = await import('./commands/replay.ts');
      code = await replayCommand({
        journal: resolve(io.cwd, journal),
        ...(o['config'] ? { config: String(o['config']) } : {}),
        overrides: {
          ...(o['out'] ? { outDir: resolve(io.cwd, String(o['out'])) } : {}),
          ...(o['format'] ? { formats: o['format'] as string[] } : {}),
        },
        failOn: o['failOn'] === 'warn' ? 'warn' : 'fail',
        ...(o['logLevel'] ? { logLevel: o['logLevel'] as LogLevel } : {}),
        progress: false,
        ...terminalOptions(o),
      }, io, signal);
    });

  program.command('worker')
    .description('scan the domains that "vouch scan --queue" puts on Redis, until SIGINT or SIGTERM (run one per machine, e.g. as a systemd service)')
    .requiredOption('--queue <url>', 'the queue\'s Redis: redis://[USER@]HOST[:PORT][/DB] or rediss:// (password: VOUCH_QUEUE_PASSWORD)', once(String))
    .option('--queue-ca <file>', 'a private CA (PEM) for a rediss:// queue', once(String))
    .option('--concurrency <n>', `domains scanned at once (default ${DEFAULT_PROBE_SETTINGS.domainsInFlight}, as one scan process)`, once(positiveInteger))
    .option('--lease-ms <ms>', 'how long a job stays with a worker that stopped answering before others take it (default 30000)', once(leaseMs))
    .addOption(new Option('--log-level <level>', 'JSON log lines on stderr (default: info; without it, each run\'s domains log at the level its scan was started with)').choices([...LOG_LEVELS]))
    .addHelpText('after', `\nExit codes:\n  0   stopped by SIGINT or SIGTERM (the domains in hand finished or given back)\n  64  usage error\n`
      + `  69  the queue's Redis does not answer at the start (later, it is waited for)\n  70  internal error in Vouch\n`)
    .action(async (o: Record<string, unknown>) => {
      const { workerCommand } = await import('./commands/worker.ts');
      code = await workerCommand({
        queue: String(o['queue']),
        ...(o['queueCa'] ? { queueCa: String(o['queueCa']) } : {}),
        concurrency: (o['concurrency'] as number | undefined) ?? DEFAULT_PROBE_SETTINGS.domainsInFlight,
        leaseMs: (o['leaseMs'] as number | undefined) ?? 30_000,
        ...(o['logLevel'] ? { logLevel: o['logLevel'] as LogLevel } : {}),
      }, io, signal);
    });

  program.command('diff')
    .description('compare two JSON reports: new failures, fixed, newly unverifiable, changed evidence (exit 1 if worse)')
    .argument('<old>', 'older report').argument('<new>', 'newer report')
    .option('--json', 'as JSON')
    .action(async (older: string, newer: string, o: { json?: boolean }) => {
      const { diffCommand } = await import('./commands/diff.ts');
      code = await diffCommand(older, newer, { json: o.json === true }, io);
    });

  program.command('verify')
    .description("check a report's SHA-256 digest and, with --key, its Ed25519 signature (exit 1 if it does not hold)")
    .argument('<report>', 'JSON report')
    .option('--key <public.pem>', 'Ed25519 public key (PEM) the report must be signed with', once(String))
    .action(async (report: string, o: { key?: string }) => {
      const { verifyCommand } = await import('./commands/verify.ts');
      code = await verifyCommand(report, o.key ? { key: o.key } : {}, io);
    });

  program.command('checks')
    .description('list every check: id, scope, what it needs, the promises it evidences; with --config, its plugins\' checks too')
    .option('-c, --config <file>', 'also list the checks of this configuration\'s plugins (marked as plugin)', once(String))
    .option('--json', 'as JSON')
    .option('--markdown', 'as Markdown (docs/checks.md)')
    .action(async (o: { json?: boolean; markdown?: boolean; config?: string }) => {
      const { listChecksCommand } = await import('./commands/list-checks.ts');
      code = await listChecksCommand({ json: o.json === true, markdown: o.markdown === true, ...(o.config ? { config: o.config } : {}) }, io);
    });

  program.command('validate')
    .description('check a configuration file without scanning')
    .argument('<file>', 'configuration file')
    .action(async (file: string) => {
      const { validateCommand } = await import('./commands/validate.ts');
      code = await validateCommand(file, io);
    });

  outputOptions(program.command('demo')
    .description('scan built-in demo domains served on loopback (works without internet)'))
    .action(async (o: Record<string, unknown>) => {
      const { demoCommand } = await import('./commands/demo.ts');
      code = await demoCommand({
        ...(o['out'] ? { outDir: resolve(io.cwd, String(o['out'])) } : {}),
        ...(o['format'] ? { formats: o['format'] as string[] } : {}),
        failOn: o['failOn'] === 'warn' ? 'warn' : 'fail',
        ...(o['logLevel'] ? { logLevel: o['logLevel'] as LogLevel } : {}),
        progress: o['progress'] !== false,
        colour: o['color'] !== false,
        ...(o['format'] ? { formatsAsked: o['format'] as string[] } : {}),
      }, io, signal);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof ExitError) {
      io.stderr.write(`vouch: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr.write(`vouch: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.internal;
  }
}

/** How long a stopped scan gets to write its partial report before Vouch exits regardless. */
const STOP_GRACE_MS = 10_000;

/**
 * SIGINT/SIGTERM stop the scan gracefully: the partial report is still written, atomically. A reader that closes
 * stdout or stderr (`vouch demo | head -1`) stops it the same way, quietly, and the exit code says so (141).
 */
async function runFromShell(): Promise<void> {
  const controller = new AbortController();
  let stopCode: number | null = null;
  // One signal always ends Vouch: if the partial report is not written within the grace period (a stuck socket, a
  // hung disk), exit anyway. Unref'd: it never keeps a finished process alive.
  const stop = (code: number, reason: string) => {
    if (stopCode === null) {
      stopCode = code;
      setTimeout(() => {
        io.stderr.write(`vouch: the report was not written within ${STOP_GRACE_MS / 1000} s of being stopped; exiting\n`);
        process.exit(code);
      }, STOP_GRACE_MS).unref();
    }
    if (!controller.signal.aborted) controller.abort(new ExitError(code, reason));
  };
  let outputClosed = false;
  const io = processIo((stream, err) => {
    outputClosed = true;
    stop(EXIT.outputClosed, `${stream} closed (${err.code ?? err.message})`);
  });
  let signals = 0;
  const onSignal = (name: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(stopCode ?? EXIT.interrupted); // a second signal means "now"
    // A worker has no report: it finishes or gives back the domains in hand (src/queue/worker.ts).
    const finishing = process.argv[2] === 'worker' ? 'finishing or giving back the domains in hand' : 'finishing the report';
    io.stderr.write(`\nvouch: ${name} received, ${finishing} (again to abort)\n`);
    stop(EXIT.interrupted, `interrupted by ${name}`);
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  // A stray rejection or exception is a bug in Vouch, not in a target: keep scanning so the report is still written,
  // say so on stderr, and exit 70 (internal error) at the end instead of dying half-way with nothing written.
  // Written through the guarded stderr: a bug report about a closed stderr must not raise the next error.
  let bug: unknown = null;
  const onBug = (err: unknown) => {
    bug ??= err;
    io.stderr.write(`vouch: internal error (continuing to write the report): ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  };
  process.on('unhandledRejection', onBug).on('uncaughtException', onBug);
  const code = await main(process.argv.slice(2), io, controller.signal);
  // A write that failed with EPIPE reports it on a later tick: let it arrive before the exit code is chosen.
  await new Promise((settled) => setImmediate(settled));
  // A closed output outranks the scan's verdict (it was cut short or never delivered); a signal that arrived after
  // the scan had finished changes nothing.
  process.exitCode = outputClosed ? EXIT.outputClosed : bug === null ? code : EXIT.internal;
  // Whatever still holds the event loop (a socket a peer keeps open) must not keep a finished run alive.
  setTimeout(() => process.exit(), 2_000).unref();
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (invokedDirectly) await runFromShell();
