import { describe, expect, it } from 'vitest';
import { proveDenial, proveExpansion, type Denial } from '../../src/dnssec/denial/index.ts';
import type { Rr } from '../../src/dnssec/message.ts';
import { compareNames, nameFromText, nameKey, type Name } from '../../src/dnssec/name.ts';
import { base32hexEncode, nsec3Hash } from '../../src/dnssec/nsec3-hash.ts';
import { writeNsec, writeNsec3 } from '../../src/dnssec/rdata.ts';
import { TYPE } from '../../src/dnssec/rr-types.ts';

/**
 * Denial of existence over a small zone, `example.`: a (A), c (CNAME), d (unsigned delegation), e (signed
 * delegation), b.x (so x is an empty non-terminal), *.w (a wildcard TXT, so w is one too), and with NSEC3 also o
 * (an unsigned delegation an Opt-Out chain leaves out).
 */

const name = (text: string): Name => nameFromText(text)!;
const ZONE = name('example.');
const { A, NS, SOA, CNAME, DS, TXT, MX, RRSIG, NSEC, DNSKEY, NSEC3PARAM } = TYPE;
const NXDOMAIN = 3;

const CONTENT: [string, number[]][] = [
  ['example.', [SOA, NS, DNSKEY, RRSIG]], ['a.example.', [A, RRSIG]], ['c.example.', [CNAME, RRSIG]], ['d.example.', [NS]],
  ['e.example.', [NS, DS, RRSIG]], ['*.w.example.', [TXT, RRSIG]], ['b.x.example.', [A, RRSIG]],
];

/** The NSEC chain of the zone (RFC 4034 4.1.1): each owner names the next, the last the apex. */
function nsecChain(): Rr[] {
  const owners = CONTENT.map(([owner]) => name(owner)).sort(compareNames);
  return owners.map((owner, i) => ({
    owner, type: NSEC, class: 1, ttl: 300,
    rdata: writeNsec({ next: owners[(i + 1) % owners.length]!, types: new Set([...CONTENT.find(([o]) => nameKey(name(o)) === nameKey(owner))![1], NSEC, RRSIG]) }),
  }));
}

type Nsec3Options = { iterations?: number; optOut?: boolean; omit?: string[]; hashAlgorithm?: number };

/** The NSEC3 chain (RFC 5155 7.1): every name and empty non-terminal hashed, in hash order. */
function nsec3Chain({ iterations = 0, optOut = false, omit = [], hashAlgorithm = 1 }: Nsec3Options = {}): Rr[] {
  const salt = Buffer.from('ab', 'hex');
  const extra: [string, number[]][] = [['o.example.', [NS]], ['x.example.', []], ['w.example.', []], ['example.', [SOA, NS, DNSKEY, NSEC3PARAM, RRSIG]]];
  // Later entries win: the apex gets its NSEC3PARAM.
  const content = new Map<string, number[]>([...CONTENT, ...extra].filter(([owner]) => !omit.includes(owner)));
  const hashed = [...content.entries()]
    .map(([owner, types]) => ({ hash: nsec3Hash(name(owner), salt, iterations)!, types })).sort((a, b) => Buffer.compare(a.hash, b.hash));
  return hashed.map(({ hash, types }, i) => ({
    owner: [Buffer.from(base32hexEncode(hash)), ...ZONE], type: TYPE.NSEC3, class: 1, ttl: 300,
    rdata: writeNsec3({ hashAlgorithm, flags: optOut ? 1 : 0, iterations, salt, nextHashed: hashed[(i + 1) % hashed.length]!.hash, types: new Set(types) }),
  }));
}

/** The verdict in short: `nodata`, `nodata delegation`, `nxdomain opt-out`, `failed: why`... */
function summary(denial: Denial): string {
  switch (denial.kind) {
    case 'failed': return `failed: ${denial.reason}`;
    case 'insecure': return `insecure: ${denial.reason}`;
    case 'nodata': return ['nodata', denial.delegation && 'delegation', denial.optOut && 'opt-out', denial.wildcard && 'wildcard'].filter(Boolean).join(' ');
    default: return [denial.kind, denial.optOut && 'opt-out'].filter(Boolean).join(' ');
  }
}

const without = (records: Rr[], owner: string) => records.filter((rr) => nameKey(rr.owner) !== owner);

describe('NSEC proofs (RFC 4035 5.4)', () => {
  const chain = nsecChain();
  it.each([
    ['NODATA: a.example. has no MX', chain, 'a.example.', MX, 0, 'nodata'],
    ['an unsigned delegation: no DS at d.example.', chain, 'd.example.', DS, 0, 'nodata delegation'],
    ['an empty non-terminal: x.example. has nothing', chain, 'x.example.', A, 0, 'nodata'],
    ['a wildcard without the type: q.w.example. MX', chain, 'q.w.example.', MX, 0, 'nodata wildcard'],
    ['NXDOMAIN: q.example., no wildcard *.example.', chain, 'q.example.', A, NXDOMAIN, 'nxdomain'],
    ['NXDOMAIN after the last name (the chain wraps)', chain, 'zzz.example.', A, NXDOMAIN, 'nxdomain'],
    ['NODATA for a type the NSEC lists', chain, 'a.example.', A, 0, 'failed: the NSEC at the name lists the type asked'],
    ['NODATA at a CNAME', chain, 'c.example.', A, 0, 'failed: the NSEC shows a CNAME at the name'],
    ['the parent\'s NSEC at a delegation, for A', chain, 'd.example.', A, 0, 'failed: the NSEC is the parent\'s, at a delegation, and proves only the absence of DS'],
    ['the child\'s apex NSEC, for DS', chain, 'example.', DS, 0, 'failed: the NSEC is the child zone\'s apex NSEC, which cannot deny a DS'],
    ['NXDOMAIN below a delegation (RFC 6840 4.1)', chain, 'q.d.example.', A, NXDOMAIN, 'failed: no NSEC spans the name'],
    ['NXDOMAIN where a wildcard exists', chain, 'q.w.example.', A, NXDOMAIN, 'failed: no NSEC proves that no wildcard could answer for the name'],
    ['NXDOMAIN without the wildcard proof', without(chain, 'example.'), 'q.example.', A, NXDOMAIN, 'failed: no NSEC proves that no wildcard could answer for the name'],
    ['NODATA at a wildcard that has the type', chain, 'q.w.example.', TXT, 0, 'failed: the name does not exist, and no NSEC shows a wildcard without the type'],
    ['no denial records at all', [], 'q.example.', A, NXDOMAIN, 'failed: no NSEC or NSEC3 records came with the answer'],
  ])('%s', (_label, records, qname, type, rcode, verdict) => {
    expect(summary(proveDenial(records, ZONE, name(qname), type, rcode))).toBe(verdict);
  });

  it('names the records an NXDOMAIN proof rests on: the span of the name and of the wildcard', () => {
    const proof = proveDenial(chain, ZONE, name('q.example.'), A, NXDOMAIN);
    expect(proof.kind === 'nxdomain' && proof.records.map((rr) => nameKey(rr.owner))).toEqual(['e.example.', 'example.']);
  });

  it.each([
    ['q.w.example.', 'w.example.', 'expanded'], ['a.b.w.example.', 'w.example.', 'expanded'],
    ['q.w.example.', 'example.', 'failed: a wildcard answered, and no NSEC proves that no closer name exists'], // w.example. exists
  ])('a wildcard answer for %s from *.%s is %s', (qname, encloser, verdict) => {
    expect(summary(proveExpansion(chain, ZONE, name(qname), name(encloser)))).toBe(verdict);
  });
});

describe('NSEC3 proofs (RFC 5155 8)', () => {
  const chain = nsec3Chain();
  const optOut = nsec3Chain({ optOut: true, omit: ['o.example.'] });
  it.each([
    ['NODATA: a.example. has no MX (8.5)', chain, 'a.example.', MX, 0, 'nodata'],
    ['an unsigned delegation in the chain (8.9)', chain, 'd.example.', DS, 0, 'nodata delegation'],
    ['an empty non-terminal in the chain', chain, 'x.example.', A, 0, 'nodata'],
    ['a wildcard without the type (8.7)', chain, 'q.w.example.', MX, 0, 'nodata wildcard'],
    ['NXDOMAIN by a closest encloser proof (8.4)', chain, 'q.example.', A, NXDOMAIN, 'nxdomain'],
    ['a delegation left out under Opt-Out (8.6)', optOut, 'o.example.', DS, 0, 'nodata opt-out'],
    ['NXDOMAIN in an Opt-Out span (insecure, 9.2)', optOut, 'q.example.', A, NXDOMAIN, 'nxdomain opt-out'],
    ['a delegation left out without Opt-Out', nsec3Chain({ omit: ['o.example.'] }), 'o.example.', DS, 0, 'failed: no NSEC3 matches the name, and none shows a wildcard without the type'],
    ['the parent\'s NSEC3 at a delegation, for A', chain, 'd.example.', A, 0, 'failed: the NSEC3 is the parent\'s, at a delegation, and proves only the absence of DS'],
    ['NXDOMAIN below a delegation (RFC 6840 4.1)', chain, 'q.d.example.', A, NXDOMAIN, 'failed: the closest encloser\'s NSEC3 is a delegation or a DNAME'],
    ['NXDOMAIN for a name that exists', chain, 'a.example.', A, NXDOMAIN, 'failed: an NSEC3 matches the name, so it exists'],
    ['NXDOMAIN where a wildcard exists', chain, 'q.w.example.', A, NXDOMAIN, 'failed: no NSEC3 proves that no wildcard could answer for the name'],
    ['150 iterations, still checked', nsec3Chain({ iterations: 150 }), 'q.example.', A, NXDOMAIN, 'nxdomain'],
    ['151 iterations (RFC 9276 3.2)', nsec3Chain({ iterations: 151 }), 'q.example.', A, NXDOMAIN, 'insecure: NSEC3 with 151 iterations, above the 150 of RFC 9276 3.2'],
    ['an unknown hash algorithm (8.1)', nsec3Chain({ hashAlgorithm: 2 }), 'q.example.', A, NXDOMAIN, 'failed: the NSEC3 records use an unknown hash algorithm or flags (RFC 5155 8.1, 8.2)'],
  ])('%s', (_label, records, qname, type, rcode, verdict) => {
    expect(summary(proveDenial(records, ZONE, name(qname), type, rcode))).toBe(verdict);
  });

  it('rests an NXDOMAIN proof on the encloser\'s match, the next closer\'s cover and the wildcard\'s cover', () => {
    const proof = proveDenial(chain, ZONE, name('q.example.'), A, NXDOMAIN);
    expect(proof.kind === 'nxdomain' && [nameKey(proof.closestEncloser), proof.records.length >= 2]).toEqual(['example.', true]);
  });

  it.each([
    ['q.w.example.', 'w.example.', 'expanded'], ['a.b.w.example.', 'w.example.', 'expanded'],
  ])('a wildcard answer for %s from *.%s is %s (8.8)', (qname, encloser, verdict) => {
    expect(summary(proveExpansion(chain, ZONE, name(qname), name(encloser)))).toBe(verdict);
  });

  it('ignores NSEC3 records of another zone', () => {
    expect(summary(proveDenial(chain, name('other.'), name('q.other.'), A, NXDOMAIN))).toBe('failed: no NSEC3 records for the zone');
  });
});
