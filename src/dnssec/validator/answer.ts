import { proveDenial, proveExpansion } from '../denial/index.ts';
import { readName, type Rr } from '../message.ts';
import { ancestorWithLabels, nameToText, namesEqual, signatureLabelCount, type Name } from '../name.ts';
import { presentRecord } from '../present.ts';
import { TYPE, typeName } from '../rr-types.ts';
import { dnameSynthesis, rrsetOf, rrsigsOf, type Asked } from './ask.ts';
import { checkDenial } from './denial-check.ts';
import type { FetchedAnswer, Failure, Step, Validation } from './types.ts';
import { failureOf, outcomeOf, verifyRrset } from './verify-rrset.ts';
import type { SecureZone, WalkContext } from './zone-trust.ts';

/**
 * The last link: the answer to the question itself, from the zone the walk ended in. Records must carry a
 * signature of that zone (and, if expanded from a wildcard, a proof that the name itself does not exist: RFC 4035
 * 5.3.4); a negative answer needs an authentic denial of existence (RFC 4035 5.4).
 */
export type Final = {
  readonly failure?: Failure;
  readonly steps: readonly Step[];
  readonly answer?: Validation['answer'];
  readonly weak: readonly string[];
  /** The alias the name is, when it is one: the caller validates the target too. */
  readonly cnameTarget?: Name;
  readonly authenticated?: boolean;
};

export function checkAnswer(zone: SecureZone, name: Name, type: number, asked: Extract<Asked, { ok: true }>, context: WalkContext): Final {
  const { reply, question } = asked;
  const base = { question, zone: nameToText(zone.zone) };
  const authenticated = reply.authenticated;
  const rrset = rrsetOf(reply.answer, name, type);
  if (rrset.length > 0) return { ...positive(rrset, reply, zone, context, base), ...(authenticated === undefined ? {} : { authenticated }) };
  const alias = type === TYPE.CNAME ? [] : rrsetOf(reply.answer, name, TYPE.CNAME);
  if (alias.length > 0) {
    const synthesized = rrsigsOf(reply.answer).some((rr) => namesEqual(rr.owner, name)) ? undefined : dnameSynthesis(reply.answer, name);
    if (synthesized) return { failure: synthesized, weak: [], steps: [{ ...base, check: 'cname', outcome: 'indeterminate', records: alias.map(presentRecord), detail: synthesized.detail }] };
    const link = positive(alias, reply, zone, context, base);
    const target = readName(alias[0]!.rdata, 0)?.name;
    return { ...link, ...(link.failure || !target ? {} : { cnameTarget: target }), ...(authenticated === undefined ? {} : { authenticated }) };
  }
  const what = `${reply.rcode === 3 ? 'NXDOMAIN' : 'no data'} for ${question}`;
  const checked = checkDenial(proveDenial(reply.authority, zone.zone, name, type, reply.rcode), reply.authority, zone, context, what);
  const evidence = { ...base, check: 'denial' as const, records: checked.records, signatures: checked.signatures };
  const result = (failure: Failure | undefined, detail: string, answer?: Validation['answer']): Final => ({
    ...(failure ? { failure } : {}), ...(answer ? { answer } : {}), ...(authenticated === undefined ? {} : { authenticated }),
    weak: checked.ok ? checked.weak : [],
    steps: [{ ...evidence, outcome: outcomeOf(failure), detail }],
  });
  if (!checked.ok) return result(checked.failure, checked.failure.detail);
  const { denial } = checked;
  if (denial.kind === 'insecure') {
    const failure: Failure = { state: 'insecure', reason: 'nsec3-iterations', detail: `${what}: ${denial.reason}` };
    return result(failure, failure.detail);
  }
  if (denial.kind === 'expanded') {
    const failure: Failure = { state: 'bogus', reason: 'invalid-denial', detail: `${what}: the records prove no negative answer` };
    return result(failure, failure.detail);
  }
  const answer = denial.kind === 'nxdomain' ? 'nxdomain' : 'nodata';
  if (denial.optOut) {
    const failure: Failure = { state: 'insecure', reason: 'opt-out', detail: `${what}: the proof rests on an NSEC3 Opt-Out span, which may hide an unsigned delegation (RFC 5155 9.2)` };
    return result(failure, failure.detail, answer);
  }
  const wildcard = denial.kind === 'nodata' && denial.wildcard ? ` (through the wildcard ${nameToText(denial.wildcard)})` : '';
  return result(undefined, `${what}: proven by ${checked.records.length} authentic denial record(s)${wildcard}`, answer);
}

function positive(rrset: readonly Rr[], reply: FetchedAnswer, zone: SecureZone, context: WalkContext, base: { question: string; zone: string }): Final {
  const first = rrset[0]!;
  const records = rrset.map(presentRecord);
  const covers = `${typeName(first.type)} ${nameToText(first.owner)}`;
  const check = verifyRrset(rrset, rrsigsOf(reply.answer), zone.zone, zone.keys, context.nowSeconds, context.budget);
  const kind = first.type === TYPE.CNAME ? 'cname' as const : 'answer' as const;
  if (!check.ok) {
    const failure = failureOf(check, check.detail);
    return { failure, weak: [], steps: [{ ...base, check: kind, outcome: outcomeOf(failure), records, signatures: check.signatures, detail: failure.detail }] };
  }
  const weak = check.weak ? [check.weak] : [];
  if (check.labels >= signatureLabelCount(first.owner)) {
    return { answer: 'records', weak, steps: [{ ...base, check: kind, outcome: 'ok', records, signatures: check.signatures, detail: `${nameToText(zone.zone)} signs ${covers}` }] };
  }
  // RFC 4035 5.3.4: expanded from `*.encloser`; authentic only with proof that no closer name exists.
  const encloser = ancestorWithLabels(first.owner, check.labels)!;
  const what = `${covers}, expanded from the wildcard *.${nameToText(encloser)}`;
  const proof = checkDenial(proveExpansion(reply.authority, zone.zone, first.owner, encloser), reply.authority, zone, context, what);
  const signatures = [...check.signatures, ...proof.signatures];
  const allRecords = [...records, ...proof.records];
  if (!proof.ok) {
    return { failure: proof.failure, weak, steps: [{ ...base, check: kind, outcome: outcomeOf(proof.failure), records: allRecords, signatures, detail: proof.failure.detail }] };
  }
  return { answer: 'records', weak: [...weak, ...proof.weak], steps: [{ ...base, check: kind, outcome: 'ok', records: allRecords, signatures, detail: `${nameToText(zone.zone)} signs ${what}, and proves the name itself does not exist` }] };
}
