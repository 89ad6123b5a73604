import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.ts';

/** Collects what a stream receives, as text. */
export class Capture extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

export type CliRun = { code: number; stdout: string; stderr: string };

/** Runs the CLI in-process, exactly as the binary does, and returns its exit code and output. */
export async function runCli(args: readonly string[], options: { cwd?: string; signal?: AbortSignal } = {}): Promise<CliRun> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(args, { stdout, stderr, cwd: options.cwd ?? process.cwd() }, options.signal);
  return { code, stdout: stdout.text, stderr: stderr.text };
}
