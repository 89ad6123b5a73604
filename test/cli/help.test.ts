import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT, EXIT_HELP } from '../../src/cli/exit-codes.ts';
import { DEFAULT_PROBE_SETTINGS } from '../../src/config/defaults.ts';
import { runCli } from '../support/cli.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const CONFIG_DOC = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
/** The README's table of `scan` options: the rows between its heading and the next blank line. */
const OPTIONS_TABLE = README.slice(README.indexOf('### Command-line options of `scan`')).split('\n\n')[1] ?? '';

describe('the help text, the README and the configuration reference agree', () => {
  it('every `vouch scan` option in --help is in the README\'s table (and the table is found)', async () => {
    const help = (await runCli(['scan', '--help'])).stdout;
    const flags = [...help.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]!).filter((f) => f !== '--help');
    expect(flags).toEqual(expect.arrayContaining(['--input', '--quiet', '--no-color', '--concurrency', '--log-level']));
    expect(flags.filter((f) => !OPTIONS_TABLE.includes(`\`${f}`) && !OPTIONS_TABLE.includes(`, ${f}`))).toEqual([]);
  });

  it('the default concurrency is "domains in flight" everywhere, with the one default', async () => {
    const n = DEFAULT_PROBE_SETTINGS.domainsInFlight;
    // Commander wraps help at the terminal's width: compared with runs of white space as one space.
    expect((await runCli(['scan', '--help'])).stdout.replace(/\s+/g, ' ')).toContain(`domains in flight (default ${n}; config concurrency.domains)`);
    expect(OPTIONS_TABLE).toContain(`| \`--concurrency N\` | domains in flight (default ${n}; config \`concurrency.domains\`)`);
    expect(CONFIG_DOC).toMatch(new RegExp(`\\| \`concurrency\\.domains\` \\|[^\\n]*\\| \`${n}\` \\| Domains in flight`));
  });

  it('every exit code is explained in --help and in the README', () => {
    const table = README.slice(README.indexOf('### Exit codes'));
    for (const code of Object.values(EXIT)) {
      expect(EXIT_HELP).toMatch(new RegExp(`^ {2}${code} +\\S`, 'm'));
      expect(table).toMatch(new RegExp(`^\\| ${code} \\| \\S`, 'm'));
    }
  });
});
