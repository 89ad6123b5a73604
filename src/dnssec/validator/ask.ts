import type { Rr } from '../message.ts';
import { isAtOrBelow, nameToText, namesEqual, type Name } from '../name.ts';
import { readRrsig } from '../rdata.ts';
import { CLASS_IN, TYPE, typeName } from '../rr-types.ts';
import type { DnssecFetch, Failure, FetchedAnswer, Step } from './types.ts';

/** One question of the walk, with every way it can fail turned into an indeterminate step. */

const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

export type Asked =
  | { readonly ok: true; readonly reply: FetchedAnswer; readonly question: string }
  | { readonly ok: false; readonly failure: Failure; readonly step: Step };

export async function ask(fetch: DnssecFetch, zone: Name, name: Name, type: number): Promise<Asked> {
  const question = `${nameToText(name)} ${typeName(type)}`;
  const fail = (detail: string): Asked => ({
    ok: false,
    failure: { state: 'indeterminate', reason: 'fetch-failed', detail },
    step: { zone: nameToText(zone), check: type === TYPE.DS ? 'ds' : type === TYPE.DNSKEY ? 'dnskey' : 'answer', question, outcome: 'indeterminate', detail },
  });
  let reply: FetchedAnswer;
  try {
    reply = await fetch(nameToText(name), typeName(type));
  } catch (err) {
    return fail(`could not ask ${question}: ${err instanceof Error ? err.message : String(err)}`);
  }
  // RFC 1035 4.1.1: only NOERROR and NXDOMAIN say something about the name; the rest say the server could not answer.
  if (reply.rcode !== 0 && reply.rcode !== 3) return fail(`the resolver answered ${RCODE_NAMES[reply.rcode] ?? `RCODE ${reply.rcode}`} to ${question}`);
  return { ok: true, reply, question };
}

/** The records of one RRset in a section: owner, type and class IN. */
export function rrsetOf(section: readonly Rr[], owner: Name, type: number): Rr[] {
  return section.filter((rr) => rr.type === type && rr.class === CLASS_IN && namesEqual(rr.owner, owner));
}

/** The RRSIGs of a section. */
export function rrsigsOf(section: readonly Rr[]): Rr[] {
  return section.filter((rr) => rr.type === TYPE.RRSIG);
}

/** Records grouped into RRsets by owner and type, in order of first appearance. */
export function groupRrsets(records: readonly Rr[]): Rr[][] {
  const groups = new Map<string, Rr[]>();
  for (const rr of records) {
    const key = `${nameToText(rr.owner).toLowerCase()} ${rr.type}`;
    groups.set(key, [...(groups.get(key) ?? []), rr]);
  }
  return [...groups.values()];
}

/**
 * The zone that signed a section's records: the signer of the first RRSIG covering one of `types` (at `owner`, if
 * given) whose signer is an ancestor of `name` (a proper one when `strict`: DS is signed by the parent) at or below
 * `anchor`. Undefined when nothing there is signed by such a zone.
 */
export function signerOf(section: readonly Rr[], types: readonly number[], name: Name, anchor: Name, strict: boolean, owner?: Name): Name | undefined {
  for (const rr of rrsigsOf(section)) {
    if (owner && !namesEqual(rr.owner, owner)) continue;
    const sig = readRrsig(rr.rdata);
    if (!sig || !types.includes(sig.typeCovered)) continue;
    if (isAtOrBelow(name, sig.signer) && isAtOrBelow(sig.signer, anchor) && !(strict && sig.signer.length >= name.length)) return sig.signer;
  }
  return undefined;
}

/**
 * RFC 6672 3.2: a CNAME synthesized from a DNAME above the name comes unsigned; only the DNAME is signed. Vouch
 * does not validate DNAME redirection yet, so such an answer is "could not validate", not bogus.
 */
export function dnameSynthesis(section: readonly Rr[], name: Name): Failure | undefined {
  const dname = section.find((rr) => rr.type === TYPE.DNAME && rr.owner.length < name.length && isAtOrBelow(name, rr.owner));
  return dname && {
    state: 'indeterminate', reason: 'dname-not-validated',
    detail: `${nameToText(name)} is redirected by the DNAME at ${nameToText(dname.owner)} (RFC 6672), which Vouch does not validate yet`,
  };
}
