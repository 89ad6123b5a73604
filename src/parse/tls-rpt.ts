/** A `_smtp._tls` TLS-RPT policy record (RFC 8460 3). */
export type TlsRptRecord = {
  /** Report destinations as written, each a mailto: or https: URI. */
  readonly rua: readonly string[];
  readonly extensions: readonly string[];
};

/** The record, or why senders would treat the domain as not asking for reports. */
export type TlsRptParse = { readonly ok: true; readonly record: TlsRptRecord } | { readonly ok: false; readonly problem: string };

/** RFC 8460 3: of several TXT records, those not beginning with `v=TLSRPTv1` are discarded. */
const TLS_RPT_RECORD_START = /^v=TLSRPTv1\s*(;|$)/;

/**
 * TXT records that are meant as TLS-RPT, including near misses (`v=tlsrptv1`, ` v = TLSRPTv1`): a check reports
 * those as invalid rather than missing. `parseTlsRpt` then insists on the exact form.
 */
export const TLS_RPT_CANDIDATE = /^\s*v\s*=\s*tlsrptv1/i;

const EXT_FIELD = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}=[\x21-\x3a\x3c\x3e-\x7e]+$/;

/**
 * Parses one TLS-RPT TXT record (RFC 8460 3). Pure and total.
 * - `v=TLSRPTv1` first (case-sensitive); exactly one `rua=`, a comma-separated list of at least one URI.
 * - Each URI is `mailto:` with an address or `https:` with a host (RFC 8460 3, tlsrpt-uri); commas and "!" inside
 *   a URI must be percent-encoded, so splitting on "," is exact.
 * - Extension fields are allowed and kept.
 */
export function parseTlsRpt(text: string): TlsRptParse {
  if (!TLS_RPT_RECORD_START.test(text)) return { ok: false, problem: 'record does not start with "v=TLSRPTv1"' };
  const fields = text.split(';').map((f) => f.trim()).filter((f) => f !== '').slice(1);
  const ruas = fields.filter((f) => /^rua\s*=/.test(f));
  if (ruas.length !== 1) return { ok: false, problem: ruas.length === 0 ? 'rua= is missing' : 'rua= appears more than once' };
  const rua = ruas[0]!.replace(/^rua\s*=/, '').split(',').map((u) => u.trim());
  for (const uri of rua) {
    const problem = uriProblem(uri);
    if (problem) return { ok: false, problem: `rua "${uri}": ${problem}` };
  }
  const extensions = fields.filter((f) => !/^rua\s*=/.test(f));
  const bad = extensions.find((f) => !EXT_FIELD.test(f));
  if (bad !== undefined) return { ok: false, problem: `"${bad}" is not a valid field` };
  return { ok: true, record: { rua, extensions } };
}

function uriProblem(uri: string): string | null {
  if (uri === '') return 'empty URI';
  if (/^mailto:/i.test(uri)) {
    return /^mailto:[^@\s,!]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(\?\S*)?$/i.test(uri) ? null : 'not a valid mailto: address';
  }
  if (/^https:/i.test(uri)) {
    return URL.canParse(uri) && new URL(uri).hostname !== '' && !/[\s,!]/.test(uri) ? null : 'not a valid https: URL';
  }
  return 'only mailto: and https: are allowed';
}
