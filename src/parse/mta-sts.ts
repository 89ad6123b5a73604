/** The `_mta-sts` TXT record (RFC 8461 3.1). */
export type MtaStsRecord = { readonly id: string; readonly extensions: readonly string[] };

/** The TXT record, or why senders would assume no policy. */
export type MtaStsRecordParse = { readonly ok: true; readonly record: MtaStsRecord } | { readonly ok: false; readonly problem: string };

/** RFC 8461 5: enforce refuses unvalidated delivery, testing only reports, none withdraws the policy. */
export type MtaStsMode = 'enforce' | 'testing' | 'none';

/** An MTA-STS policy file (RFC 8461 3.2). JSON-only, so it can be evidence. */
export type MtaStsPolicy = {
  readonly version: string;
  readonly mode: MtaStsMode;
  /** Seconds a sender may cache the policy, 0..31557600. */
  readonly maxAge: number;
  /** Allowed MX host patterns, lower-cased, without a trailing dot. */
  readonly mx: readonly string[];
  readonly unknownFields: readonly string[];
};

/** The policy, or why senders would not use it. */
export type MtaStsPolicyParse = { readonly ok: true; readonly policy: MtaStsPolicy } | { readonly ok: false; readonly problem: string };

/** RFC 8461 3.1: of several TXT records, those not beginning with `v=STSv1;` are discarded. */
const MTA_STS_RECORD_START = /^v=STSv1\s*;/;

/**
 * TXT records that are meant as MTA-STS, including near misses (`v=stsv1`, `v=STSv1 id=1`): a check reports those
 * as invalid rather than missing. `parseMtaStsRecord` then insists on the exact form.
 */
export const MTA_STS_CANDIDATE = /^\s*v\s*=\s*stsv1/i;

const STS_ID = /^[A-Za-z0-9]{1,32}$/;
const EXT_FIELD = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}=[\x21-\x3a\x3c\x3e-\x7e]+$/;
/** One year: the largest max_age RFC 8461 3.2 allows. */
export const MTA_STS_MAX_AGE_LIMIT = 31_557_600;
/** RFC 8461 3.2 sts-policy-mx-value: ["*."] Domain, with RFC 5321 Domain labels (letters, digits, inner hyphens). */
const MX_PATTERN = /^(\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/**
 * Parses the `_mta-sts.<domain>` TXT record (RFC 8461 3.1). Pure and total.
 * `v=STSv1` is case-sensitive and first; `id=` is 1-32 letters or digits; extension fields are kept, not judged.
 */
export function parseMtaStsRecord(text: string): MtaStsRecordParse {
  if (!MTA_STS_RECORD_START.test(text)) return { ok: false, problem: 'record does not start with "v=STSv1;"' };
  const fields = text.split(';').map((f) => f.trim()).filter((f) => f !== '').slice(1);
  const ids = fields.filter((f) => f.startsWith('id='));
  if (ids.length !== 1) return { ok: false, problem: ids.length === 0 ? 'id= is missing' : 'id= appears more than once' };
  const id = ids[0]!.slice(3);
  if (!STS_ID.test(id)) return { ok: false, problem: `id=${id} must be 1-32 letters or digits` };
  const extensions = fields.filter((f) => !f.startsWith('id='));
  const bad = extensions.find((f) => !EXT_FIELD.test(f));
  if (bad !== undefined) return { ok: false, problem: `"${bad}" is not a valid field` };
  return { ok: true, record: { id, extensions } };
}

/**
 * Parses a policy file body (RFC 8461 3.2). Pure and total.
 * - Lines are `key: value`, separated by CRLF or LF (the ABNF's sts-policy-term allows both; erratum 6253).
 * - version must be STSv1, mode enforce|testing|none, max_age an integer up to 31557600.
 * - mx may repeat; it is required unless mode is none. A wildcard is allowed only as the whole leftmost label.
 * - Unknown fields are ignored (3.2) but listed; a repeated version, mode or max_age is rejected as ambiguous.
 */
export function parseMtaStsPolicy(body: string): MtaStsPolicyParse {
  const fields = new Map<string, string>();
  const mx: string[] = [];
  const unknownFields: string[] = [];
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon === -1) return { ok: false, problem: `line "${line}" is not "key: value"` };
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key === 'mx') {
      const pattern = value.toLowerCase().replace(/\.$/, '');
      if (!MX_PATTERN.test(pattern)) return { ok: false, problem: `mx: ${value} is not a host name or *.domain pattern` };
      mx.push(pattern);
    } else if (key === 'version' || key === 'mode' || key === 'max_age') {
      if (fields.has(key)) return { ok: false, problem: `${key} appears more than once` };
      fields.set(key, value);
    } else {
      unknownFields.push(key);
    }
  }
  const version = fields.get('version');
  if (version !== 'STSv1') return { ok: false, problem: version === undefined ? 'version is missing' : `version ${version} is not STSv1` };
  const mode = fields.get('mode');
  if (mode !== 'enforce' && mode !== 'testing' && mode !== 'none') {
    return { ok: false, problem: mode === undefined ? 'mode is missing' : `mode ${mode} is not enforce, testing or none` };
  }
  const maxAge = fields.get('max_age');
  if (maxAge === undefined) return { ok: false, problem: 'max_age is missing' };
  if (!/^\d{1,10}$/.test(maxAge) || Number(maxAge) > MTA_STS_MAX_AGE_LIMIT) {
    return { ok: false, problem: `max_age ${maxAge} is not an integer from 0 to ${MTA_STS_MAX_AGE_LIMIT}` };
  }
  if (mx.length === 0 && mode !== 'none') return { ok: false, problem: 'no mx: lines; senders could deliver to no MX' };
  return { ok: true, policy: { version, mode, maxAge: Number(maxAge), mx, unknownFields } };
}

/**
 * Whether an MX host name matches a policy pattern (RFC 8461 3.2 mx, applied in 4.1): exact match, or `*.` plus
 * the rest where the wildcard stands for exactly one leftmost label, so `*.example.com` matches
 * `mx.example.com` but neither `example.com` nor `a.b.example.com`. Case-insensitive, trailing dots ignored.
 */
export function mxMatchesPattern(host: string, pattern: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  const rule = pattern.toLowerCase().replace(/\.$/, '');
  if (!rule.startsWith('*.')) return name === rule;
  const dot = name.indexOf('.');
  return dot > 0 && name.slice(dot + 1) === rule.slice(2);
}
