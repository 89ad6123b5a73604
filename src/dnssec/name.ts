/**
 * Domain names as DNSSEC needs them: a list of labels (leftmost first, the root is the empty list), each label its
 * octets as received, so a label holding a dot or a byte above 127 survives and case is kept until a canonical form
 * asks for lower case (RFC 4034 6.2). Pure and total: text that is no valid name gives undefined, never an exception.
 */

export type Name = readonly Buffer[];

/** RFC 1035 2.3.4: a label holds at most 63 octets, a name at most 255 on the wire. */
export const MAX_LABEL_OCTETS = 63;
export const MAX_NAME_OCTETS = 255;

export const ROOT: Name = [];

/**
 * Parses a name in presentation form (RFC 1035 5.1: `\.` and `\DDD` escapes); a final dot is optional, `.` and the
 * empty string are the root. Undefined for an empty label, a bad escape or a name over the length limits.
 */
export function nameFromText(text: string): Name | undefined {
  if (text === '' || text === '.') return ROOT;
  const labels: Buffer[] = [];
  let current: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '.') {
      if (current.length === 0) return undefined;
      labels.push(Buffer.from(current));
      current = [];
    } else if (char === '\\') {
      const digits = text.slice(i + 1, i + 4);
      if (/^\d{3}$/.test(digits)) {
        if (Number(digits) > 255) return undefined;
        current.push(Number(digits));
        i += 3;
      } else if (i + 1 < text.length) {
        current.push(...Buffer.from(text[++i]!, 'utf8'));
      } else {
        return undefined;
      }
    } else {
      current.push(...Buffer.from(char, 'utf8'));
    }
    if (current.length > MAX_LABEL_OCTETS) return undefined;
  }
  if (current.length > 0) labels.push(Buffer.from(current));
  return wireLength(labels) <= MAX_NAME_OCTETS ? labels : undefined;
}

/** Octets of the uncompressed wire form: a length octet per label, its octets, and the root's zero. */
export function wireLength(name: Name): number {
  return name.reduce((sum, label) => sum + 1 + label.length, 1);
}

/** Presentation form with the final dot (`www.example.`, the root `.`); special and non-printable octets escaped. */
export function nameToText(name: Name): string {
  if (name.length === 0) return '.';
  return name.map(labelToText).join('.') + '.';
}

function labelToText(label: Buffer): string {
  let text = '';
  for (const octet of label) {
    if (octet <= 0x20 || octet >= 0x7f) text += `\\${String(octet).padStart(3, '0')}`;
    else if ('.\\()";@$'.includes(String.fromCharCode(octet))) text += `\\${String.fromCharCode(octet)}`;
    else text += String.fromCharCode(octet);
  }
  return text;
}

/** The uncompressed wire form (RFC 1035 3.1); with `lower`, in the canonical lower case of RFC 4034 6.2. */
export function nameToWire(name: Name, lower = false): Buffer {
  const out = Buffer.alloc(wireLength(name));
  let offset = 0;
  for (const label of name) {
    out[offset++] = label.length;
    for (const octet of label) out[offset++] = lower ? lowerOctet(octet) : octet;
  }
  return out;
}

/** RFC 4034 6.1: only US-ASCII upper-case letters are folded. */
function lowerOctet(octet: number): number {
  return octet >= 0x41 && octet <= 0x5a ? octet | 0x20 : octet;
}

export function lowerName(name: Name): Name {
  return name.map((label) => Buffer.from(label.map(lowerOctet)));
}

/** A string that is equal for names equal in DNS (case-insensitive): for maps and sets. */
export function nameKey(name: Name): string {
  return nameToText(lowerName(name));
}

export function namesEqual(a: Name, b: Name): boolean {
  return a.length === b.length && a.every((label, i) => compareLabels(label, b[i]!) === 0);
}

/** Label order of RFC 4034 6.1: octet by octet in lower case, a label that is a prefix of another first. */
function compareLabels(a: Buffer, b: Buffer): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const diff = lowerOctet(a[i]!) - lowerOctet(b[i]!);
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * RFC 4034 6.1 canonical order: compare from the rightmost label leftwards; a name that runs out of labels first
 * (an ancestor) sorts first. `example.` < `a.example.` < `yljkjljk.a.example.` < `Z.a.example.` < `z.example.`.
 */
export function compareNames(a: Name, b: Name): number {
  for (let i = 1; i <= Math.min(a.length, b.length); i++) {
    const order = compareLabels(a[a.length - i]!, b[b.length - i]!);
    if (order !== 0) return order;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** `name` is `ancestor` or below it. */
export function isAtOrBelow(name: Name, ancestor: Name): boolean {
  return name.length >= ancestor.length && namesEqual(name.slice(name.length - ancestor.length), ancestor);
}

/** The ancestor of `name` (or itself) with `count` labels, taken from the right; undefined when it has fewer. */
export function ancestorWithLabels(name: Name, count: number): Name | undefined {
  return count >= 0 && count <= name.length ? name.slice(name.length - count) : undefined;
}

/** The longest name both are at or below (the root at least). */
export function commonAncestor(a: Name, b: Name): Name {
  let shared = 0;
  while (shared < Math.min(a.length, b.length)
    && compareLabels(a[a.length - 1 - shared]!, b[b.length - 1 - shared]!) === 0) shared++;
  return a.slice(a.length - shared);
}

const ASTERISK = Buffer.from('*');

/** RFC 4592 2.1.1: a wildcard's owner has `*` as its leftmost label. */
export function isWildcard(name: Name): boolean {
  return name.length > 0 && name[0]!.equals(ASTERISK);
}

/** `*.name`, the wildcard that would answer for names directly below `name` (RFC 4592 2.2). */
export function wildcardAt(name: Name): Name {
  return [ASTERISK, ...name];
}

/**
 * RFC 4034 3.1.3: the RRSIG Labels field counts the owner's labels without the root and without a leading `*`.
 */
export function signatureLabelCount(name: Name): number {
  return isWildcard(name) ? name.length - 1 : name.length;
}
