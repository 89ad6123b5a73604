import { proveDenial, type Denial } from '../denial/index.ts';
import { nameToText, namesEqual, type Name } from '../name.ts';
import { presentRecord } from '../present.ts';
import { TYPE } from '../rr-types.ts';
import { ask, dnameSynthesis, rrsetOf, rrsigsOf, type Asked } from './ask.ts';
import { checkDenial } from './denial-check.ts';
import type { Failure, Step } from './types.ts';
import { failureOf, outcomeOf, verifyRrset } from './verify-rrset.ts';
import type { SecureZone, WalkContext, ZoneTrust } from './zone-trust.ts';

/**
 * Is `name`, one label below a point of the secure zone `parent`, a zone cut? The DS question answers it: a DS
 * RRset is a signed delegation (`childTrust` verifies it and the child's keys); a proven NODATA says an unsigned
 * delegation (the NSEC/NSEC3 at the name shows NS and no DS, or an Opt-Out span covers it: RFC 4035 5.2, RFC 5155
 * 8.6, 8.9) or no cut at all; a proven NXDOMAIN says nothing exists at or below the name.
 */
export type Cut =
  | { readonly kind: 'zone'; readonly trust: ZoneTrust }
  | { readonly kind: 'not-a-cut' | 'absent'; readonly steps: readonly Step[] }
  | { readonly kind: 'end'; readonly failure: Failure; readonly steps: readonly Step[] };

export async function cutAt(parent: SecureZone, name: Name, context: WalkContext, childTrust: (asked: Extract<Asked, { ok: true }>) => Promise<ZoneTrust>): Promise<Cut> {
  const zone = nameToText(parent.zone);
  const nameText = nameToText(name);
  const asked = await ask(context.fetch, parent.zone, name, TYPE.DS);
  if (!asked.ok) return { kind: 'end', failure: asked.failure, steps: [asked.step] };
  const { reply, question } = asked;
  const end = (failure: Failure, evidence: Pick<Step, 'check' | 'records' | 'signatures'>): Cut =>
    ({ kind: 'end', failure, steps: [{ zone, question, outcome: outcomeOf(failure), ...evidence, detail: failure.detail }] });

  if (rrsetOf(reply.answer, name, TYPE.DS).length > 0) return { kind: 'zone', trust: await childTrust(asked) };
  const alias = rrsetOf(reply.answer, name, TYPE.CNAME);
  if (alias.length > 0) {
    const synthesized = rrsigsOf(reply.answer).some((rr) => namesEqual(rr.owner, name)) ? undefined : dnameSynthesis(reply.answer, name);
    if (synthesized) return end(synthesized, { check: 'not-a-cut', records: alias.map(presentRecord) });
    // RFC 2181 10.1: an alias holds no other data, so it is no delegation; its CNAME must still be authentic.
    const check = verifyRrset(alias, rrsigsOf(reply.answer), parent.zone, parent.keys, context.nowSeconds, context.budget);
    const evidence = { check: 'not-a-cut' as const, records: alias.map(presentRecord), signatures: check.signatures };
    if (!check.ok) return end(failureOf(check, `CNAME at ${nameText}: ${check.detail}`), evidence);
    return { kind: 'not-a-cut', steps: [{ zone, question, outcome: 'ok', ...evidence, detail: `${nameText} is an alias in ${zone}, not a zone cut` }] };
  }
  const checked = checkDenial(proveDenial(reply.authority, parent.zone, name, TYPE.DS, reply.rcode), reply.authority, parent, context, `no DS at ${nameText}`);
  const evidence = { check: 'no-ds' as const, records: checked.records, signatures: checked.signatures };
  if (!checked.ok) return end(checked.failure, evidence);
  const meaning = noDsMeaning(checked.denial, zone, nameText);
  if ('failure' in meaning) return end(meaning.failure, evidence);
  const detail = meaning.kind === 'absent' ? `${nameText} does not exist in ${zone}, so no zone lies below it` : `${nameText} is in ${zone}, not a zone cut (no DS, no delegation)`;
  return { kind: meaning.kind, steps: [{ zone, question, outcome: 'ok', ...evidence, ...(meaning.kind === 'not-a-cut' ? { check: 'not-a-cut' as const } : {}), detail }] };
}

/**
 * What a proven absence of DS at a name means: an unsigned delegation (RFC 4035 5.2, RFC 5155 8.9), maybe one under
 * Opt-Out (RFC 5155 8.6), NSEC3 too costly to check (RFC 9276 3.2): insecure; otherwise no cut, or no name at all.
 */
export function noDsMeaning(denial: Exclude<Denial, { kind: 'failed' }>, parent: string, name: string): { readonly failure: Failure } | { readonly kind: 'not-a-cut' | 'absent' } {
  if (denial.kind === 'insecure') return { failure: { state: 'insecure', reason: 'nsec3-iterations', detail: `${parent} proves nothing below it: ${denial.reason}` } };
  if (denial.kind === 'nodata' && denial.delegation) return { failure: { state: 'insecure', reason: 'unsigned-delegation', detail: `${parent} delegates ${name} without DS: an unsigned delegation` } };
  if (denial.optOut) return { failure: { state: 'insecure', reason: 'opt-out', detail: `${name} lies in an NSEC3 Opt-Out span of ${parent}: it may be an unsigned delegation (RFC 5155 6)` } };
  return { kind: denial.kind === 'nxdomain' ? 'absent' : 'not-a-cut' };
}
