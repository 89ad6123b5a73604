/** Resource record type numbers (IANA "Resource Record (RR) TYPEs") and where names sit in their RDATA. */

export const TYPE = {
  A: 1, NS: 2, MD: 3, MF: 4, CNAME: 5, SOA: 6, MB: 7, MG: 8, MR: 9, PTR: 12, HINFO: 13, MINFO: 14, MX: 15, TXT: 16,
  RP: 17, AFSDB: 18, RT: 21, SIG: 24, PX: 26, AAAA: 28, SRV: 33, NAPTR: 35, KX: 36, DNAME: 39, OPT: 41, DS: 43,
  SSHFP: 44, RRSIG: 46, NSEC: 47, DNSKEY: 48, NSEC3: 50, NSEC3PARAM: 51, TLSA: 52, CDS: 59, CDNSKEY: 60, SVCB: 64,
  HTTPS: 65, SPF: 99, ANY: 255, CAA: 257,
} as const;

const NAMES = new Map<number, string>(Object.entries(TYPE).map(([name, number]) => [number, name]));

/** The mnemonic, or RFC 3597 5's `TYPE<n>` for a type without one. */
export function typeName(type: number): string {
  return NAMES.get(type) ?? `TYPE${type}`;
}

/** A mnemonic (any case) or `TYPE<n>`; undefined for anything else. */
export function typeNumber(text: string): number | undefined {
  const upper = text.toUpperCase();
  if (Object.hasOwn(TYPE, upper)) return TYPE[upper as keyof typeof TYPE];
  const generic = /^TYPE(\d{1,5})$/.exec(upper);
  return generic && Number(generic[1]) <= 0xffff ? Number(generic[1]) : undefined;
}

/** RFC 1035 3.2.4: the Internet class. */
export const CLASS_IN = 1;

/**
 * The RDATA of a type with domain names in it, as a sequence of fields: a fixed number of octets, a domain name, or
 * a character-string (a length octet and its octets); whatever follows the last field is copied as it is.
 */
export type RdataField = number | 'name' | 'string';

/**
 * Types whose RDATA names are decompressed on receipt (RFC 3597 4: those of RFC 1035 MUST, the others SHOULD) and
 * lower-cased in the canonical form (RFC 4034 6.2 item 3, as corrected by RFC 6840 5.1: not the NSEC next name).
 */
export const RDATA_NAMES: ReadonlyMap<number, { readonly fields: readonly RdataField[]; readonly canonicalLower: boolean }> = new Map([
  ...[TYPE.NS, TYPE.MD, TYPE.MF, TYPE.CNAME, TYPE.MB, TYPE.MG, TYPE.MR, TYPE.PTR, TYPE.DNAME]
    .map((type) => [type, { fields: ['name'] as RdataField[], canonicalLower: true }] as const),
  [TYPE.SOA, { fields: ['name', 'name'], canonicalLower: true }],
  [TYPE.MINFO, { fields: ['name', 'name'], canonicalLower: true }],
  [TYPE.RP, { fields: ['name', 'name'], canonicalLower: true }],
  ...[TYPE.MX, TYPE.AFSDB, TYPE.RT, TYPE.KX].map((type) => [type, { fields: [2, 'name'] as RdataField[], canonicalLower: true }] as const),
  [TYPE.PX, { fields: [2, 'name', 'name'], canonicalLower: true }],
  [TYPE.SRV, { fields: [6, 'name'], canonicalLower: true }],
  [TYPE.NAPTR, { fields: [4, 'string', 'string', 'string', 'name'], canonicalLower: true }],
  [TYPE.SIG, { fields: [18, 'name'], canonicalLower: true }],
  [TYPE.RRSIG, { fields: [18, 'name'], canonicalLower: true }],
  [TYPE.NSEC, { fields: ['name'], canonicalLower: false }],
]);
