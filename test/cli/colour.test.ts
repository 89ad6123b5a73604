import { describe, expect, it } from 'vitest';
import { colouredOutput, colourStatusWords, colourWanted, LineColourer } from '../../src/cli/colour.ts';
import { Capture } from '../support/cli.ts';

describe('colourWanted', () => {
  it.each([
    [{ flag: true, isTTY: true, env: {} }, true],
    [{ flag: true, isTTY: true, env: { NO_COLOR: '' } }, true], // no-color.org: only a non-empty value counts
    [{ flag: true, isTTY: true, env: { NO_COLOR: '1' } }, false],
    [{ flag: true, isTTY: true, env: { NO_COLOR: 'false' } }, false],
    [{ flag: true, isTTY: true, env: { TERM: 'dumb' } }, false],
    [{ flag: false, isTTY: true, env: {} }, false], // --no-color
    [{ flag: true, isTTY: false, env: {} }, false], // a file, a pipe, a cron mail
  ])('%j -> %s', (options, wanted) => {
    expect(colourWanted(options)).toBe(wanted);
  });
});

const RED = '\x1b[31m';
const RESET = '\x1b[0m';

describe('colourStatusWords', () => {
  it('colours the status column of the text report and the recap, and nothing else', () => {
    const text = [
      'Vouch 0.1.0 scan r (FAIL in a title is not a status)',
      '  NOT MET       transport-encryption  TLS',
      '  MET*          mail-auth             Mail',
      'example.nl',
      '  FAIL    http.hsts  FAIL is in the summary too',
      '  ERROR   tls.versions  timeout: no answer',
      '  PASS',
      '   FAIL   three spaces: not the status column',
      '  FAILED  not a status word',
    ].join('\n');
    expect(colourStatusWords(text).split('\n')).toEqual([
      'Vouch 0.1.0 scan r (FAIL in a title is not a status)',
      `  ${RED}NOT MET${RESET}       transport-encryption  TLS`,
      '  \x1b[33mMET*\x1b[0m          mail-auth             Mail',
      'example.nl',
      `  ${RED}FAIL${RESET}    http.hsts  FAIL is in the summary too`,
      '  \x1b[35mERROR\x1b[0m   tls.versions  timeout: no answer',
      '  \x1b[32mPASS\x1b[0m',
      '   FAIL   three spaces: not the status column',
      '  FAILED  not a status word',
    ]);
  });

  it('finds a status word split across chunks (LineColourer holds the unfinished line)', () => {
    const colourer = new LineColourer();
    const out = [colourer.push('a.nl\n  FA'), colourer.push('IL    x.y  no'), colourer.push(' HSTS\n  PASS  '), colourer.flush()].join('');
    expect(out).toBe(`a.nl\n  ${RED}FAIL${RESET}    x.y  no HSTS\n  \x1b[32mPASS\x1b[0m  `);
  });

  it('colouredOutput writes through to its target, the last unfinished line on end()', async () => {
    const target = new Capture();
    const out = colouredOutput(target);
    out.write('x.nl\n  FAIL  ');
    // "é" is c3 a9 in UTF-8: split between two Buffer chunks, it must arrive whole.
    out.write(Buffer.concat([Buffer.from('a.b  caf'), Buffer.from([0xc3])]));
    await new Promise<void>((done) => out.end(Buffer.concat([Buffer.from([0xa9]), Buffer.from('\n  WARN')]), done));
    expect(target.text).toBe(`x.nl\n  ${RED}FAIL${RESET}  a.b  caf\u00e9\n  \x1b[33mWARN\x1b[0m`);
  });
});
