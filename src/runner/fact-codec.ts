import { ProbeError } from '../core/errors.ts';
import { ERROR_REASONS, type ErrorReason, type Json } from '../core/types.ts';
import type { RecordedError, RecordedFact } from '../core/domain-record.ts';

/**
 * The lossless codec of probe answers for the run journal and replay (issue 11): `decode(encode(v))` deep-equals `v`
 * after a JSON round trip, for every value a probe returns. Plain JSON passes through unchanged (and unrecopied: the
 * encoder copies only the branches that hold something JSON cannot carry); the rest becomes a tagged object
 * `{"$": tag, "v": payload}`:
 *
 * | value                              | tag         | payload                         |
 * |------------------------------------|-------------|---------------------------------|
 * | `undefined` (an own field, an item) | `undefined` | none                            |
 * | an array hole                      | `hole`      | none                            |
 * | NaN, ±Infinity, -0                 | `number`    | `"NaN"`, `"Infinity"`, `"-Infinity"`, `"-0"` |
 * | bigint                             | `bigint`    | decimal string                  |
 * | Buffer / other Uint8Array          | `buffer` / `bytes` | base64                   |
 * | Date                               | `date`      | its time value (encoded: NaN for an invalid date) |
 * | Map / Set                          | `map` / `set` | `[[key, value], ...]` / `[item, ...]` |
 * | a plain object with its own `$` key | `object`   | the object, its fields encoded  |
 *
 * Anything else (a class instance, a function, a symbol, a cycle) is no probe fact: encoding throws
 * FactCodecError, so a new probe kind that returns one fails its codec test rather than a replay years later.
 * Decoding is total over JSON: it returns the value or throws FactCodecError naming the path of what it cannot read.
 */

export class FactCodecError extends Error {
  override readonly name = 'FactCodecError';
}

const TAG = '$';
/** Far deeper than any probe value; only a cycle or a hostile journal gets here. */
const MAX_DEPTH = 256;
const UNDEFINED: Json = Object.freeze({ [TAG]: 'undefined' });
const HOLE: Json = Object.freeze({ [TAG]: 'hole' });
const tagged = (tag: string, v: Json): Json => ({ [TAG]: tag, v });

/** Builds an object without ever invoking a `__proto__` setter (a header named `__proto__` stays a field). */
function objectFrom(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  return Object.fromEntries(entries) as Record<string, unknown>;
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function encode(value: unknown): Json {
  return encodeAt(value, '$', 0);
}

function encodeAt(value: unknown, path: string, depth: number): Json {
  switch (typeof value) {
    case 'string': case 'boolean': return value;
    case 'undefined': return UNDEFINED;
    case 'bigint': return tagged('bigint', value.toString());
    case 'number':
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return tagged('number', Object.is(value, -0) ? '-0' : String(value));
    case 'object': break;
    default: throw new FactCodecError(`${path}: a ${typeof value} is not a recordable probe value`);
  }
  if (value === null) return null;
  if (depth > MAX_DEPTH) throw new FactCodecError(`${path}: nested deeper than ${MAX_DEPTH} (a cycle?)`);
  if (Buffer.isBuffer(value)) return tagged('buffer', value.toString('base64'));
  if (value instanceof Uint8Array && Object.getPrototypeOf(value) === Uint8Array.prototype) {
    return tagged('bytes', Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
  }
  if (value instanceof Date) return tagged('date', encodeAt(value.getTime(), path, depth + 1));
  if (value instanceof Map) return tagged('map', [...value].map(([k, v], i) => [encodeAt(k, `${path}<key ${i}>`, depth + 1), encodeAt(v, `${path}<value ${i}>`, depth + 1)]));
  if (value instanceof Set) return tagged('set', [...value].map((v, i) => encodeAt(v, `${path}<item ${i}>`, depth + 1)));
  if (Array.isArray(value)) return encodeArray(value as readonly unknown[], path, depth);
  if (!isPlainObject(value)) throw new FactCodecError(`${path}: a ${value.constructor?.name ?? 'class instance'} is not a recordable probe value`);
  return encodeObject(value as Record<string, unknown>, path, depth);
}

function encodeArray(array: readonly unknown[], path: string, depth: number): Json {
  let copy: Json[] | null = null;
  for (let i = 0; i < array.length; i++) {
    const encoded = i in array ? encodeAt(array[i], `${path}[${i}]`, depth + 1) : HOLE;
    if (copy === null && encoded !== array[i]) copy = array.slice(0, i) as Json[];
    if (copy !== null) copy.push(encoded);
  }
  return copy ?? (array as Json);
}

function encodeObject(object: Record<string, unknown>, path: string, depth: number): Json {
  const keys = Object.keys(object);
  let changed = Object.getPrototypeOf(object) === null;
  const entries = keys.map((key) => {
    const field = object[key];
    const encoded = encodeAt(field, `${path}.${key}`, depth + 1);
    if (encoded !== field) changed = true;
    return [key, encoded] as const;
  });
  const out = changed ? objectFrom(entries) as Json : object as Json;
  return Object.hasOwn(object, TAG) ? tagged('object', out) : out;
}

export function decode(json: Json): unknown {
  return decodeAt(json, '$', 0);
}

function decodeAt(json: unknown, path: string, depth: number): unknown {
  if (json === null || typeof json === 'string' || typeof json === 'boolean') return json;
  if (typeof json === 'number') {
    if (!Number.isFinite(json)) throw new FactCodecError(`${path}: ${json} is not JSON`);
    return json;
  }
  if (typeof json !== 'object') throw new FactCodecError(`${path}: a ${typeof json} is not JSON`);
  if (depth > MAX_DEPTH) throw new FactCodecError(`${path}: nested deeper than ${MAX_DEPTH}`);
  if (Array.isArray(json)) return decodeArray(json as readonly unknown[], path, depth);
  const object = json as Record<string, unknown>;
  if (Object.hasOwn(object, TAG)) return decodeTagged(object, path, depth);
  let changed = false;
  const entries = Object.keys(object).map((key) => {
    const decoded = decodeAt(object[key], `${path}.${key}`, depth + 1);
    if (decoded !== object[key]) changed = true;
    return [key, decoded] as const;
  });
  return changed ? objectFrom(entries) : object;
}

function decodeArray(array: readonly unknown[], path: string, depth: number): unknown[] {
  const out: unknown[] = new Array<unknown>(array.length);
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    if (isTag(item, 'hole')) continue;
    out[i] = decodeAt(item, `${path}[${i}]`, depth + 1);
  }
  return out;
}

const isTag = (json: unknown, tag: string): boolean =>
  typeof json === 'object' && json !== null && (json as Record<string, unknown>)[TAG] === tag;

function decodeTagged(object: Record<string, unknown>, path: string, depth: number): unknown {
  const tag = object[TAG];
  const v = object['v'];
  const bad = (why: string) => new FactCodecError(`${path}: ${String(tag)} ${why}`);
  const text = (): string => {
    if (typeof v !== 'string') throw bad('needs a string payload');
    return v;
  };
  const list = (): readonly unknown[] => {
    if (!Array.isArray(v)) throw bad('needs an array payload');
    return v as readonly unknown[];
  };
  switch (tag) {
    case 'undefined': return undefined;
    case 'hole': throw bad('outside an array');
    case 'number': {
      const n = text();
      if (n === '-0') return -0;
      if (n === 'NaN' || n === 'Infinity' || n === '-Infinity') return Number(n);
      throw bad(`payload "${n}" is not NaN, Infinity, -Infinity or -0`);
    }
    case 'bigint': {
      const digits = text();
      if (!/^-?\d+$/.test(digits)) throw bad(`payload "${digits.slice(0, 40)}" is not an integer`);
      return BigInt(digits);
    }
    case 'buffer': return base64(text(), bad);
    case 'bytes': return new Uint8Array(base64(text(), bad));
    case 'date': {
      const time = decodeAt(v, `${path}.v`, depth + 1);
      if (typeof time !== 'number') throw bad('needs a time value');
      return new Date(time);
    }
    case 'map': return new Map(list().map((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) throw bad(`entry ${i} is not a [key, value] pair`);
      return [decodeAt(pair[0], `${path}<key ${i}>`, depth + 1), decodeAt(pair[1], `${path}<value ${i}>`, depth + 1)];
    }));
    case 'set': return new Set(list().map((item, i) => decodeAt(item, `${path}<item ${i}>`, depth + 1)));
    case 'object': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('needs an object payload');
      const inner = v as Record<string, unknown>;
      return objectFrom(Object.keys(inner).map((key) => [key, decodeAt(inner[key], `${path}.${key}`, depth + 1)]));
    }
    default: throw new FactCodecError(`${path}: unknown tag ${JSON.stringify(tag)}`);
  }
}

function base64(text: string, bad: (why: string) => Error): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw bad('payload is not base64');
  return Buffer.from(text, 'base64');
}

const PROBE_REASONS: readonly string[] = ERROR_REASONS.filter((r) => r !== 'internal');

/** A failure as recorded: a ProbeError with its reason, endpoint and stage (checks read them); anything else by name and message. */
export function encodeError(err: unknown): RecordedError {
  if (err instanceof ProbeError) {
    return { name: err.name, message: err.message, reason: err.reason, endpoint: err.endpoint, stage: err.stage };
  }
  if (err instanceof Error) return { name: err.name, message: err.message, reason: null };
  return { name: 'Error', message: String(err), reason: null };
}

/** The recorded failure as the same class: a ProbeError with the same reason, endpoint, stage and message. */
export function decodeError(recorded: RecordedError): Error {
  if (typeof recorded.name !== 'string' || typeof recorded.message !== 'string') throw new FactCodecError('a recorded failure needs a name and a message');
  if (recorded.stage !== undefined && recorded.stage !== 'connect' && recorded.stage !== 'exchange') {
    throw new FactCodecError(`unknown failure stage ${JSON.stringify(recorded.stage)}`);
  }
  if (recorded.reason === null) {
    const err = new Error(recorded.message);
    err.name = recorded.name;
    return err;
  }
  if (!PROBE_REASONS.includes(recorded.reason)) throw new FactCodecError(`unknown failure reason ${JSON.stringify(recorded.reason)}`);
  const endpoint = recorded.endpoint ?? '';
  const err = new ProbeError(recorded.reason as Exclude<ErrorReason, 'internal'>, endpoint, '', recorded.stage ? { stage: recorded.stage } : {});
  err.message = recorded.message; // exactly as recorded, whatever the endpoint prefix
  return err;
}

/** The record of one probe answer. */
export function recordFact(kind: string, key: string, outcome: { readonly value: unknown } | { readonly error: unknown }): RecordedFact {
  return 'value' in outcome ? { key, kind, value: encode(outcome.value) } : { key, kind, error: encodeError(outcome.error) };
}

/** The answer a fact records: its value, or its failure thrown as the same class. */
export function factValue(fact: RecordedFact): unknown {
  if ('error' in fact) throw decodeError(fact.error);
  return decode(fact.value);
}
