import { algorithmLabel } from './algorithms.ts';
import { keyTag } from './keys.ts';
import { readName, type Rr } from './message.ts';
import { nameToText } from './name.ts';
import { base32hexEncode } from './nsec3-hash.ts';
import { readDnskey, readDs, readNsec, readNsec3, readRrsig } from './rdata.ts';
import { TYPE, typeName } from './rr-types.ts';

/**
 * Records in presentation form for evidence (RFC 1035 5.1 and each type's RFC), one line each. Types without a
 * reader here use RFC 3597 5's generic `\# length hex`. DNSKEY shows its key tag instead of the key.
 */
export function presentRecord(rr: Rr): string {
  return `${nameToText(rr.owner)} ${rr.ttl} ${typeName(rr.type)} ${presentRdata(rr.type, rr.rdata)}`;
}

export function presentRdata(type: number, rdata: Buffer): string {
  return known(type, rdata) ?? `\\# ${rdata.length}${rdata.length > 0 ? ` ${rdata.toString('hex')}` : ''}`;
}

const types = (set: ReadonlySet<number>) => [...set].sort((a, b) => a - b).map(typeName).join(' ');

function known(type: number, rdata: Buffer): string | undefined {
  switch (type) {
    case TYPE.A: return rdata.length === 4 ? [...rdata].join('.') : undefined;
    case TYPE.AAAA: return rdata.length === 16 ? ipv6Text(rdata) : undefined;
    case TYPE.NS: case TYPE.CNAME: case TYPE.PTR: case TYPE.DNAME: {
      const target = readName(rdata, 0);
      return target?.next === rdata.length ? nameToText(target.name) : undefined;
    }
    case TYPE.MX: {
      const exchange = rdata.length > 2 ? readName(rdata, 2) : undefined;
      return exchange ? `${rdata.readUInt16BE(0)} ${nameToText(exchange.name)}` : undefined;
    }
    case TYPE.TXT: return characterStrings(rdata);
    case TYPE.DS: {
      const ds = readDs(rdata);
      return ds && `${ds.keyTag} ${ds.algorithm} ${ds.digestType} ${ds.digest.toString('hex').toUpperCase()}`;
    }
    case TYPE.DNSKEY: {
      const key = readDnskey(rdata);
      return key && `${key.flags} ${key.protocol} ${key.algorithm} ( key tag ${keyTag(rdata)}, ${algorithmLabel(key.algorithm)}, ${key.publicKey.length} octets )`;
    }
    case TYPE.RRSIG: {
      const sig = readRrsig(rdata);
      return sig && `${typeName(sig.typeCovered)} ${sig.algorithm} ${sig.labels} ${sig.originalTtl} ${sig.expiration} ${sig.inception} ${sig.keyTag} ${nameToText(sig.signer)} ( ${sig.signature.length} octets )`;
    }
    case TYPE.NSEC: {
      const nsec = readNsec(rdata);
      return nsec && `${nameToText(nsec.next)} ${types(nsec.types)}`;
    }
    case TYPE.NSEC3: {
      const n = readNsec3(rdata);
      return n && `${n.hashAlgorithm} ${n.flags} ${n.iterations} ${n.salt.length > 0 ? n.salt.toString('hex').toUpperCase() : '-'} ${base32hexEncode(n.nextHashed)} ${types(n.types)}`;
    }
    default: return undefined;
  }
}

/** RFC 5952 4: lower-case hex groups without leading zeros, the longest run of two or more zero groups as `::`. */
function ipv6Text(octets: Buffer): string {
  const groups = Array.from({ length: 8 }, (_, i) => octets.readUInt16BE(2 * i).toString(16));
  let best = { start: -1, length: 1 };
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === '0') length++;
    if (length > best.length) best = { start, length };
  }
  if (best.start < 0) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.length).join(':')}`;
}

/** RFC 1035 5.1: each character-string quoted, `"` and `\` escaped, other bytes outside printable ASCII as \DDD. */
function characterStrings(rdata: Buffer): string | undefined {
  const parts: string[] = [];
  for (let offset = 0; offset < rdata.length;) {
    const length = rdata[offset]!;
    if (offset + 1 + length > rdata.length) return undefined;
    let text = '';
    for (const octet of rdata.subarray(offset + 1, offset + 1 + length)) {
      if (octet === 0x22 || octet === 0x5c) text += `\\${String.fromCharCode(octet)}`;
      else text += octet >= 0x20 && octet < 0x7f ? String.fromCharCode(octet) : `\\${String(octet).padStart(3, '0')}`;
    }
    parts.push(`"${text}"`);
    offset += 1 + length;
  }
  return parts.join(' ');
}
