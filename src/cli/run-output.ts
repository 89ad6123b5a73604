import type { Config } from '../config/config.ts';
import { colouredOutput, colourStatusWords, colourWanted, discardedOutput } from './colour.ts';
import type { CliIo } from './io.ts';
import { Recap, type RecapStatus } from './recap.ts';

/** How the operator asked a run to talk: `--quiet`, `--no-color`, `--fail-on`. */
export type TerminalOptions = { readonly quiet: boolean; readonly colour: boolean; readonly failOn: 'fail' | 'warn' };

/** Where a run's human-facing output goes, and the recap it prints after the results. */
export type RunOutput = {
  /** What the reports write through: stdout with its status words coloured on a terminal, or nothing under --quiet. */
  readonly io: CliIo;
  readonly recap: Recap;
  /** After the reports: the coloured stdout flushed, then the recap where the summary went. */
  finish(): Promise<void>;
};

/**
 * The text summary on stdout (always with --out; without, when text is the format asked for) is what --quiet drops
 * and colour marks; the recap follows it. A machine-readable report on stdout (`-f json` without --out) is the
 * product, never dropped or coloured: its recap goes to stderr.
 */
export function runOutput(io: CliIo, config: Pick<Config, 'output' | 'targets'>, options: TerminalOptions): RunOutput {
  const textOnStdout = config.output.dir !== null || config.output.stdoutFormat === 'text';
  const recapTo = textOnStdout ? io.stdout : io.stderr;
  const env = io.env ?? process.env;
  const colour = colourWanted({ flag: options.colour, isTTY: recapTo.isTTY === true, env });
  const stdout = !textOnStdout ? null : options.quiet ? discardedOutput() : colour ? colouredOutput(io.stdout) : null;
  // Built field by field: spreading `io` would read its lazy `stdin` (processIo opens the handle on access).
  const through: CliIo = stdout ? { stdout, stderr: io.stderr, cwd: io.cwd, env } : io;
  const order = new Map(config.targets.map((t, i) => [t.domain, i]));
  const statuses: RecapStatus[] = options.failOn === 'warn' ? ['fail', 'warn', 'error'] : ['fail', 'error'];
  const recap = new Recap({ orderOf: (domain) => order.get(domain) ?? order.size, statuses });
  return {
    io: through,
    recap,
    async finish() {
      if (stdout) await new Promise<void>((done) => stdout.end(done));
      const text = recap.text();
      recapTo.write(`\n${colour ? colourStatusWords(text) : text}`);
    },
  };
}

/**
 * Several formats on the command line without an output directory: only the first can go to stdout (several would
 * be interleaved there), so the others are not written. Said, not refused: `-f json,html` in a one-off pipe still
 * gives its JSON. Null when there is nothing to say.
 */
export function formatsWarning(asked: readonly string[], output: Pick<Config['output'], 'dir'>): string | null {
  if (output.dir !== null || asked.length < 2) return null;
  const [first, ...rest] = asked;
  return `without --out only the first format (${first}) is written, to stdout; not written: ${rest.join(', ')} (give --out DIR to write every format)`;
}
