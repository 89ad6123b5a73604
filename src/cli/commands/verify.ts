import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { verifyReportFile } from '../../compliance/verify-file.ts';
import { ExitError } from '../../core/errors.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';

const cannotRead = (what: string, path: string, err: unknown) =>
  new ExitError(EXIT.usage, `${what} ${path}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);

/**
 * `vouch verify REPORT [--key PUB]`: the digest matches the content, and with a key, the Ed25519 signature holds.
 * The report is streamed (src/compliance/verify-file.ts), so a report of any size verifies in bounded memory.
 */
export async function verifyCommand(path: string, options: { key?: string }, io: CliIo): Promise<number> {
  let key: string | undefined;
  if (options.key) {
    try {
      key = await readFile(resolve(io.cwd, options.key), 'utf8');
    } catch (err) {
      throw cannotRead('key', options.key, err);
    }
  }
  let outcome;
  try {
    outcome = await verifyReportFile(resolve(io.cwd, path), key);
  } catch (err) {
    throw cannotRead('report', path, err);
  }
  if (outcome.ok) {
    io.stdout.write(`${path}: OK: digest ${outcome.digest}${key ? ', signature valid' : outcome.signed ? ' (signed; give --key to check the signature)' : ' (not signed)'}\n`);
    return EXIT.ok;
  }
  io.stdout.write(`${path}: FAILED\n${outcome.problems.map((p) => `  - ${p}\n`).join('')}`);
  return EXIT.failed;
}
