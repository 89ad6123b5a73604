import type { CliIo } from '../io.ts';
import { prepareScan } from './prepare.ts';

/** `vouch validate FILE`: everything `scan` checks before it sends a packet, and nothing more. */
export async function validateCommand(path: string, io: CliIo): Promise<number> {
  const { config, checks } = await prepareScan(path, {}, io.cwd);
  const web = config.targets.filter((t) => t.web).length;
  const mail = config.targets.filter((t) => t.mail).length;
  io.stdout.write(`${path}: valid: ${config.targets.length} domains (${web} web, ${mail} mail), ${checks.length} checks, ` +
    `formats ${config.output.formats.join(',')}${config.output.dir ? ` into ${config.output.dir}` : ''}\n` +
    `digest ${config.digest}\n`);
  return 0;
}
