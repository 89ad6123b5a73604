import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { verifyReport } from '../../compliance/integrity.ts';
import { ExitError } from '../../core/errors.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';

const read = async (path: string, cwd: string, what: string) => {
  try {
    return await readFile(resolve(cwd, path), 'utf8');
  } catch (err) {
    throw new ExitError(EXIT.usage, `${what} ${path}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
};

/** `vouch verify REPORT [--key PUB]`: the digest matches the content, and with a key, the Ed25519 signature holds. */
export async function verifyCommand(path: string, options: { key?: string }, io: CliIo): Promise<number> {
  const text = await read(path, io.cwd, 'report');
  const key = options.key ? await read(options.key, io.cwd, 'key') : undefined;
  const outcome = verifyReport(text, key);
  if (outcome.ok) {
    io.stdout.write(`${path}: OK: digest ${outcome.digest}${key ? ', signature valid' : outcome.signed ? ' (signed; give --key to check the signature)' : ' (not signed)'}\n`);
    return EXIT.ok;
  }
  io.stdout.write(`${path}: FAILED\n${outcome.problems.map((p) => `  - ${p}\n`).join('')}`);
  return EXIT.failed;
}
