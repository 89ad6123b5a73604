/**
 * Canonical JSON: object keys sorted by UTF-16 code unit, no whitespace, numbers and strings as JSON.stringify
 * writes them; properties whose value is undefined (or a function) are left out and such array items are `null`,
 * as JSON.stringify does; `toJSON` is honoured. For the JSON values a report holds this is the serialization of
 * RFC 8785 (JCS), so a digest does not depend on key order or indentation.
 *
 * Built in JavaScript with plain loops and string concatenation: measured 3-5x faster than a JSON.stringify
 * replacer that sorts each object (the replacer is called for every value, primitives included), and the digest
 * runs over every byte of a report of any size.
 */
export function canonicalJson(input: unknown): string {
  return serialize(input) ?? 'null';
}

/** Strings JSON.stringify would escape (quote, backslash, controls, surrogates): the rest are quoted as they are. */
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

/** The canonical text of a value, or undefined for a value JSON leaves out (undefined, a function, a symbol). */
function serialize(input: unknown): string | undefined {
  switch (typeof input) {
    case 'string': return NEEDS_ESCAPING.test(input) ? JSON.stringify(input) : `"${input}"`;
    case 'object': break;
    case 'undefined': case 'function': case 'symbol': return undefined;
    default: return JSON.stringify(input); // numbers (NaN and Infinity as null), booleans; a bigint throws, as in JSON
  }
  if (input === null) return 'null';
  if (typeof (input as { toJSON?: unknown }).toJSON === 'function') return serialize((input as { toJSON: () => unknown }).toJSON());
  if (Array.isArray(input)) {
    let text = '[';
    for (let i = 0; i < input.length; i++) text += (i > 0 ? ',' : '') + (serialize(input[i]) ?? 'null');
    return `${text}]`;
  }
  const source = input as Record<string, unknown>;
  const keys = Object.keys(source);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      keys.sort();
      break;
    }
  }
  let text = '{';
  for (const key of keys) {
    const value = serialize(source[key]);
    if (value !== undefined) text += (text.length > 1 ? ',' : '') + serialize(key)! + ':' + value;
  }
  return `${text}}`;
}

/**
 * The canonical JSON schema-1 reports were sealed with, kept so they still verify. It differs from canonicalJson in
 * one corner only: an own `__proto__` member is left out, unless an integer-like key ("1") occurs anywhere in the value.
 */
export function canonicalJsonV1(input: unknown): string {
  let integerKey = false;
  const text = JSON.stringify(input, (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const source = value as Record<string, unknown>;
    const keys = Object.keys(source);
    let inOrder = true;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (INTEGER_KEY.test(key)) integerKey = true;
      if ((i > 0 && keys[i - 1]! > key) || key === '__proto__') inOrder = false;
    }
    if (inOrder) return source;
    keys.sort();
    const sorted: Record<string, unknown> = {};
    for (const key of keys) sorted[key] = source[key]; // assigning `__proto__` sets the prototype: the member is dropped
    return sorted;
  });
  return integerKey ? canonicalJson(input) : text ?? 'null';
}

const INTEGER_KEY = /^(0|[1-9]\d*)$/;
