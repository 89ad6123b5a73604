import type { Rr } from '../../dnssec/message.ts';
import { presentRdata } from '../../dnssec/present.ts';
import type { DnssecState } from '../../dnssec/validator/types.ts';
import { generateSigningKey } from './keys.ts';
import { apexRecords, labName, record } from './records.ts';
import { dsRecordFor, signZone, type Signing, type SignedZone, type ZoneSpec } from './signer.ts';

/**
 * The lab's DNSSEC estate, signed at test time under a lab TLD `test.` that is its own trust anchor: one zone per
 * case a validator must tell apart, and the verdict each question must get. Used by the verdict table and by the
 * agreement test with a real validator (delv).
 */

export type LabCase = {
  readonly name: string; readonly type: string; readonly state: DnssecState;
  readonly reason?: string; readonly answer?: 'records' | 'nodata' | 'nxdomain';
};

export type DnssecLab = {
  readonly anchorZone: string;
  readonly zones: readonly SignedZone[];
  /** The trust anchor in zone-file form, for parseTrustAnchors. */
  readonly anchorText: string;
  /** The same anchor as a BIND `trust-anchors` clause, for `delv -a`. */
  readonly bindAnchor: string;
  readonly cases: readonly LabCase[];
};

const HOUR = 3600;
const DAY = 24 * HOUR;

export function buildDnssecLab(now: Date): DnssecLab {
  const seconds = Math.floor(now.getTime() / 1000);
  const signing = (algorithm: number, denial: Signing['denial'], extra: Partial<Signing> = {}): Signing => ({
    ksk: generateSigningKey(algorithm, 'ksk'), zsk: generateSigningKey(algorithm, 'zsk'), denial,
    inception: seconds - HOUR, expiration: seconds + 7 * DAY, ...extra,
  });
  const nsec3 = (iterations: number, salt = 'aabbccdd') => ({ iterations, salt: Buffer.from(salt, 'hex'), optOut: false });
  const www = (apex: string) => [...apexRecords(apex), record(`www.${apex}`, 'A', '127.0.0.1')];
  const wildcard = (apex: string) => record(`*.wild.${apex}`, 'TXT', 'wildcard');

  const children: (ZoneSpec & { readonly ds: 'own' | 'other' | 'none' })[] = [
    { apex: 'secure.test.', ds: 'own', signing: signing(13, 'nsec', { tamper: { 'badsig.secure.test.': 'corrupt', 'nosig.secure.test.': 'strip', 'future.secure.test.': 'future' } }),
      records: [...www('secure.test.'), wildcard('secure.test.'), record('alias.secure.test.', 'CNAME', 'www.alg15.test.'),
        ...['badsig', 'nosig', 'future'].map((label) => record(`${label}.secure.test.`, 'A', '127.0.0.1')),
        // Larger than a UDP answer may be (1232 octets): comes truncated, then over TCP.
        ...Array.from({ length: 8 }, (_, i) => record('big.secure.test.', 'TXT', `${i} ${'x'.repeat(200)}`)),
        record('unsigned.secure.test.', 'NS', 'ns1.unsigned.secure.test.'), record('ns1.unsigned.secure.test.', 'A', '127.0.0.1')] },
    { apex: 'unsigned.secure.test.', ds: 'none', records: www('unsigned.secure.test.') },
    { apex: 'alg15.test.', ds: 'own', signing: signing(15, 'nsec'), records: www('alg15.test.') },
    { apex: 'insecure.test.', ds: 'none', records: www('insecure.test.') },
    { apex: 'optout.test.', ds: 'none', records: www('optout.test.') },
    { apex: 'expired.test.', ds: 'own', signing: signing(13, 'nsec', { inception: seconds - 10 * DAY, expiration: seconds - DAY }), records: www('expired.test.') },
    { apex: 'wrongds.test.', ds: 'other', signing: signing(13, 'nsec'), records: www('wrongds.test.') },
    { apex: 'nsec3.test.', ds: 'own', signing: signing(13, nsec3(1)), records: [...www('nsec3.test.'), wildcard('nsec3.test.')] },
    { apex: 'iter.test.', ds: 'own', signing: signing(13, nsec3(200)), records: www('iter.test.') },
  ];
  const delegations: Rr[] = children.filter((c) => labName(c.apex).length === 2).flatMap((child) => {
    const ds = child.ds === 'own' ? [dsRecordFor(child.apex, child.signing!.ksk)]
      : child.ds === 'other' ? [dsRecordFor(child.apex, generateSigningKey(13, 'ksk'))] : [];
    return [record(child.apex, 'NS', `ns1.${child.apex}`), record(`ns1.${child.apex}`, 'A', '127.0.0.1'), ...ds];
  });
  // The TLD: RSA (algorithm 8), NSEC3 (RFC 9276's no salt, no extra iterations) with Opt-Out, which leaves
  // optout.test. out of the chain and keeps insecure.test. in it.
  const tld = signing(8, { ...nsec3(0, ''), optOut: true, optOutOmits: ['optout.test.'] });
  const zones = [signZone({ apex: 'test.', records: [...www('test.'), ...delegations], signing: tld }), ...children.map(signZone)];
  const ds = dsRecordFor('test.', tld.ksk);
  const [tag, algorithm, digestType, digest] = presentRdata(ds.type, ds.rdata).split(' ');
  return {
    anchorZone: 'test.', zones,
    anchorText: `test. IN DS ${tag} ${algorithm} ${digestType} ${digest}\n`,
    bindAnchor: `trust-anchors {\n  test. static-ds ${tag} ${algorithm} ${digestType} "${digest}";\n};\n`,
    cases: CASES,
  };
}

const secure = (name: string, type: string, answer: NonNullable<LabCase['answer']>): LabCase => ({ name, type, state: 'secure', answer });
const not = (name: string, state: Exclude<DnssecState, 'secure'>, reason: string, type = 'A'): LabCase => ({ name, type, state, reason });

/** The verdict each question gets, with the reason Vouch gives (delv's output names no reason). */
export const CASES: readonly LabCase[] = [
  secure('www.test.', 'A', 'records'),
  secure('www.secure.test.', 'A', 'records'),
  secure('big.secure.test.', 'TXT', 'records'),
  secure('nope.secure.test.', 'A', 'nxdomain'),
  secure('www.secure.test.', 'TXT', 'nodata'),
  secure('a.wild.secure.test.', 'TXT', 'records'),
  secure('a.wild.secure.test.', 'A', 'nodata'),
  secure('alias.secure.test.', 'A', 'records'),
  secure('www.alg15.test.', 'A', 'records'),
  secure('nope.nsec3.test.', 'A', 'nxdomain'),
  secure('www.nsec3.test.', 'TXT', 'nodata'),
  secure('a.wild.nsec3.test.', 'TXT', 'records'),
  secure('www.iter.test.', 'A', 'records'),
  secure('insecure.test.', 'DS', 'nodata'),
  not('www.insecure.test.', 'insecure', 'unsigned-delegation'),
  not('www.unsigned.secure.test.', 'insecure', 'unsigned-delegation'),
  not('www.optout.test.', 'insecure', 'opt-out'),
  not('nope.iter.test.', 'insecure', 'nsec3-iterations'),
  not('www.expired.test.', 'bogus', 'signature-expired'),
  not('www.wrongds.test.', 'bogus', 'no-matching-dnskey'),
  not('badsig.secure.test.', 'bogus', 'bad-signature'),
  not('nosig.secure.test.', 'bogus', 'missing-rrsig'),
  not('future.secure.test.', 'bogus', 'signature-not-yet-valid'),
];
