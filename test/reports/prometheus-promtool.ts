import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's `prometheus` package puts promtool here; `.ci/run` installs it. */
export const PROMTOOL = '/usr/bin/promtool';
export const HAVE_PROMTOOL = existsSync(PROMTOOL);
/** Appended to a describe title, so a skipped run says why. */
export const PROMTOOL_NOTE = HAVE_PROMTOOL ? PROMTOOL : `${PROMTOOL} is not installed: skipped (Debian package prometheus)`;

/**
 * `promtool check metrics` on `text` (its stdin): the parser's errors and the linter's problems both come out as
 * text, and the exit code is 0 only when there are none (1 for a parse error, 3 for lint problems).
 */
export function promtoolCheck(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PROMTOOL, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}
