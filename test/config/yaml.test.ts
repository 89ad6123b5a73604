import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateCommand } from '../../src/cli/commands/validate.ts';
import { invalidUtf8Offsets, loadConfigFile, parseConfigText } from '../../src/config/load.ts';
import { ExitError } from '../../src/core/errors.ts';
import { Capture } from '../support/cli.ts';
import { seededRandom as prng } from '../support/prng.ts';

const dir = await mkdtemp(join(tmpdir(), 'vouch-yaml-'));
// The example names files beside it (its domainsFile, its promise catalogue): its copies here need them too.
for (const name of ['domains.txt', 'promises.yaml', 'root-anchors.txt']) await copyFile(new URL(`../../examples/${name}`, import.meta.url), join(dir, name));
let n = 0;
async function file(content: string | Uint8Array): Promise<string> {
  const path = join(dir, `c${n++}.yaml`);
  await writeFile(path, content);
  return path;
}
const BIN = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;
const EXAMPLE = await readFile(new URL('../../examples/vouch.yaml', import.meta.url));

describe('every YAML problem is a configuration error with file, line and column', () => {
  const bomb = ['a: &a [x,x,x,x,x,x,x,x,x]', ...'bcdef'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdef'[i]}`).join(',')}]`), 'domains: [*f]'].join('\n');
  it.each([
    ['an unresolved alias', 'domains: [a.example, *nope]\n', ':1:22: alias *nope has no anchor &nope before it'],
    ['an alias bomb (billion laughs)', bomb, ':2:8: aliases expand to more than 100 copies'],
    ['a duplicate key', 'domains: [a.example]\nresolvers: []\ndomains: [b.example]\n', ':3:1: duplicate key'],
    ['a tab as indentation', 'domains:\n\t- a.example\n', ':2:1: Tabs are not allowed as indentation'],
    ['a list at the top level', '- a.example\n', ':1:1: a configuration is a mapping of keys'],
    ['a single value at the top level', 'a.example\n', ':1:1: a configuration is a mapping of keys'],
    ['several documents', 'domains: [a.example]\n---\ndomains: [b.example]\n', ':2:1: more than one YAML document'],
    ['an unknown tag', 'domains: !!binary [a.example]\n', ':1:10: '],
    ['a collection as a key', 'domains: [a.example]\n? [x]\n: 1\n', ':2:3: a key must be a plain word or string'],
    ['invalid UTF-8', Buffer.concat([Buffer.from('domains: [a'), Buffer.from([0xff]), Buffer.from('.example]\n')]), ':1:12: invalid UTF-8 (byte 0xff)'],
    ['an overlong UTF-8 encoding', Buffer.concat([Buffer.from('x: 1\ndomains: ['), Buffer.from([0xc0, 0xaf]), Buffer.from(']\n')]), ':2:11: invalid UTF-8 (byte 0xc0)'],
    ['UTF-16', Buffer.from('\ufeffdomains: [a.example]\n', 'utf16le'), ':1:1: the file is UTF-16 encoded'],
  ])('%s', async (_what, content, expected) => {
    const path = await file(content);
    const result = await loadConfigFile(path);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join('\n')).toContain(`${path}${expected}`);
  });

  it('lists every syntax problem the parser reports, at once', async () => {
    const path = await file('domains: [a.example\nresolvers: [\nx: {\n');
    const result = await loadConfigFile(path);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems.length).toBeGreaterThan(1);
      for (const p of result.problems) expect(p).toMatch(new RegExp(`^${path}:\\d+:\\d+: `));
    }
  });

  it('accepts anchors and aliases used sensibly, and a UTF-8 byte-order mark', async () => {
    const path = await file('\ufeffdefaults: &d { mail: false }\ndomains: [{ name: a.example, web: true }]\nthresholds: { certExpiryWarnDays: 30 }\nx-unused: *d\n');
    const result = await loadConfigFile(path);
    // The alias resolves; what remains is an ordinary unknown-key problem from validation, not a YAML problem.
    expect(result.ok ? [] : result.problems).toHaveLength(1);
    expect(result.ok ? '' : result.problems[0]).toMatch(new RegExp(`^${path}: x-unused: unknown key`));
  });

  it('finds invalid UTF-8 byte sequences (RFC 3629 section 4)', () => {
    const bytes = (...b: number[]) => Uint8Array.from(b);
    expect(invalidUtf8Offsets(new TextEncoder().encode('plain ascii, é, €, 😀'), 5)).toEqual([]);
    expect(invalidUtf8Offsets(bytes(0x61, 0x80, 0x62), 5)).toEqual([1]); // lone continuation byte
    expect(invalidUtf8Offsets(bytes(0xe2, 0x82), 5)).toEqual([0]); // truncated sequence
    expect(invalidUtf8Offsets(bytes(0xed, 0xa0, 0x80), 5)[0]).toBe(0); // a UTF-16 surrogate
    expect(invalidUtf8Offsets(bytes(0xf4, 0x90, 0x80, 0x80), 5)[0]).toBe(0); // above U+10FFFF
  });
});


const TOKENS = ['*a', '*anchor', '&a ', '&anchor ', ': ', '\t', '- ', '? ', '!!str ', '!x ', '---\n', '...\n', '[', ']', '{', '}',
  '"', "'", '#', '|\n', '>\n', '\n', '  ', '&a [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', '<<: ', '%YAML 1.1\n', '~', '0x1F', '1e99'];
const BAD_BYTES = [[0xff], [0xfe], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0x00], [0x1b], [0xef, 0xbb, 0xbf]];

/** One to four random edits of the example: byte flips, deletions, duplicated or dropped lines, YAML tokens, bad bytes. */
function mutate(source: Uint8Array, random: () => number): Uint8Array {
  let bytes = Buffer.from(source);
  const pick = (max: number) => Math.floor(random() * max);
  for (let edits = 1 + pick(4); edits > 0; edits--) {
    const at = pick(bytes.length + 1);
    switch (pick(6)) {
      case 0: {
        const i = Math.min(at, bytes.length - 1);
        if (i >= 0) bytes[i] = bytes[i]! ^ (1 << pick(8));
        break;
      }
      case 1: bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + 1 + pick(40)))]); break;
      case 2: {
        const lines = bytes.toString('latin1').split('\n');
        const i = pick(lines.length);
        if (random() < 0.5) lines.splice(i, 0, lines[i] ?? '');
        else lines.splice(i, 1);
        bytes = Buffer.from(lines.join('\n'), 'latin1');
        break;
      }
      case 3: case 4: bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(TOKENS[pick(TOKENS.length)]!), bytes.subarray(at)]); break;
      default: bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(BAD_BYTES[pick(BAD_BYTES.length)]!), bytes.subarray(at)]);
    }
  }
  return bytes;
}

describe('random mutations of examples/vouch.yaml (property: valid, or a configuration error; never a crash)', () => {
  const SEED = 0x5eed8;
  const random = prng(SEED);
  const cases = Array.from({ length: 400 }, () => mutate(EXAMPLE, random));

  it('the unmutated example is valid', async () => {
    const stdout = new Capture();
    expect(await validateCommand(await file(EXAMPLE), { stdout, stderr: new Capture(), cwd: dir })).toBe(0);
  });

  it('in-process through the function `vouch validate` calls: 0 or ExitError 64, and parseConfigText never throws', async () => {
    const outcomes = { valid: 0, invalid: 0 };
    for (const [i, bytes] of cases.entries()) {
      const path = await file(bytes);
      expect(() => parseConfigText(bytes, path)).not.toThrow();
      try {
        expect(await validateCommand(path, { stdout: new Capture(), stderr: new Capture(), cwd: dir })).toBe(0);
        outcomes.valid++;
      } catch (err) {
        if (!(err instanceof ExitError) || err.exitCode !== 64) {
          throw new Error(`mutation ${i} (seed ${SEED}) crashed validate: ${err instanceof Error ? err.stack : String(err)}\n--- input:\n${Buffer.from(bytes).toString('latin1')}`);
        }
        expect(err.message).toMatch(/^invalid configuration .+: \d+ problems?\n {2}- /);
        outcomes.invalid++;
      }
    }
    // The mutator must exercise both sides of the property.
    expect(outcomes.valid).toBeGreaterThan(5);
    expect(outcomes.invalid).toBeGreaterThan(100);
  }, 120_000);

  it('through the built binary: exit 0 or 64, no stack trace', async () => {
    for (const bytes of cases.slice(0, 10)) {
      const path = await file(bytes);
      const run = await new Promise<{ code: number; stderr: string }>((resolveRun) => {
        execFile(process.execPath, [BIN, 'validate', path], { timeout: 20_000 }, (err, _stdout, stderr) => {
          resolveRun({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr });
        });
      });
      expect([0, 64], `${path}: ${run.stderr}`).toContain(run.code);
      expect(run.stderr).not.toMatch(/^\s+at /m);
    }
  }, 120_000);
});
