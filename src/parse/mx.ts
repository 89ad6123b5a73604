/** One MX record: preference and exchange host (lower-case, no trailing dot; `.` for the null MX). */
export type MxRecord = { readonly preference: number; readonly exchange: string };

/** MX records sorted by preference, whether they are the RFC 7505 null MX, and records that did not parse. */
export type MxSet = {
  readonly records: readonly MxRecord[];
  /** A single record whose exchange is `.` (RFC 7505 3 writes it `0 .`; senders key on the root exchange). */
  readonly nullMx: boolean;
  /** A `.` exchange next to real MX hosts, which RFC 7505 3 forbids. */
  readonly mixedNullMx: boolean;
  readonly malformed: readonly string[];
};

/**
 * Parses MX records in presentation format (`10 mx.example.nl`, as DnsAnswer gives them). Pure and total.
 * The root exchange may be written `.` or be empty, since the probe strips one trailing dot.
 */
export function parseMxRecords(records: readonly string[]): MxSet {
  const parsed: MxRecord[] = [];
  const malformed: string[] = [];
  for (const text of records) {
    const match = /^\s*(\d{1,5})(?:\s+(\S*))?\s*$/.exec(text);
    const preference = Number(match?.[1]);
    if (!match || preference > 65_535) {
      malformed.push(text);
      continue;
    }
    const host = (match[2] ?? '').toLowerCase().replace(/\.$/, '');
    parsed.push({ preference, exchange: host === '' ? '.' : host });
  }
  parsed.sort((a, b) => a.preference - b.preference);
  const roots = parsed.filter((r) => r.exchange === '.');
  return {
    records: parsed,
    nullMx: parsed.length === 1 && roots.length === 1,
    mixedNullMx: roots.length > 0 && parsed.length > roots.length,
    malformed,
  };
}
