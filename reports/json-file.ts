import { createReadStream } from 'node:fs';
import { DOMAIN_INDENT, DOMAINS_CLOSE, DOMAINS_OPEN } from './json.ts';

/**
 * Reading a JSON report in the writer's line layout (reports/json.ts) a line at a time, in bounded memory: the
 * header, then each domain entry's bytes and where they are in the file, then the tail (the members known only at
 * the end, and the seal). Anything else (another
 * layout, a hand-edited file, schema 1) is `NotInLayout`, and the caller falls back to reading the file whole.
 */
export class NotInLayout extends Error {}

/** One piece of a report file in the writer's layout, in file order. */
export type LayoutPart =
  | { readonly kind: 'header'; readonly value: Record<string, unknown> }
  /** The entry's JSON text (indent and comma removed), valid only until the next part is asked for. */
  | { readonly kind: 'domain'; readonly bytes: Buffer; readonly offset: number }
  /**
   * Everything after the domains: the members known only at the end of the scan (reports/json.ts LATE_MEMBERS;
   * none in a file written before they moved there) and the seal, `digest` and `signature`, each possibly absent.
   */
  | { readonly kind: 'tail'; readonly value: Record<string, unknown> };

/** Past this the header or the tail is not the writer's (they hold checks, promises and waivers only). */
const PART_LIMIT = 64 * 1024 * 1024;
const RESERVED = ['domains', 'digest', 'signature'];

type Line = { readonly bytes: Buffer; readonly offset: number };

/**
 * Past this a line is not the writer's: a domain entry holds one domain's results and facts. Checked while the line
 * is still being read, so a file that is one long line (`jq -c` output) is given up on without holding all of it.
 */
const LINE_LIMIT = 256 * 1024 * 1024;

/** The file's lines without their `\n`, each with its byte offset; a line's buffer is valid until the next is asked for. */
async function* lines(path: string): AsyncGenerator<Line> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  let pieces: Buffer[] = [];
  let pending = 0;
  let start = 0;
  let position = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let from = 0;
      for (let nl = chunk.indexOf(10, from); nl !== -1; nl = chunk.indexOf(10, from)) {
        const part = chunk.subarray(from, nl);
        yield { bytes: pieces.length === 0 ? part : Buffer.concat([...pieces, part]), offset: start };
        pieces = [];
        pending = 0;
        from = nl + 1;
        start = position + from;
      }
      if (from < chunk.length) {
        pieces.push(chunk.subarray(from));
        pending += chunk.length - from;
        if (pending > LINE_LIMIT) throw new NotInLayout('a line too long');
      }
      position += chunk.length;
    }
    if (pieces.length > 0) yield { bytes: Buffer.concat(pieces), offset: start };
  } finally {
    stream.destroy();
  }
}

function parseObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new NotInLayout('a part does not parse');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new NotInLayout('a part is not an object');
  return value as Record<string, unknown>;
}

const OPEN = Buffer.from(DOMAINS_OPEN);
const CLOSE = Buffer.from(DOMAINS_CLOSE);
const CLOSE_COMMA = Buffer.from(`${DOMAINS_CLOSE},`);
const INDENT = Buffer.from(`${DOMAIN_INDENT}{`);
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;

/**
 * The parts of a report file in the writer's layout. Throws NotInLayout as soon as the file departs from it, also
 * when a piece would mean something else read as part of the whole text (a reserved key in the header, a member
 * both before and after the domains, "domains" again after them, a missing or extra comma), so that a file read this way means exactly what
 * JSON.parse of the whole would make of it. Entries are not parsed here: the caller parses what it needs.
 */
export async function* readLayout(path: string): AsyncGenerator<LayoutPart> {
  const it = lines(path);
  try {
    const first = await it.next();
    if (first.done || first.value.bytes.toString('utf8') !== '{') throw new NotInLayout('first line is not {');
    const header: string[] = ['{'];
    let size = 0;
    for (;;) {
      const next = await it.next();
      if (next.done) throw new NotInLayout('no domains line');
      if (next.value.bytes.equals(OPEN)) break;
      const text = next.value.bytes.toString('utf8');
      size += text.length;
      if (size > PART_LIMIT) throw new NotInLayout('header too large');
      header.push(text);
    }
    const last = header.length - 1;
    let headerKeys: readonly string[] = [];
    if (last === 0) yield { kind: 'header', value: {} };
    else {
      if (!header[last]!.endsWith(',')) throw new NotInLayout('no comma before the domains');
      header[last] = header[last]!.slice(0, -1);
      const value = parseObject(`${header.join('\n')}\n}`);
      if (RESERVED.some((key) => Object.hasOwn(value, key))) throw new NotInLayout('reserved key in the header');
      headerKeys = Object.keys(value);
      yield { kind: 'header', value };
    }
    header.length = 0;
    let closedWithComma = false;
    let previousHadComma: boolean | null = null;
    for (;;) {
      const next = await it.next();
      if (next.done) throw new NotInLayout('domains not closed');
      const { bytes, offset } = next.value;
      if (bytes.equals(CLOSE) || bytes.equals(CLOSE_COMMA)) {
        if (previousHadComma === true) throw new NotInLayout('comma after the last domain');
        closedWithComma = bytes.length === CLOSE_COMMA.length;
        break;
      }
      if (previousHadComma === false) throw new NotInLayout('no comma between domains');
      if (!bytes.subarray(0, INDENT.length).equals(INDENT)) throw new NotInLayout('not a domain line');
      previousHadComma = bytes[bytes.length - 1] === COMMA;
      const end = bytes.length - (previousHadComma ? 1 : 0);
      if (bytes[end - 1] !== CLOSE_BRACE) throw new NotInLayout('a domain line does not end its object');
      yield { kind: 'domain', bytes: bytes.subarray(DOMAIN_INDENT.length, end), offset: offset + DOMAIN_INDENT.length };
    }
    const tail: string[] = ['{'];
    let tailSize = 0;
    for (let next = await it.next(); !next.done; next = await it.next()) {
      const text = next.value.bytes.toString('utf8');
      tailSize += text.length;
      if (tailSize > PART_LIMIT) throw new NotInLayout('tail too large');
      tail.push(text);
    }
    // `  ]` without a comma must be followed by the closing brace alone (and blank lines): a report without a seal.
    if (!closedWithComma && (tail[1] !== '}' || tail.slice(2).some((text) => text.trim() !== ''))) {
      throw new NotInLayout('more after the domains without a comma');
    }
    const value = closedWithComma ? parseObject(tail.join('\n')) : {};
    if (Object.hasOwn(value, 'domains')) throw new NotInLayout('"domains" again after the domains');
    if (headerKeys.some((key) => Object.hasOwn(value, key))) throw new NotInLayout('a member both before and after the domains');
    yield { kind: 'tail', value };
  } finally {
    await it.return(undefined);
  }
}
