import net from 'node:net';
import type { Rr } from '../../dnssec/message.ts';
import { nameFromText, nameToWire, type Name } from '../../dnssec/name.ts';
import { CLASS_IN, TYPE } from '../../dnssec/rr-types.ts';

/** Zone content for the lab in a few words: `record('www.secure.test.', 'A', '127.0.0.1')`. */

export const LAB_TTL = 300;

export function labName(text: string): Name {
  const name = nameFromText(text);
  if (!name) throw new RangeError(`not a domain name: ${text}`);
  return name;
}

/** RDATA of the types lab zones hold, from presentation text (names absolute). */
function rdataOf(type: string, value: string): Buffer {
  switch (type) {
    case 'A': return Buffer.from(value.split('.').map(Number));
    case 'AAAA': {
      if (!net.isIPv6(value)) throw new RangeError(`not an IPv6 address: ${value}`);
      const [head = '', tail = ''] = value.split('::');
      const groups = (part: string) => (part ? part.split(':') : []);
      const missing = 8 - groups(head).length - groups(tail).length;
      return Buffer.from([...groups(head), ...Array<string>(value.includes('::') ? missing : 0).fill('0'), ...groups(tail)]
        .map((g) => g.padStart(4, '0')).join(''), 'hex');
    }
    case 'NS': case 'CNAME': case 'PTR': return nameToWire(labName(value));
    case 'MX': {
      const [preference, exchange] = value.split(' ');
      return Buffer.concat([Buffer.from([Number(preference) >> 8, Number(preference) & 255]), nameToWire(labName(exchange!))]);
    }
    case 'TXT': return Buffer.concat([Buffer.from([Buffer.byteLength(value)]), Buffer.from(value)]);
    case 'SOA': {
      const [mname, rname, ...numbers] = value.split(' ');
      const fixed = Buffer.alloc(20);
      numbers.forEach((n, i) => fixed.writeUInt32BE(Number(n), 4 * i));
      return Buffer.concat([nameToWire(labName(mname!)), nameToWire(labName(rname!)), fixed]);
    }
    default: throw new RangeError(`the lab zone builder does not know type ${type}`);
  }
}

export function record(owner: string, type: keyof typeof TYPE, value: string, ttl = LAB_TTL): Rr {
  return { owner: labName(owner), type: TYPE[type], class: CLASS_IN, ttl, rdata: rdataOf(type, value) };
}

/** SOA and NS at the apex, and an A record for the name server: what every lab zone starts with. */
export function apexRecords(apex: string): Rr[] {
  const ns = `ns1.${apex}`;
  return [
    record(apex, 'SOA', `${ns} hostmaster.${apex} 1 3600 600 86400 ${LAB_TTL}`),
    record(apex, 'NS', ns),
    record(ns, 'A', '127.0.0.1'),
  ];
}
