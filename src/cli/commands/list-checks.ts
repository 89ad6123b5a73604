import { ALL_CHECKS } from '../../../checks/index.ts';
import type { Check } from '../../core/check.ts';
import type { CliIo } from '../io.ts';

/** `vouch checks`: every check with its id, scope, what it needs, the promises it evidences and its title. */
export function listChecksCommand(options: { json: boolean }, io: CliIo, checks: readonly Check[] = ALL_CHECKS): number {
  if (options.json) {
    const rows = checks.map((c) => ({ id: c.id, title: c.title, scope: c.scope, needs: c.needs, promises: c.promises, remediation: c.remediation, references: c.references ?? [] }));
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const idWidth = Math.max(...checks.map((c) => c.id.length));
  const lines = checks.map((c) =>
    `${c.id.padEnd(idWidth)}  ${c.scope.padEnd(6)}  ${c.needs.join('+').padEnd(8)}  ${c.promises.join(',').padEnd(26)}  ${c.title}`);
  io.stdout.write(`${'ID'.padEnd(idWidth)}  SCOPE   NEEDS     PROMISES                    TITLE\n${lines.join('\n')}\n`);
  return 0;
}
