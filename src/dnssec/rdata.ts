import { readName } from './message.ts';
import { nameToWire, type Name } from './name.ts';

/**
 * The RDATA of the DNSSEC record types, read from and written to octets. Readers are pure and total: malformed
 * RDATA gives undefined. Each layout cites its RFC section.
 */

/** RFC 4034 2.1. */
export type Dnskey = { readonly flags: number; readonly protocol: number; readonly algorithm: number; readonly publicKey: Buffer };
/** RFC 4034 5.1. */
export type Ds = { readonly keyTag: number; readonly algorithm: number; readonly digestType: number; readonly digest: Buffer };
/** RFC 4034 3.1; times are the raw 32-bit serial values (RFC 4034 3.1.5). */
export type Rrsig = {
  readonly typeCovered: number; readonly algorithm: number; readonly labels: number; readonly originalTtl: number;
  readonly expiration: number; readonly inception: number; readonly keyTag: number; readonly signer: Name;
  readonly signature: Buffer;
};
/** RFC 4034 4.1. */
export type Nsec = { readonly next: Name; readonly types: ReadonlySet<number> };
/** RFC 5155 3.1. */
export type Nsec3 = {
  readonly hashAlgorithm: number; readonly flags: number; readonly iterations: number; readonly salt: Buffer;
  readonly nextHashed: Buffer; readonly types: ReadonlySet<number>;
};

/** RFC 4034 2.1.1: bit 7 (0x0100) marks a zone key, the only kind that may verify RRSIGs; bit 15 the SEP. */
export const DNSKEY_FLAG = { ZONE: 0x0100, REVOKE: 0x0080, SEP: 0x0001 } as const;
/** RFC 4034 2.1.2: the protocol field MUST be 3. */
export const DNSKEY_PROTOCOL = 3;
/** RFC 5155 3.1.2.1: the Opt-Out flag. */
export const NSEC3_OPT_OUT = 0x01;

export function readDnskey(rdata: Buffer): Dnskey | undefined {
  if (rdata.length < 4) return undefined;
  return { flags: rdata.readUInt16BE(0), protocol: rdata[2]!, algorithm: rdata[3]!, publicKey: rdata.subarray(4) };
}

export function readDs(rdata: Buffer): Ds | undefined {
  if (rdata.length < 4) return undefined;
  return { keyTag: rdata.readUInt16BE(0), algorithm: rdata[2]!, digestType: rdata[3]!, digest: rdata.subarray(4) };
}

export function readRrsig(rdata: Buffer): Rrsig | undefined {
  if (rdata.length < 19) return undefined;
  const signer = readName(rdata, 18);
  if (!signer) return undefined;
  return {
    typeCovered: rdata.readUInt16BE(0), algorithm: rdata[2]!, labels: rdata[3]!, originalTtl: rdata.readUInt32BE(4),
    expiration: rdata.readUInt32BE(8), inception: rdata.readUInt32BE(12), keyTag: rdata.readUInt16BE(16),
    signer: signer.name, signature: rdata.subarray(signer.next),
  };
}

export function readNsec(rdata: Buffer): Nsec | undefined {
  const next = readName(rdata, 0);
  const types = next && readTypeBitmap(rdata.subarray(next.next));
  return next && types ? { next: next.name, types } : undefined;
}

export function readNsec3(rdata: Buffer): Nsec3 | undefined {
  if (rdata.length < 5) return undefined;
  const saltEnd = 5 + rdata[4]!;
  if (saltEnd >= rdata.length) return undefined;
  const hashEnd = saltEnd + 1 + rdata[saltEnd]!;
  // RFC 5155 3.2: the hash length is at least 1.
  if (rdata[saltEnd] === 0 || hashEnd > rdata.length) return undefined;
  const types = readTypeBitmap(rdata.subarray(hashEnd));
  if (!types) return undefined;
  return {
    hashAlgorithm: rdata[0]!, flags: rdata[1]!, iterations: rdata.readUInt16BE(2), salt: rdata.subarray(5, saltEnd),
    nextHashed: rdata.subarray(saltEnd + 1, hashEnd), types,
  };
}

/**
 * RFC 4034 4.1.2: windows in increasing order, each a window number, a length of 1 to 32 and that many octets of
 * bits, the most significant bit of the first octet being type window*256 + 0.
 */
export function readTypeBitmap(bytes: Buffer): Set<number> | undefined {
  const types = new Set<number>();
  let previousWindow = -1;
  for (let position = 0; position < bytes.length;) {
    if (position + 2 > bytes.length) return undefined;
    const window = bytes[position]!;
    const length = bytes[position + 1]!;
    if (window <= previousWindow || length < 1 || length > 32 || position + 2 + length > bytes.length) return undefined;
    for (let octet = 0; octet < length; octet++) {
      const bits = bytes[position + 2 + octet]!;
      for (let bit = 0; bit < 8; bit++) if (bits & (0x80 >> bit)) types.add(window * 256 + octet * 8 + bit);
    }
    previousWindow = window;
    position += 2 + length;
  }
  return types;
}

export function writeTypeBitmap(types: Iterable<number>): Buffer {
  const windows = new Map<number, number[]>();
  for (const type of types) {
    const octets = windows.get(type >> 8) ?? [];
    const index = (type & 0xff) >> 3;
    while (octets.length <= index) octets.push(0);
    octets[index]! |= 0x80 >> (type & 7);
    windows.set(type >> 8, octets);
  }
  return Buffer.concat([...windows.entries()].sort(([a], [b]) => a - b)
    .map(([window, octets]) => Buffer.from([window, octets.length, ...octets])));
}

export function writeDnskey(key: Dnskey): Buffer {
  return Buffer.concat([u16(key.flags), Buffer.from([key.protocol, key.algorithm]), key.publicKey]);
}

export function writeDs(ds: Ds): Buffer {
  return Buffer.concat([u16(ds.keyTag), Buffer.from([ds.algorithm, ds.digestType]), ds.digest]);
}

/** RFC 4034 3.1.8.1: the RRSIG RDATA without its signature, signer name in canonical (lower) case by the caller. */
export function writeRrsigFields(sig: Omit<Rrsig, 'signature'>, lower: boolean): Buffer {
  const fixed = Buffer.alloc(18);
  fixed.writeUInt16BE(sig.typeCovered, 0);
  fixed[2] = sig.algorithm;
  fixed[3] = sig.labels;
  fixed.writeUInt32BE(sig.originalTtl >>> 0, 4);
  fixed.writeUInt32BE(sig.expiration >>> 0, 8);
  fixed.writeUInt32BE(sig.inception >>> 0, 12);
  fixed.writeUInt16BE(sig.keyTag, 16);
  return Buffer.concat([fixed, nameToWire(sig.signer, lower)]);
}

export function writeRrsig(sig: Rrsig): Buffer {
  return Buffer.concat([writeRrsigFields(sig, false), sig.signature]);
}

export function writeNsec(nsec: Nsec): Buffer {
  return Buffer.concat([nameToWire(nsec.next), writeTypeBitmap(nsec.types)]);
}

export function writeNsec3(nsec3: Nsec3): Buffer {
  return Buffer.concat([
    Buffer.from([nsec3.hashAlgorithm, nsec3.flags]), u16(nsec3.iterations), Buffer.from([nsec3.salt.length]), nsec3.salt,
    Buffer.from([nsec3.nextHashed.length]), nsec3.nextHashed, writeTypeBitmap(nsec3.types),
  ]);
}

function u16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value & 0xffff);
  return out;
}
