import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/**
 * Colour only for a person at a terminal: stdout is a TTY, `--no-color` was not given, `NO_COLOR` is unset or empty
 * (no-color.org: any non-empty value disables it) and the terminal is not `dumb`. A file, a pipe or a cron mail
 * never gets escape sequences.
 */
export function colourWanted(options: { readonly flag: boolean; readonly isTTY: boolean; readonly env: NodeJS.ProcessEnv }): boolean {
  const { flag, isTTY, env } = options;
  return flag && isTTY && !env['NO_COLOR'] && env['TERM'] !== 'dumb';
}

const RED = 31;
const GREEN = 32;
const YELLOW = 33;
const MAGENTA = 35;
const CYAN = 36;
const DIM = 2;

/** The status words of the text report and the recap (reports/text.ts labels), and their colours. */
const WORD_COLOURS: Readonly<Record<string, number>> = {
  PASS: GREEN, WARN: YELLOW, FAIL: RED, ERROR: MAGENTA, SKIP: DIM, WAIVED: CYAN,
  'MET': GREEN, 'MET*': YELLOW, 'NOT MET': RED, 'UNVERIFIED': MAGENTA, 'NOT ASSESSED': DIM,
  'ATTESTED': GREEN, 'UNATTESTED': YELLOW, 'EXPIRED': RED,
};

/**
 * A status word where the text report puts one: at the start of a line, after two spaces, followed by two spaces
 * (the column gap) or the end of the line. Longer alternatives first (`NOT MET` before `MET`). Report lines never
 * hold control characters of their own (the writer replaces them), so these escapes are the only ones.
 */
const STATUS_WORD = new RegExp(`^  (${Object.keys(WORD_COLOURS).sort((a, b) => b.length - a.length).map((w) => w.replace(/\*/g, '\\*')).join('|')})(?=  |$)`, 'gm');

/** Colours every status word in complete lines of text. */
export function colourStatusWords(text: string): string {
  return text.replace(STATUS_WORD, (_match, word: string) => `  \x1b[${WORD_COLOURS[word]}m${word}\x1b[0m`);
}

/**
 * Text written in chunks of any size, coloured line by line: a chunk's unfinished last line waits for the rest, so a
 * status word split across chunks is still found. Linear in the text; holds at most one line.
 */
export class LineColourer {
  #pending = '';

  push(chunk: string): string {
    const text = this.#pending + chunk;
    const end = text.lastIndexOf('\n') + 1;
    this.#pending = text.slice(end);
    return end === 0 ? '' : colourStatusWords(text.slice(0, end));
  }

  /** The last line, if the text did not end with a newline. */
  flush(): string {
    const rest = this.#pending;
    this.#pending = '';
    return rest === '' ? '' : colourStatusWords(rest);
  }
}

/**
 * `target` behind a LineColourer, with back-pressure: a write waits for the target to drain (or close, when its
 * reader went away). `end()` writes the unfinished last line.
 */
export function colouredOutput(target: NodeJS.WritableStream): Writable {
  const colourer = new LineColourer();
  const decoder = new StringDecoder('utf8'); // a character split across two Buffer chunks stays whole
  const forward = (text: string, done: (error?: Error | null) => void) => {
    if (text === '' || target.write(text)) return done();
    const settle = () => {
      target.off('drain', settle);
      target.off('close', settle);
      done();
    };
    target.once('drain', settle);
    target.once('close', settle);
  };
  return new Writable({
    decodeStrings: false,
    write(chunk: Buffer | string, _encoding, done) {
      forward(colourer.push(typeof chunk === 'string' ? chunk : decoder.write(chunk)), done);
    },
    final(done) {
      forward(colourer.push(decoder.end()) + colourer.flush(), done);
    },
  });
}

/** Standard output under `--quiet`: the text summary and the "Reports:" line go nowhere (the recap is written past it). */
export function discardedOutput(): Writable {
  return new Writable({ write(_chunk, _encoding, done) { done(); } });
}
