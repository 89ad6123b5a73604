import { nameToWire, type Name } from './name.ts';
import { RDATA_NAMES, TYPE, type RdataField } from './rr-types.ts';

/**
 * DNS messages on the wire (RFC 1035 4.1), kept as raw records: DNSSEC signs RDATA octets, so records are not turned
 * into objects and back. Names inside RDATA are decompressed on reading, so every record's RDATA stands alone.
 * Pure and total: any bytes give a message or an error string (test/dnssec/message.test.ts feeds random bytes).
 */

/** One resource record; `rdata` is uncompressed and in the case received. */
export type Rr = {
  readonly owner: Name; readonly type: number; readonly class: number; readonly ttl: number; readonly rdata: Buffer;
};

export type Question = { readonly name: Name; readonly type: number; readonly class: number };

/** RFC 6891 6.1.3: what the OPT pseudo-record says. */
export type Edns = { readonly udpPayloadSize: number; readonly dnssecOk: boolean; readonly version: number };

export type Message = {
  readonly id: number;
  /** The header's second 16-bit word (see FLAG), with the rcode bits cleared. */
  readonly flags: number;
  /** The full rcode: the header's four bits and the OPT record's upper eight (RFC 6891 6.1.3). */
  readonly rcode: number;
  readonly questions: readonly Question[];
  readonly answer: readonly Rr[];
  readonly authority: readonly Rr[];
  /** The additional section without the OPT pseudo-record. */
  readonly additional: readonly Rr[];
  readonly edns?: Edns;
};

/** RFC 1035 4.1.1, RFC 4035 3.2 (AD, CD). */
export const FLAG = { QR: 0x8000, AA: 0x0400, TC: 0x0200, RD: 0x0100, RA: 0x0080, AD: 0x0020, CD: 0x0010 } as const;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const HEADER_OCTETS = 12;
/** RFC 3225 3: the DO bit in the OPT record's TTL field. */
const DNSSEC_OK = 0x8000;

/** Reads a possibly compressed name at `offset`; `next` is the offset after it in place. Undefined if malformed. */
export function readName(buf: Buffer, offset: number): { name: Name; next: number } | undefined {
  const labels: Buffer[] = [];
  let position = offset;
  let next = -1;
  let octets = 1;
  for (;;) {
    if (position >= buf.length) return undefined;
    const length = buf[position]!;
    if (length === 0) return { name: labels, next: next < 0 ? position + 1 : next };
    if ((length & 0xc0) === 0xc0) {
      if (position + 1 >= buf.length) return undefined;
      const target = ((length & 0x3f) << 8) | buf[position + 1]!;
      if (next < 0) next = position + 2;
      // RFC 1035 4.1.4: a pointer names a prior occurrence; only backwards pointers, so no loop is possible.
      if (target >= position) return undefined;
      position = target;
      continue;
    }
    if ((length & 0xc0) !== 0 || position + 1 + length > buf.length) return undefined; // RFC 6891 5: no other label types
    octets += 1 + length;
    if (octets > 255) return undefined;
    labels.push(Buffer.from(buf.subarray(position + 1, position + 1 + length)));
    position += 1 + length;
  }
}

/**
 * Copies the RDATA at buf[start, end) field by field (RDATA_NAMES), passing each name through `mapName` and writing
 * it uncompressed. Undefined when the fields do not fit exactly inside the RDATA.
 */
export function rewriteRdataNames(buf: Buffer, start: number, end: number, fields: readonly RdataField[], mapName: (name: Name) => Name): Buffer | undefined {
  const parts: Buffer[] = [];
  let position = start;
  for (const field of fields) {
    if (field === 'name') {
      const read = readName(buf, position);
      if (!read || read.next > end) return undefined;
      parts.push(nameToWire(mapName(read.name)));
      position = read.next;
    } else {
      const length = field === 'string' ? 1 + (buf[position] ?? 0) : field;
      if (position + length > end) return undefined;
      parts.push(buf.subarray(position, position + length));
      position += length;
    }
  }
  parts.push(buf.subarray(position, end));
  return Buffer.concat(parts);
}

/** Parses a whole message; every count, length and pointer is checked against the bytes. */
export function parseMessage(bytes: Uint8Array): { ok: true; message: Message } | { ok: false; error: string } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < HEADER_OCTETS) return { ok: false, error: `${buf.length} bytes, shorter than a DNS header` };
  const counts = [4, 6, 8, 10].map((at) => buf.readUInt16BE(at));
  let position = HEADER_OCTETS;
  const questions: Question[] = [];
  for (let i = 0; i < counts[0]!; i++) {
    const read = readName(buf, position);
    if (!read || read.next + 4 > buf.length) return { ok: false, error: `question ${i + 1} is cut off or malformed` };
    questions.push({ name: read.name, type: buf.readUInt16BE(read.next), class: buf.readUInt16BE(read.next + 2) });
    position = read.next + 4;
  }
  const sections: Rr[][] = [[], [], []];
  let opt: Rr | undefined;
  for (const [index, section] of sections.entries()) {
    for (let i = 0; i < counts[index + 1]!; i++) {
      const read = readRecord(buf, position);
      if (typeof read === 'string') return { ok: false, error: `${['answer', 'authority', 'additional'][index]} record ${i + 1}: ${read}` };
      position = read.next;
      if (read.rr.type === TYPE.OPT && index === 2) opt = read.rr;
      else section.push(read.rr);
    }
  }
  const flagWord = buf.readUInt16BE(2);
  const edns = opt && { udpPayloadSize: opt.class, dnssecOk: (opt.ttl & DNSSEC_OK) !== 0, version: (opt.ttl >>> 16) & 0xff };
  const message: Message = {
    id: buf.readUInt16BE(0), flags: flagWord & ~0x000f, rcode: ((opt ? opt.ttl >>> 24 : 0) << 4) | (flagWord & 0x000f),
    questions, answer: sections[0]!, authority: sections[1]!, additional: sections[2]!, ...(edns ? { edns } : {}),
  };
  return { ok: true, message };
}

function readRecord(buf: Buffer, offset: number): { rr: Rr; next: number } | string {
  const read = readName(buf, offset);
  if (!read || read.next + 10 > buf.length) return 'cut off or malformed owner name';
  const at = read.next;
  const type = buf.readUInt16BE(at);
  const length = buf.readUInt16BE(at + 8);
  const start = at + 10;
  if (start + length > buf.length) return `RDATA runs past the end of the message`;
  const layout = RDATA_NAMES.get(type);
  const rdata = layout ? rewriteRdataNames(buf, start, start + length, layout.fields, (name) => name)
    : Buffer.from(buf.subarray(start, start + length));
  if (!rdata) return `malformed RDATA for type ${type}`;
  return { rr: { owner: read.name, type, class: buf.readUInt16BE(at + 2), ttl: buf.readUInt32BE(at + 4), rdata }, next: start + length };
}

/** What to put in a message; names are written uncompressed. */
export type OutgoingMessage = {
  readonly id: number; readonly flags: number; readonly rcode: number;
  readonly questions: readonly Question[];
  readonly answer?: readonly Rr[]; readonly authority?: readonly Rr[]; readonly additional?: readonly Rr[];
  readonly edns?: Edns;
};

export function encodeMessage(message: OutgoingMessage): Buffer {
  const { answer = [], authority = [], additional = [], edns } = message;
  const opt: Rr[] = edns ? [{
    owner: [], type: TYPE.OPT, class: edns.udpPayloadSize, rdata: Buffer.alloc(0),
    ttl: (((message.rcode >>> 4) & 0xff) << 24 | (edns.version & 0xff) << 16 | (edns.dnssecOk ? DNSSEC_OK : 0)) >>> 0,
  }] : [];
  const header = Buffer.alloc(HEADER_OCTETS);
  header.writeUInt16BE(message.id & 0xffff, 0);
  header.writeUInt16BE((message.flags & ~0x000f | message.rcode & 0x000f) & 0xffff, 2);
  [message.questions.length, answer.length, authority.length, additional.length + opt.length]
    .forEach((count, i) => header.writeUInt16BE(count, 4 + 2 * i));
  const questions = message.questions.map((q) => {
    const fixed = Buffer.alloc(4);
    fixed.writeUInt16BE(q.type, 0);
    fixed.writeUInt16BE(q.class, 2);
    return Buffer.concat([nameToWire(q.name), fixed]);
  });
  return Buffer.concat([header, ...questions, ...[...answer, ...authority, ...additional, ...opt].map(encodeRecord)]);
}

/** One record in wire form, owner as given (RFC 1035 4.1.3). */
export function encodeRecord(rr: Rr): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(rr.type, 0);
  fixed.writeUInt16BE(rr.class, 2);
  fixed.writeUInt32BE(rr.ttl >>> 0, 4);
  fixed.writeUInt16BE(rr.rdata.length, 8);
  return Buffer.concat([nameToWire(rr.owner), fixed, rr.rdata]);
}
