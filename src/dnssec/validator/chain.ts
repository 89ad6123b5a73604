import type { TrustAnchor } from '../anchors.ts';
import { proveDenial } from '../denial/index.ts';
import { ancestorWithLabels, isAtOrBelow, nameKey, nameToText, type Name } from '../name.ts';
import { presentRecord } from '../present.ts';
import { readDs } from '../rdata.ts';
import { TYPE } from '../rr-types.ts';
import { ask, rrsetOf, rrsigsOf, signerOf, type Asked } from './ask.ts';
import { cutAt, noDsMeaning, type Cut } from './cut.ts';
import { checkDenial } from './denial-check.ts';
import type { Failure, Step } from './types.ts';
import { failureOf, outcomeOf, verifyRrset } from './verify-rrset.ts';
import { trustFromAnchors, trustFromDs, type SecureZone, type WalkContext, type ZoneTrust } from './zone-trust.ts';

/**
 * Chains of trust, cached per validator (a scan's shared zones are fetched and verified once). Two ways down:
 * - `zoneTrust(zone)`, for a zone whose signature is on the data: its DS RRset, verified with the keys of the zone
 *   that signed it, recursively up to an anchor (RFC 4035 5: the signer names the zone).
 * - `enclosingZone(name)`, for unsigned data: from the anchor down, one label at a time, asking DS to find the
 *   zone cuts, until a proven unsigned delegation (insecure) or the name (then the missing signature is bogus).
 */
export type Chains = {
  anchorFor(name: Name): Name | undefined;
  zoneTrust(zone: Name, context: WalkContext, dsAnswer?: Extract<Asked, { ok: true }>): Promise<ZoneTrust>;
  enclosingZone(name: Name, context: WalkContext): Promise<ZoneTrust>;
};

/** Labels walked below the anchor; real names have a handful, so more only costs queries. */
export const MAX_WALK_LABELS = 24;
/**
 * Zones (and walked labels) kept, least recently used dropped first: a scan of 100,000 domains holds a few KB per
 * zone, so the cache is bounded; TLD and root keys, used all the time, stay.
 */
export const MAX_CACHED_ZONES = 10_000;

export function createChains(anchors: readonly TrustAnchor[], maxCached = MAX_CACHED_ZONES): Chains {
  const anchorZones = new Map<string, { zone: Name; anchors: TrustAnchor[] }>();
  for (const anchor of anchors) {
    const entry = anchorZones.get(nameKey(anchor.zone)) ?? { zone: anchor.zone, anchors: [] };
    entry.anchors.push(anchor);
    anchorZones.set(nameKey(anchor.zone), entry);
  }
  const trusts = new Map<string, Promise<ZoneTrust>>();
  const cuts = new Map<string, Promise<Cut>>();

  /** The closest anchor zone at or above the name. */
  const anchorFor = (name: Name) => [...anchorZones.values()].filter((a) => isAtOrBelow(name, a.zone))
    .sort((a, b) => b.zone.length - a.zone.length)[0]?.zone;

  /** One computation shared by concurrent validations; an indeterminate result (a failed fetch) is not kept. */
  function cached<T>(map: Map<string, Promise<T>>, key: string, compute: () => Promise<T>, keep: (value: T) => boolean): Promise<T> {
    let promise = map.get(key);
    if (promise) {
      map.delete(key); // a Map iterates in insertion order: re-inserting marks the entry as recently used
    } else {
      promise = compute();
      void promise.then((value) => { if (!keep(value) && map.get(key) === promise) map.delete(key); });
    }
    map.set(key, promise);
    if (map.size > maxCached) map.delete(map.keys().next().value!);
    return promise;
  }
  const trustKept = (trust: ZoneTrust) => trust.state !== 'indeterminate';

  function zoneTrust(zone: Name, context: WalkContext, dsAnswer?: Extract<Asked, { ok: true }>): Promise<ZoneTrust> {
    const anchored = anchorZones.get(nameKey(zone));
    if (anchored) return cached(trusts, nameKey(zone), () => trustFromAnchors(zone, anchored.anchors, context), trustKept);
    const anchor = anchorFor(zone);
    if (!anchor) return Promise.resolve({ state: 'indeterminate', reason: 'no-trust-anchor', detail: `no trust anchor covers ${nameToText(zone)}`, steps: [] });
    return cached(trusts, nameKey(zone), () => viaParent(zone, anchor, context, dsAnswer), trustKept);
  }

  async function viaParent(zone: Name, anchor: Name, context: WalkContext, dsAnswer?: Extract<Asked, { ok: true }>): Promise<ZoneTrust> {
    const asked = dsAnswer ?? await ask(context.fetch, zone.slice(1), zone, TYPE.DS);
    if (!asked.ok) return { ...asked.failure, steps: [asked.step] };
    const { reply, question } = asked;
    const ds = rrsetOf(reply.answer, zone, TYPE.DS);
    const signer = ds.length > 0 ? signerOf(reply.answer, [TYPE.DS], zone, anchor, true, zone)
      : signerOf(reply.authority, [TYPE.NSEC, TYPE.NSEC3, TYPE.SOA], zone, anchor, true);
    // Unsigned, or signed by no zone above: find the parent the slow way, and let it judge.
    const parent = signer ? await zoneTrust(signer, context) : await enclosingZone(zone.slice(1), context);
    if (parent.state !== 'secure') return parent; // an insecure or broken parent makes its children so
    const at = { zone: nameToText(parent.zone), question };
    const zoneText = nameToText(zone);
    if (ds.length > 0) {
      const check = verifyRrset(ds, rrsigsOf(reply.answer), parent.zone, parent.keys, context.nowSeconds, context.budget);
      const detail = check.ok ? `${at.zone} signs the DS RRset of ${zoneText}: a signed delegation` : `DS RRset of ${zoneText}: ${check.detail}`;
      const step: Step = { ...at, check: 'ds', outcome: check.ok ? 'ok' : outcomeOf(failureOf(check, detail)), records: ds.map(presentRecord), signatures: check.signatures, detail };
      if (!check.ok) return { ...failureOf(check, detail), steps: [...parent.steps, step] };
      const before = { steps: [...parent.steps, step], weak: [...parent.weak, ...(check.weak ? [check.weak] : [])] };
      return trustFromDs(zone, ds.flatMap((rr) => readDs(rr.rdata) ?? []), before, context);
    }
    const checked = checkDenial(proveDenial(reply.authority, parent.zone, zone, TYPE.DS, reply.rcode), reply.authority, parent, context, `no DS at ${zoneText}`);
    const meaning = checked.ok ? noDsMeaning(checked.denial, at.zone, zoneText) : { failure: checked.failure };
    const failure: Failure = 'failure' in meaning ? meaning.failure
      : { state: 'bogus', reason: 'wrong-signer', detail: `records are signed by ${zoneText}, but ${at.zone} proves there is no delegation to such a zone` };
    const step: Step = { ...at, check: 'no-ds', outcome: outcomeOf(failure), records: checked.records, signatures: checked.signatures, detail: failure.detail };
    return { ...failure, steps: [...parent.steps, step] };
  }

  async function enclosingZone(name: Name, context: WalkContext): Promise<ZoneTrust> {
    const anchor = anchorFor(name);
    if (!anchor) return { state: 'indeterminate', reason: 'no-trust-anchor', detail: `no trust anchor covers ${nameToText(name)}`, steps: [] };
    if (name.length - anchor.length > MAX_WALK_LABELS) {
      return { state: 'indeterminate', reason: 'depth-limit', detail: `${nameToText(name)} lies more than ${MAX_WALK_LABELS} labels below its trust anchor`, steps: [] };
    }
    let trust = await zoneTrust(anchor, context);
    let since: Step[] = [];
    for (let labels = anchor.length + 1; labels <= name.length && trust.state === 'secure'; labels++) {
      const point = ancestorWithLabels(name, labels)!;
      const parent: SecureZone = trust;
      // A zone already proven secure (it signed something) is a cut: no need to ask its DS again.
      const known = await trusts.get(nameKey(point));
      if (known?.state === 'secure') { trust = known; since = []; continue; }
      const cut = await cached(cuts, nameKey(point), () => cutAt(parent, point, context, (asked) => zoneTrust(point, context, asked)),
        (c) => (c.kind === 'zone' ? trustKept(c.trust) : c.kind !== 'end' || c.failure.state !== 'indeterminate'));
      if (cut.kind === 'zone') { trust = cut.trust; since = []; continue; }
      since.push(...cut.steps);
      if (cut.kind === 'end') return { ...cut.failure, steps: [...trust.steps, ...since] };
      if (cut.kind === 'absent') break;
    }
    return { ...trust, steps: [...trust.steps, ...since] };
  }

  return { anchorFor, zoneTrust, enclosingZone };
}

