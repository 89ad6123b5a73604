import { describe, expect, it } from 'vitest';
import { ProbeError } from '../../src/core/errors.ts';
import type { Json } from '../../src/core/types.ts';
import { decode, decodeError, encode, encodeError, FactCodecError, factValue, recordFact } from '../../src/runner/fact-codec.ts';

// The journal's lossless codec (issue 11): every value survives encode -> JSON -> decode deep-equal (toStrictEqual:
// types, undefined fields and holes included). Real probe values are covered by recorded-scan.test.ts; these are
// the shapes JSON alone would lose.

const viaJson = (value: unknown): unknown => decode(JSON.parse(JSON.stringify(encode(value))) as Json);
const holey = (): unknown[] => { const a: unknown[] = [1]; a[2] = 3; return a; };
const withProto = (): Record<string, unknown> => Object.fromEntries([['__proto__', { polluted: true }], ['x', 1]]) as Record<string, unknown>;

describe('encode/decode', () => {
  it.each<[string, () => unknown]>([
    ['plain JSON', () => ({ a: 'x', b: [1, 2.5, true, null], c: { d: [] } })],
    ['an undefined field', () => ({ present: 1, absent: undefined })],
    ['undefined in an array and on its own', () => [undefined, 1, undefined]],
    ['an array hole', holey],
    ['NaN, Infinity, -Infinity, -0', () => [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0]],
    ['a bigint', () => ({ big: 2n ** 80n, negative: -5n })],
    ['a Buffer', () => ({ bytes: Buffer.from([0, 1, 254, 255]) })],
    ['an empty Buffer', () => Buffer.alloc(0)],
    ['a Uint8Array over part of a buffer', () => new Uint8Array(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2)],
    ['a Date and an invalid Date', () => [new Date('2026-06-01T00:00:00.123Z'), new Date(Number.NaN)]],
    ['a Map with object keys', () => new Map<unknown, unknown>([['a', 1], [{ k: 2 }, [undefined]]])],
    ['a Set', () => new Set([1, 'x', undefined])],
    ['an object with its own $ key', () => ({ $: 'buffer', v: 'AAAA' })],
    ['a nested $ key beside special values', () => ({ outer: { $: 'undefined', n: -0 } })],
    ['a field named __proto__', withProto],
    ['a string that looks like a tag', () => '{"$":"undefined"}'],
  ])('%s', (_name, make) => {
    const value = make();
    expect(viaJson(value)).toStrictEqual(value);
  });

  it('keeps a __proto__ field a field, never the prototype', () => {
    const decoded = viaJson(withProto()) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.hasOwn(decoded, '__proto__')).toBe(true);
    expect((decoded as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('passes plain JSON through without copying it', () => {
    const value = { a: [1, { b: 'c' }] };
    expect(encode(value)).toBe(value);
  });

  it.each<[string, unknown]>([
    ['a class instance', new (class Thing { x = 1; })()],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a Uint16Array', new Uint16Array(2)],
  ])('refuses %s, naming where it is', (_name, value) => {
    expect(() => encode({ deep: [value] })).toThrow(FactCodecError);
    expect(() => encode({ deep: [value] })).toThrow(/^\$\.deep\[0\]: /);
  });

  it('refuses a cycle', () => {
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    expect(() => encode(cycle)).toThrow(FactCodecError);
  });

  it.each<[string, unknown]>([
    ['an unknown tag', { $: 'rocket' }],
    ['a hole outside an array', { $: 'hole' }],
    ['a number tag with another payload', { $: 'number', v: '12' }],
    ['a bigint that is not an integer', { $: 'bigint', v: '1e3' }],
    ['bytes that are not base64', { $: 'buffer', v: 'not base64!' }],
    ['a map entry that is not a pair', { $: 'map', v: [[1]] }],
    ['a date without a time', { $: 'date', v: 'yesterday' }],
  ])('decoding %s throws FactCodecError (never a wrong value)', (_name, json) => {
    expect(() => decode({ field: json as Json })).toThrow(FactCodecError);
  });
});

describe('failures', () => {
  it('a ProbeError comes back as a ProbeError with the same reason, endpoint, stage and message', () => {
    const original = new ProbeError('refused', 'a.test:443 (127.0.0.1)', 'connect ECONNREFUSED', { stage: 'connect' });
    const recorded = JSON.parse(JSON.stringify(encodeError(original))) as ReturnType<typeof encodeError>;
    const back = decodeError(recorded);
    expect(back).toBeInstanceOf(ProbeError);
    expect(back).toMatchObject({ name: 'ProbeError', reason: 'refused', endpoint: 'a.test:443 (127.0.0.1)', stage: 'connect', message: original.message });
  });

  it('any other error keeps its name and message, with no reason', () => {
    const original = new TypeError('boom');
    expect(encodeError(original)).toEqual({ name: 'TypeError', message: 'boom', reason: null });
    const back = decodeError(encodeError(original));
    expect(back).not.toBeInstanceOf(ProbeError);
    expect(back).toMatchObject({ name: 'TypeError', message: 'boom' });
    expect(encodeError('a string')).toEqual({ name: 'Error', message: 'a string', reason: null });
  });

  it('refuses a recorded reason outside the vocabulary', () => {
    expect(() => decodeError({ name: 'ProbeError', message: 'x', reason: 'internal' })).toThrow(FactCodecError);
    expect(() => decodeError({ name: 'ProbeError', message: 'x', reason: 'cosmic-rays' })).toThrow(FactCodecError);
  });

  it('factValue returns a recorded value and throws a recorded failure', () => {
    expect(factValue(recordFact('dns', 'k', { value: { n: -0 } }))).toStrictEqual({ n: -0 });
    expect(() => factValue(recordFact('dns', 'k', { error: new ProbeError('timeout', 'r', 'late') }))).toThrow(ProbeError);
  });
});
