import { algorithmNumber } from './algorithms.ts';
import { DIGEST_TYPES } from './keys.ts';
import { nameFromText, nameToText, type Name } from './name.ts';
import { DNSKEY_FLAG, DNSKEY_PROTOCOL, readDnskey, writeDnskey, type Dnskey, type Ds } from './rdata.ts';

/**
 * Trust anchors: the DS or DNSKEY records a validation starts from (RFC 4033 3.1, RFC 4035 4.4), read from a file
 * in zone-file presentation form (RFC 1035 5.1; DS and DNSKEY text as RFC 4034 2.2 and 5.3 give it):
 *
 *   . IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
 *   example. 3600 IN DNSKEY 257 3 13 ( base64... )    ; comments, parentheses over several lines
 */

export type TrustAnchor =
  | { readonly zone: Name; readonly kind: 'DS'; readonly ds: Ds }
  | { readonly zone: Name; readonly kind: 'DNSKEY'; readonly dnskey: Dnskey; readonly rdata: Buffer };

export type AnchorParse = { readonly ok: true; readonly anchors: readonly TrustAnchor[] } | { readonly ok: false; readonly errors: readonly string[] };

/** One anchor as text, for evidence: `test. DS 12345 13 2 ab12...` or `test. DNSKEY 257 3 13 <key>`. */
export function anchorToText(anchor: TrustAnchor): string {
  return anchor.kind === 'DS'
    ? `${nameToText(anchor.zone)} DS ${anchor.ds.keyTag} ${anchor.ds.algorithm} ${anchor.ds.digestType} ${anchor.ds.digest.toString('hex').toUpperCase()}`
    : `${nameToText(anchor.zone)} DNSKEY ${anchor.dnskey.flags} ${anchor.dnskey.protocol} ${anchor.dnskey.algorithm} ${anchor.dnskey.publicKey.toString('base64')}`;
}

/** Parses every record of the file; errors name `file:line` and say what is wrong. */
export function parseTrustAnchors(text: string, fileName: string): AnchorParse {
  const anchors: TrustAnchor[] = [];
  const errors: string[] = [];
  let origin: Name | undefined;
  let previousOwner: Name | undefined;
  for (const entry of entries(text)) {
    const where = `${fileName}:${entry.line}`;
    if (entry.error) { errors.push(`${where}: ${entry.error}`); continue; }
    const [first, ...rest] = entry.tokens;
    if (first === '$ORIGIN') {
      origin = rest.length === 1 && rest[0]!.endsWith('.') ? nameFromText(rest[0]!) : undefined;
      if (!origin) errors.push(`${where}: $ORIGIN needs one absolute name (ending in a dot)`);
      continue;
    }
    if (first === '$TTL') continue; // TTLs mean nothing for an anchor
    if (first?.startsWith('$')) { errors.push(`${where}: directive ${first} is not supported in a trust-anchor file`); continue; }
    const owner = entry.inheritsOwner ? previousOwner : ownerName(first!, origin);
    if (!owner) {
      errors.push(`${where}: ${entry.inheritsOwner ? 'a record without an owner name comes first' : `owner name "${first}" is not a valid absolute name (end it with a dot, or set $ORIGIN)`}`);
      continue;
    }
    previousOwner = owner;
    const parsed = anchorRecord(owner, entry.inheritsOwner ? entry.tokens : rest);
    if (typeof parsed === 'string') errors.push(`${where}: ${parsed}`);
    else anchors.push(parsed);
  }
  if (errors.length === 0 && anchors.length === 0) errors.push(`${fileName}: no DS or DNSKEY records`);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, anchors };
}

function ownerName(token: string, origin: Name | undefined): Name | undefined {
  if (token === '@') return origin;
  if (token.endsWith('.')) return nameFromText(token);
  const relative = nameFromText(token);
  return relative && origin ? [...relative, ...origin] : undefined;
}

/** `[ttl] [class] type rdata...` after the owner name. */
function anchorRecord(zone: Name, tokens: readonly string[]): TrustAnchor | string {
  let i = 0;
  for (; i < tokens.length && i < 2; i++) {
    const token = tokens[i]!.toUpperCase();
    if (/^\d+$/.test(token) || token === 'IN') continue;
    if (token === 'CH' || token === 'HS' || token === 'CS') return `class ${token}: only IN has DNSSEC trust anchors`;
    break;
  }
  const type = tokens[i]?.toUpperCase();
  const fields = tokens.slice(i + 1);
  if (type === 'DS') return dsAnchor(zone, fields);
  if (type === 'DNSKEY') return dnskeyAnchor(zone, fields);
  return type ? `type ${type}: a trust anchor is a DS or DNSKEY record` : 'a record type (DS or DNSKEY) is missing';
}

function dsAnchor(zone: Name, fields: readonly string[]): TrustAnchor | string {
  if (fields.length < 4) return `DS needs key tag, algorithm, digest type and digest; found ${fields.length} fields`;
  const keyTag = integer(fields[0]!, 0xffff);
  const algorithm = algorithmField(fields[1]!);
  const digestType = integer(fields[2]!, 255);
  const hex = fields.slice(3).join('');
  if (keyTag === undefined) return `DS key tag "${fields[0]}" is not a number from 0 to 65535`;
  if (algorithm === undefined) return `DS algorithm "${fields[1]}" is not a number from 0 to 255 or a known mnemonic`;
  if (digestType === undefined) return `DS digest type "${fields[2]}" is not a number from 0 to 255`;
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) return 'DS digest is not an even number of hexadecimal digits';
  const digest = Buffer.from(hex, 'hex');
  const known = DIGEST_TYPES.get(digestType);
  if (known && digest.length !== known.octets) return `DS digest is ${digest.length} octets; ${known.name} (type ${digestType}) gives ${known.octets}`;
  return { zone, kind: 'DS', ds: { keyTag, algorithm, digestType, digest } };
}

function dnskeyAnchor(zone: Name, fields: readonly string[]): TrustAnchor | string {
  if (fields.length < 4) return `DNSKEY needs flags, protocol, algorithm and public key; found ${fields.length} fields`;
  const flags = integer(fields[0]!, 0xffff);
  const protocol = integer(fields[1]!, 255);
  const algorithm = algorithmField(fields[2]!);
  const base64 = fields.slice(3).join('');
  if (flags === undefined) return `DNSKEY flags "${fields[0]}" is not a number from 0 to 65535`;
  if ((flags & DNSKEY_FLAG.ZONE) === 0) return `DNSKEY flags ${flags} lack the zone key bit (256): not a zone key (RFC 4034 2.1.1)`;
  if (protocol !== DNSKEY_PROTOCOL) return `DNSKEY protocol "${fields[1]}" must be 3 (RFC 4034 2.1.2)`;
  if (algorithm === undefined) return `DNSKEY algorithm "${fields[2]}" is not a number from 0 to 255 or a known mnemonic`;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) return 'DNSKEY public key is not valid base64';
  const rdata = writeDnskey({ flags, protocol, algorithm, publicKey: Buffer.from(base64, 'base64') });
  return { zone, kind: 'DNSKEY', dnskey: readDnskey(rdata)!, rdata };
}

function integer(text: string, max: number): number | undefined {
  return /^\d{1,5}$/.test(text) && Number(text) <= max ? Number(text) : undefined;
}

function algorithmField(text: string): number | undefined {
  return integer(text, 255) ?? algorithmNumber(text);
}

type Entry = { readonly line: number; readonly tokens: readonly string[]; readonly inheritsOwner: boolean; readonly error?: string };

/**
 * RFC 1035 5.1: entries of whitespace-separated tokens, `;` starts a comment, parentheses continue an entry over
 * lines, and an entry that starts with blank space has the previous entry's owner.
 */
function* entries(text: string): Generator<Entry> {
  let open: { line: number; tokens: string[]; inheritsOwner: boolean } | undefined;
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const content = raw.replace(/;.*$/, '');
    const current = open ?? { line: index + 1, tokens: [], inheritsOwner: /^\s/.test(content) };
    let depth = open ? 1 : 0;
    for (const token of content.replace(/([()])/g, ' $1 ').split(/\s+/).filter(Boolean)) {
      if (token === '(') depth++;
      else if (token === ')') depth--;
      else current.tokens.push(token);
      if (depth < 0 || depth > 1) { yield { ...current, error: 'unbalanced parentheses' }; open = undefined; depth = -1; break; }
    }
    if (depth < 0) continue;
    if (depth === 1) { open = current; continue; }
    open = undefined;
    if (current.tokens.length > 0) yield current;
  }
  if (open) yield { ...open, error: 'a parenthesis opened here is never closed' };
}

