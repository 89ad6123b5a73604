import { algorithmStatus } from '../algorithms.ts';
import { anchorToText, type TrustAnchor } from '../anchors.ts';
import { DIGEST_TYPES, dsDigest, keyTag } from '../keys.ts';
import { nameToText, type Name } from '../name.ts';
import { presentRecord } from '../present.ts';
import { DNSKEY_FLAG, DNSKEY_PROTOCOL, readDnskey, type Ds } from '../rdata.ts';
import { TYPE } from '../rr-types.ts';
import { ask, rrsetOf, rrsigsOf } from './ask.ts';
import type { DnssecFetch, Failure, Step } from './types.ts';
import { failureOf, outcomeOf, verifyRrset, type Budget, type TrustedKey } from './verify-rrset.ts';

/**
 * A zone's keys, established from its parent's verified DS RRset or from trust anchors (RFC 4035 5.2): fetch the
 * DNSKEY RRset, find the keys the DS records (or anchors) pin, and check that one of them signs the RRset. Then
 * every zone key of the RRset is trusted for the zone's other RRsets.
 */

/** `steps`: the whole chain, from the trust anchor to this zone's DNSKEY RRset. */
export type SecureZone = {
  readonly state: 'secure'; readonly zone: Name; readonly keys: readonly TrustedKey[];
  readonly steps: readonly Step[]; readonly weak: readonly string[];
};
export type ZoneTrust = SecureZone | (Failure & { readonly steps: readonly Step[] });

export type WalkContext = { readonly fetch: DnssecFetch; readonly nowSeconds: number; readonly budget: Budget };

/** The steps from the anchor down to here, and the weak algorithms or digests they rest on. */
export type ChainSoFar = { readonly steps: readonly Step[]; readonly weak: readonly string[] };

type Pin = { readonly text: string; readonly matches: (rdata: Buffer) => boolean; readonly weak?: string };

/**
 * RFC 4035 5.2: the DS RRset (verified by the caller with the parent's keys) pins the child's DNSKEYs. `before`:
 * the chain so far, from the anchor to that DS, and what in it is weak.
 */
export function trustFromDs(zone: Name, dsSet: readonly Ds[], before: ChainSoFar, context: WalkContext): Promise<ZoneTrust> {
  // RFC 4509 3: with a SHA-256 (or stronger) DS present, SHA-1 DS records are ignored, so they cannot downgrade.
  const known = dsSet.filter((ds) => DIGEST_TYPES.has(ds.digestType) && algorithmStatus(ds.algorithm) !== 'unsupported');
  const strong = known.filter((ds) => !DIGEST_TYPES.get(ds.digestType)!.weak);
  const usable = strong.length > 0 ? strong : known;
  if (usable.length === 0) {
    // RFC 4035 5.2 (and RFC 4509 3 for digests): a DS RRset of only unknown algorithms or digests means "unsigned".
    const detail = `the DS records of ${nameToText(zone)} use only algorithms or digest types Vouch does not implement`;
    return Promise.resolve({ state: 'insecure', reason: 'unsupported-algorithm', detail, steps: [...before.steps, { zone: nameToText(zone), check: 'dnskey', outcome: 'insecure', detail }] });
  }
  const pins = usable.map((ds): Pin => ({
    text: `DS ${ds.keyTag} ${ds.algorithm} ${ds.digestType}`,
    matches: (rdata) => keyTag(rdata) === ds.keyTag && rdata[3] === ds.algorithm && dsDigest(zone, rdata, ds.digestType)?.equals(ds.digest) === true,
    ...(DIGEST_TYPES.get(ds.digestType)!.weak ? { weak: `SHA-1 DS digest for ${nameToText(zone)}` } : {}),
  }));
  return establish(zone, pins, before, false, context);
}

/** RFC 4035 4.4: trust anchors pin the anchor zone's DNSKEYs as a DS RRset would. */
export function trustFromAnchors(zone: Name, anchors: readonly TrustAnchor[], context: WalkContext): Promise<ZoneTrust> {
  const supported = anchors.filter((a) => algorithmStatus(a.kind === 'DS' ? a.ds.algorithm : a.dnskey.algorithm) !== 'unsupported'
    && (a.kind === 'DNSKEY' || DIGEST_TYPES.has(a.ds.digestType)));
  const anchorStep: Step = { zone: nameToText(zone), check: 'trust-anchor', outcome: supported.length > 0 ? 'ok' : 'indeterminate',
    records: anchors.map(anchorToText), detail: `${anchors.length} trust anchor(s) for ${nameToText(zone)}` };
  if (supported.length === 0) {
    const detail = `the trust anchors for ${nameToText(zone)} use only algorithms or digest types Vouch does not implement`;
    return Promise.resolve({ state: 'indeterminate', reason: 'no-trust-anchor', detail, steps: [{ ...anchorStep, detail }] });
  }
  const pins = supported.map((anchor): Pin => (anchor.kind === 'DNSKEY'
    ? { text: `anchor DNSKEY ${keyTag(anchor.rdata)}`, matches: (rdata) => rdata.equals(anchor.rdata) }
    : { text: `anchor DS ${anchor.ds.keyTag}`, matches: (rdata) => keyTag(rdata) === anchor.ds.keyTag && rdata[3] === anchor.ds.algorithm
      && dsDigest(zone, rdata, anchor.ds.digestType)?.equals(anchor.ds.digest) === true }));
  return establish(zone, pins, { steps: [anchorStep], weak: [] }, true, context);
}

/** RFC 4034 2.1.1, 2.1.2: only zone keys of protocol 3 verify RRSIGs; RFC 5011 2.1: a revoked key verifies nothing else. */
const isUsableZoneKey = (rdata: Buffer) => {
  const key = readDnskey(rdata);
  return key !== undefined && (key.flags & DNSKEY_FLAG.ZONE) !== 0 && (key.flags & DNSKEY_FLAG.REVOKE) === 0 && key.protocol === DNSKEY_PROTOCOL;
};

async function establish(zone: Name, pins: readonly Pin[], before: ChainSoFar, isAnchor: boolean, context: WalkContext): Promise<ZoneTrust> {
  const zoneText = nameToText(zone);
  const asked = await ask(context.fetch, zone, zone, TYPE.DNSKEY);
  if (!asked.ok) return { ...asked.failure, steps: [...before.steps, asked.step] };
  const { reply, question } = asked;
  const dnskeys = rrsetOf(reply.answer, zone, TYPE.DNSKEY);
  const records = dnskeys.map(presentRecord);
  const step = (outcome: Step['outcome'], detail: string, extra: Partial<Step> = {}): Step[] =>
    [...before.steps, { zone: zoneText, check: 'dnskey', question, outcome, records, ...extra, detail }];
  const keys = dnskeys.filter((rr) => isUsableZoneKey(rr.rdata))
    .map((rr): TrustedKey => ({ tag: keyTag(rr.rdata), dnskey: readDnskey(rr.rdata)!, rdata: rr.rdata }));
  const pinned = keys.filter((key) => pins.some((pin) => pin.matches(key.rdata)));
  const pinsText = pins.map((p) => p.text).join(', ');
  if (pinned.length === 0) {
    const detail = dnskeys.length === 0 ? `no DNSKEY RRset at ${zoneText}, while ${pinsText} says it is signed`
      : `no DNSKEY of ${zoneText} matches ${pinsText}`;
    // The anchor zone is signed by definition: no keys there says more about the resolver than about the zone.
    if (isAnchor && dnskeys.length === 0) return { state: 'indeterminate', reason: 'resolver-no-dnssec', detail, steps: step('indeterminate', detail) };
    return { state: 'bogus', reason: 'no-matching-dnskey', detail, steps: step('failed', detail) };
  }
  const check = verifyRrset(dnskeys, rrsigsOf(reply.answer), zone, pinned, context.nowSeconds, context.budget);
  if (!check.ok) {
    const detail = `DNSKEY RRset of ${zoneText}: ${check.detail}`;
    if (isAnchor && check.reason === 'missing-rrsig') {
      const why = `${detail}: the resolver returns no DNSSEC signatures, so it cannot be used to validate (it ignores the DO bit)`;
      return { state: 'indeterminate', reason: 'resolver-no-dnssec', detail: why, steps: step('indeterminate', why, { signatures: check.signatures }) };
    }
    const failure = failureOf(check, detail);
    return { ...failure, steps: step(outcomeOf(failure), detail, { signatures: check.signatures }) };
  }
  const weak = [...before.weak, ...pins.filter((p) => p.weak && pinned.some((key) => p.matches(key.rdata))).map((p) => p.weak!), ...(check.weak ? [check.weak] : [])];
  const detail = `${zoneText} trusts DNSKEY ${keys.map((k) => k.tag).join(', ')}: ${pinsText} pins ${pinned.map((k) => k.tag).join(', ')}, which signs the DNSKEY RRset`;
  return { state: 'secure', zone, keys, weak, steps: step('ok', detail, { signatures: check.signatures }) };
}
