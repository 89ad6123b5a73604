import { beforeAll, describe, expect, it } from 'vitest';
import { parseTrustAnchors, type TrustAnchor } from '../../src/dnssec/anchors.ts';
import { signedData } from '../../src/dnssec/canonical.ts';
import type { Rr } from '../../src/dnssec/message.ts';
import { nameFromText, nameToText } from '../../src/dnssec/name.ts';
import { presentRdata } from '../../src/dnssec/present.ts';
import { readRrsig, writeDs, writeRrsig } from '../../src/dnssec/rdata.ts';
import { TYPE, typeNumber } from '../../src/dnssec/rr-types.ts';
import type { DnssecFetch } from '../../src/dnssec/validator/types.ts';
import { createValidator } from '../../src/dnssec/validator/validator.ts';
import { verifyRrset } from '../../src/dnssec/validator/verify-rrset.ts';
import { generateSigningKey, signData } from '../../src/lab/dnssec/keys.ts';
import { apexRecords, labName, record } from '../../src/lab/dnssec/records.ts';
import { answerQuestion } from '../../src/lab/dnssec/responder.ts';
import { dsRecordFor, signZone, type Signing, type SignedZone } from '../../src/lab/dnssec/signer.ts';

/**
 * How the validator behaves around the chain: evidence, caching, budgets, failures to fetch, weak and unsupported
 * algorithms. Asked in process: `fetch` is the lab responder itself, so each test can bend the answers.
 */

const NOW = new Date();
const seconds = Math.floor(NOW.getTime() / 1000);
let zones: SignedZone[];
let anchors: readonly TrustAnchor[];
let zsk: { tag: number };

beforeAll(() => {
  const signing = (algorithm: number): Signing => ({ ksk: generateSigningKey(algorithm, 'ksk'), zsk: generateSigningKey(algorithm, 'zsk'), denial: 'nsec', inception: seconds - 60, expiration: seconds + 3600 });
  const www = (apex: string) => [...apexRecords(apex), record(`www.${apex}`, 'A', '127.0.0.1')];
  const [root, sha1, unsupported, weak] = [signing(13), signing(13), signing(13), signing(5)];
  const delegate = (apex: string, ds: Rr[]) => [record(apex, 'NS', `ns1.${apex}`), ...ds];
  const privateDs: Rr = { owner: labName('private.lab.'), type: TYPE.DS, class: 1, ttl: 300, rdata: writeDs({ keyTag: 1, algorithm: 253, digestType: 2, digest: Buffer.alloc(32, 7) }) };
  zones = [
    signZone({ apex: 'lab.', signing: root, records: [...www('lab.'), record('loop1.lab.', 'CNAME', 'loop2.lab.'), record('loop2.lab.', 'CNAME', 'loop1.lab.'),
      ...delegate('sha1.lab.', [dsRecordFor('sha1.lab.', sha1.ksk, 1)]), ...delegate('private.lab.', [privateDs]), ...delegate('weak.lab.', [dsRecordFor('weak.lab.', weak.ksk)])] }),
    signZone({ apex: 'sha1.lab.', signing: sha1, records: www('sha1.lab.') }),
    signZone({ apex: 'private.lab.', signing: unsupported, records: www('private.lab.') }),
    signZone({ apex: 'weak.lab.', signing: weak, records: www('weak.lab.') }),
  ];
  zsk = root.zsk;
  const ds = dsRecordFor('lab.', root.ksk);
  const parsed = parseTrustAnchors(`lab. DS ${presentRdata(ds.type, ds.rdata)}`, 'lab');
  anchors = parsed.ok ? parsed.anchors : [];
});

/** The lab's answers; `bend` may change one before the validator sees it. */
function labFetch(options: { dnssecOk?: boolean; asked?: string[]; bend?: (question: string, reply: ReturnType<typeof answerQuestion>) => ReturnType<typeof answerQuestion> } = {}): DnssecFetch {
  return async (name, type) => {
    const question = `${name} ${type}`;
    options.asked?.push(question);
    const reply = answerQuestion(zones, nameFromText(name)!, typeNumber(type)!, options.dnssecOk ?? true);
    return options.bend ? options.bend(question, reply) : reply;
  };
}

const validator = (fetch: DnssecFetch, maxVerifications?: number, maxCachedZones?: number) =>
  createValidator({ fetch, anchors, now: NOW, ...(maxVerifications ? { maxVerifications } : {}), ...(maxCachedZones ? { maxCachedZones } : {}) });

describe('evidence', () => {
  it('shows each link: anchor, the anchor zone\'s keys, the answer with the key that signed it', async () => {
    const result = await validator(labFetch()).validate('www.lab.', 'A');
    expect(result.steps.map((s) => `${s.check} ${s.zone} ${s.outcome}`)).toEqual(['trust-anchor lab. ok', 'dnskey lab. ok', 'answer lab. ok']);
    expect(result.steps.at(-1)?.signatures?.map((s) => [s.keyTag, s.algorithm, s.result])).toEqual([[zsk.tag, 'ECDSAP256SHA256 (13)', 'verified']]);
    expect(result.steps.at(-1)?.records).toEqual(['www.lab. 300 A 127.0.0.1']);
    expect([result.state, result.answer, result.resolverAuthenticated, result.verifications, result.weak]).toEqual(['secure', 'records', undefined, 2, []]);
  });
});

describe('caching', () => {
  it('fetches and verifies a zone\'s keys once for concurrent validations, and keeps no failed fetch', async () => {
    const asked: string[] = [];
    let failOnce = true;
    const shared = validator(labFetch({ asked, bend: (question, reply) => {
      if (question === 'sha1.lab. DS' && failOnce) { failOnce = false; return { ...reply, rcode: 2 }; }
      return reply;
    } }));
    const first = await shared.validate('www.sha1.lab.', 'A');
    expect([first.state, first.reason, first.detail]).toEqual(['indeterminate', 'fetch-failed', 'the resolver answered SERVFAIL to sha1.lab. DS']);
    const results = await Promise.all(['www.sha1.lab.', 'sha1.lab.', 'nope.sha1.lab.'].map((name) => shared.validate(name, 'A')));
    expect(results.map((r) => `${r.state} ${r.answer}`)).toEqual(['secure records', 'secure nodata', 'secure nxdomain']);
    expect(asked.filter((q) => q === 'sha1.lab. DNSKEY' || q === 'lab. DNSKEY')).toEqual(['lab. DNSKEY', 'sha1.lab. DNSKEY']);
    expect(asked.filter((q) => q === 'sha1.lab. DS')).toHaveLength(2); // the failed one, then once more
  });


  it('keeps a bounded number of zones, dropping the least recently used', async () => {
    const count = async (maxCachedZones?: number) => {
      const asked: string[] = [];
      const bounded = validator(labFetch({ asked }), undefined, maxCachedZones);
      for (const name of ['www.lab.', 'www.sha1.lab.', 'www.weak.lab.', 'www.lab.']) await bounded.validate(name, 'A');
      return asked.filter((q) => q === 'lab. DNSKEY').length;
    };
    expect([await count(), await count(1)]).toEqual([1, 3]); // with room for one zone, each child pushes the anchor zone out
  });
});

describe('failures to fetch and missing DNSSEC support', () => {
  it('is indeterminate, naming the question, when a fetch fails', async () => {
    const result = await validator(async (name, type) => { throw new Error(`timeout for ${name} ${type}`); }).validate('www.lab.', 'A');
    expect([result.state, result.reason, result.detail]).toEqual(['indeterminate', 'fetch-failed', 'could not ask www.lab. A: timeout for www.lab. A']);
  });

  it('says so when the resolver returns no DNSSEC records at all', async () => {
    const result = await validator(labFetch({ dnssecOk: false })).validate('www.lab.', 'A');
    expect([result.state, result.reason]).toEqual(['indeterminate', 'resolver-no-dnssec']);
  });

  it('is indeterminate for a name no trust anchor covers', async () => {
    const result = await validator(labFetch()).validate('www.example.', 'A');
    expect([result.state, result.reason]).toEqual(['indeterminate', 'no-trust-anchor']);
  });

  it('does not call a DNAME redirection bogus: it is not validated yet (RFC 6672)', async () => {
    const dname: Rr = { owner: labName('sub.lab.'), type: TYPE.DNAME, class: 1, ttl: 300, rdata: Buffer.from('\x05other\x00', 'latin1') };
    const bend = (question: string, reply: ReturnType<typeof answerQuestion>) => (question === 'www.sub.lab. A'
      ? { rcode: 0, answer: [dname, record('www.sub.lab.', 'CNAME', 'www.other.')], authority: [] } : reply);
    const result = await validator(labFetch({ bend })).validate('www.sub.lab.', 'A');
    expect([result.state, result.reason, result.detail]).toEqual(['indeterminate', 'dname-not-validated',
      'www.sub.lab. is redirected by the DNAME at sub.lab. (RFC 6672), which Vouch does not validate yet']);
  });

  it('stops a CNAME loop', async () => {
    const result = await validator(labFetch()).validate('loop1.lab.', 'A');
    expect([result.state, result.reason]).toEqual(['indeterminate', 'depth-limit']);
  });
});

describe('KeyTrap bounds (CVE-2023-50387)', () => {
  it('tries at most 4 verifications for one RRset, however many RRSIGs come', async () => {
    const flood = (reply: ReturnType<typeof answerQuestion>) => {
      const sig = reply.answer.find((rr) => rr.type === TYPE.RRSIG)!;
      const parsed = readRrsig(sig.rdata)!;
      const bad = Array.from({ length: 10 }, (_, i) => ({ ...sig, rdata: writeRrsig({ ...parsed, signature: Buffer.alloc(64, i + 1) }) }));
      return { ...reply, answer: [...reply.answer.filter((rr) => rr.type !== TYPE.RRSIG), ...bad, sig] };
    };
    const result = await validator(labFetch({ bend: (q, reply) => (q === 'www.lab. A' ? flood(reply) : reply) })).validate('www.lab.', 'A');
    expect([result.state, result.reason, result.verifications]).toEqual(['indeterminate', 'verification-limit', 5]);
    expect(result.detail).toContain('CVE-2023-50387');
  });

  it('stops at the limit of verifications per validation', async () => {
    const result = await validator(labFetch(), 2).validate('www.sha1.lab.', 'A');
    expect([result.state, result.reason, result.verifications]).toEqual(['indeterminate', 'verification-limit', 2]);
  });
});

describe('algorithms and digests', () => {
  it('accepts a SHA-1 DS and says it is weak', async () => {
    const result = await validator(labFetch()).validate('www.sha1.lab.', 'A');
    expect([result.state, result.weak]).toEqual(['secure', ['SHA-1 DS digest for sha1.lab.']]);
  });

  it('verifies RSASHA1 (algorithm 5) and says it is weak', async () => {
    const result = await validator(labFetch()).validate('www.weak.lab.', 'A');
    expect([result.state, result.weak.every((w) => w.startsWith('RSASHA1 (5) signs')), result.weak.length > 0]).toEqual(['secure', true, true]);
  });

  it('treats a zone whose DS lists only an unsupported algorithm as insecure (RFC 4035 5.2)', async () => {
    const result = await validator(labFetch()).validate('www.private.lab.', 'A');
    expect([result.state, result.reason]).toEqual(['insecure', 'unsupported-algorithm']);
  });
});

describe('verifyRrset', () => {
  const rr = (owner: string): Rr => ({ owner: labName(owner), type: TYPE.A, class: 1, ttl: 60, rdata: Buffer.from([192, 0, 2, 1]) });
  const sign = (rrset: Rr[], signer: string, changes: { labels?: number; algorithm?: number } = {}) => {
    const key = generateSigningKey(13, 'zsk');
    const fields = { typeCovered: TYPE.A, algorithm: 13, labels: rrset[0]!.owner.length, originalTtl: 60, expiration: seconds + 60, inception: seconds - 60, keyTag: key.tag, signer: labName(signer) };
    // Signed as it should be, then the field under test changed.
    const rrsig: Rr = { owner: rrset[0]!.owner, type: TYPE.RRSIG, class: 1, ttl: 60, rdata: writeRrsig({ ...fields, ...changes, signature: signData(key, signedData(fields, rrset)!) }) };
    return { rrsig, keys: [{ tag: key.tag, dnskey: { flags: key.flags, protocol: 3, algorithm: 13, publicKey: key.rdata.subarray(4) }, rdata: key.rdata }] };
  };
  const budget = () => ({ limit: 16, used: 0 });

  it.each([
    ['verifies', 'example.', {}, 'example.', true],
    ['a signer other than the zone', 'other.', {}, 'example.', 'wrong-signer'],
    ['more labels than the owner has', 'example.', { labels: 5 }, 'example.', 'malformed'],
    ['an unsupported algorithm', 'example.', { algorithm: 253 }, 'example.', 'unsupported-algorithm'],
  ] as const)('%s', (_label, signer, changes, zone, verdict) => {
    const rrset = [rr('www.example.')];
    const { rrsig, keys } = sign(rrset, signer, changes);
    const check = verifyRrset(rrset, [rrsig], labName(zone), keys, seconds, budget());
    expect(check.ok ? true : check.reason).toBe(verdict);
  });

  it('says which key is missing when no trusted key has the RRSIG\'s tag', () => {
    const rrset = [rr('www.example.')];
    const { rrsig } = sign(rrset, 'example.');
    const check = verifyRrset(rrset, [rrsig], labName('example.'), sign(rrset, 'example.').keys, seconds, budget());
    expect(check.ok ? 'ok' : [check.reason, check.signatures[0]?.result]).toEqual(['no-matching-dnskey', 'no-matching-key']);
  });

  it('reports a missing RRSIG', () => {
    const check = verifyRrset([rr('www.example.')], [], labName('example.'), [], seconds, budget());
    expect(check.ok ? 'ok' : `${check.reason}: ${check.detail}`).toBe(`missing-rrsig: no RRSIG covers A ${nameToText(labName('www.example.'))}`);
  });
});
