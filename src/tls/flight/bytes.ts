/**
 * Byte plumbing for the server-flight reader: a queue that copies each byte O(1) times whatever the chunking, a
 * bounds-checked cursor over one message, and the parse error the parsers throw (caught by the reader, never by a
 * caller: the reader's API is total).
 */

/** A problem in the bytes, at `at` (relative to what the thrower was reading; the reader maps it to the stream). */
export class ParseError extends Error {
  readonly problem: string;
  readonly at: number;
  constructor(problem: string, at: number) {
    super(problem);
    this.problem = problem;
    this.at = at;
  }
}

/** A FIFO of Buffers. `take(n)` concatenates only the chunks it needs, so feeding N bytes costs O(N) in total. */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private head = 0; // index of the first live chunk
  private size = 0;

  get length(): number { return this.size; }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** The first n bytes without consuming them, or null when fewer are buffered. Copies at most n bytes. */
  peek(n: number): Buffer | null {
    if (this.size < n) return null;
    const first = this.chunks[this.head]!;
    if (first.length >= n) return first.subarray(0, n);
    const parts: Buffer[] = [];
    let got = 0;
    for (let i = this.head; got < n; i++) {
      const chunk = this.chunks[i]!;
      const part = chunk.length > n - got ? chunk.subarray(0, n - got) : chunk;
      parts.push(part);
      got += part.length;
    }
    return Buffer.concat(parts, n);
  }

  /** Removes and returns the first n bytes, or null (consuming nothing) when fewer are buffered. */
  take(n: number): Buffer | null {
    if (this.size < n) return null;
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      const chunk = this.chunks[this.head]!;
      if (chunk.length <= n - got) {
        parts.push(chunk);
        got += chunk.length;
        this.head++;
      } else {
        parts.push(chunk.subarray(0, n - got));
        this.chunks[this.head] = chunk.subarray(n - got);
        got = n;
      }
    }
    this.size -= n;
    if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, n);
  }
}

/** A bounds-checked reader over one message body; every read names the field it reads, for the error message. */
export class Cursor {
  readonly buf: Buffer;
  readonly what: string;
  at = 0;

  constructor(buf: Buffer, what: string) {
    this.buf = buf;
    this.what = what;
  }

  get left(): number { return this.buf.length - this.at; }

  fail(problem: string, at = this.at): never {
    throw new ParseError(`${this.what}: ${problem}`, at);
  }

  private need(n: number, field: string): void {
    if (this.left < n) this.fail(`${field} needs ${n} byte${n === 1 ? '' : 's'}, ${this.left} left`);
  }

  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.at++]!;
  }

  u16(field: string): number {
    this.need(2, field);
    const value = this.buf.readUInt16BE(this.at);
    this.at += 2;
    return value;
  }

  u24(field: string): number {
    this.need(3, field);
    const value = this.buf.readUIntBE(this.at, 3);
    this.at += 3;
    return value;
  }

  bytes(n: number, field: string): Buffer {
    this.need(n, field);
    const value = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return value;
  }

  /** A TLS vector `opaque field<min..max>` with a 1-, 2- or 3-byte length prefix (RFC 5246 4.3). */
  vector(prefix: 1 | 2 | 3, field: string, min = 0, max = 2 ** (8 * prefix) - 1): Buffer {
    const start = this.at;
    const length = prefix === 1 ? this.u8(`${field} length`) : prefix === 2 ? this.u16(`${field} length`) : this.u24(`${field} length`);
    if (length < min || length > max) this.fail(`${field} length ${length} outside ${min}..${max}`, start);
    if (length > this.left) this.fail(`${field} length ${length} exceeds the ${this.left} bytes left`, start);
    return this.bytes(length, field);
  }

  /** RFC 5246 4.3 and 7.4: a message ends where its fields end; anything after them is an error. */
  end(): void {
    if (this.left > 0) this.fail(`${this.left} trailing byte${this.left === 1 ? '' : 's'}`);
  }
}

export const hex = (buf: Buffer): string => buf.toString('hex');

/** Bit length of a big-endian unsigned integer (leading zero bits not counted). */
export function bitLength(buf: Buffer): number {
  let i = 0;
  while (i < buf.length && buf[i] === 0) i++;
  if (i === buf.length) return 0;
  return (buf.length - i - 1) * 8 + buf[i]!.toString(2).length;
}

/** A short printable rendering of bytes, for problems such as "not a TLS reply: starts with ...". */
export function printable(buf: Buffer): string {
  return `${buf.toString('hex')} "${buf.toString('latin1').replace(/[^\x20-\x7e]/g, '.')}"`;
}

/** A ParseError from a nested cursor, re-anchored at `offset` of the enclosing message; other errors unchanged. */
export function reanchor(error: unknown, offset: number): unknown {
  return error instanceof ParseError ? new ParseError(error.problem, offset) : error;
}
