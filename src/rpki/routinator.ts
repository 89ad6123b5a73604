import type { OriginValidity, ValidityState, VrpText } from './origin-validation.ts';

/**
 * The Routinator (and rpki-client, StayRTR-compatible) HTTP validity API: `GET <base>/api/v1/validity/AS<asn>/<prefix>`
 * answers `{"validated_route": {"route": {...}, "validity": {"state": "valid" | "invalid" | "not-found", "VRPs":
 * {"matched": [...], "unmatched_as": [...], "unmatched_length": [...]}}}}`.
 */

/** The request URL under the configured base (its path kept: a validator behind a reverse proxy). */
export function validityUrl(base: string, asn: number, prefix: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/$/, '')}/api/v1/validity/AS${asn}/${prefix}`;
  return url.href;
}

const STATES: readonly ValidityState[] = ['valid', 'invalid', 'not-found'];

/** The answer's validity, or a problem in words. Pure and total. */
export function parseValidityResponse(json: unknown): { readonly ok: true; readonly validity: OriginValidity } | { readonly ok: false; readonly problem: string } {
  const validity = (json as { validated_route?: { validity?: { state?: unknown; VRPs?: Record<string, unknown> } } } | null)?.validated_route?.validity;
  const state = validity?.state;
  if (typeof state !== 'string' || !(STATES as readonly string[]).includes(state)) {
    return { ok: false, problem: `no validated_route.validity.state of ${STATES.join(', ')} in the answer` };
  }
  const vrps = (name: string): VrpText[] => {
    const list = validity?.VRPs?.[name];
    return Array.isArray(list) ? list.flatMap((v: unknown) => {
      const e = v as { asn?: unknown; prefix?: unknown; max_length?: unknown } | null;
      return typeof e?.asn === 'string' && typeof e.prefix === 'string'
        ? [{ asn: e.asn, prefix: e.prefix, maxLength: Number(e.max_length) }] : [];
    }) : [];
  };
  return { ok: true, validity: { state: state as ValidityState, matched: vrps('matched'), unmatchedAs: vrps('unmatched_as'), unmatchedLength: vrps('unmatched_length') } };
}
