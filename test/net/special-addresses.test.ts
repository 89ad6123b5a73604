/**
 * The special-address table against the IANA special-purpose registries (RFC 6890 as updated), multicast
 * (RFC 5771, RFC 4291 2.7) and the IPv6 forms that embed an IPv4 address (RFC 4291 2.5.5, RFC 6052, RFC 3056).
 */
import { describe, expect, it } from 'vitest';
import { formatIp, ipBytes, parseCidr } from '../../src/net/ip-bytes.ts';
import { ALLOW_NOTHING, parseAllowList, refusedAddress, specialAddress } from '../../src/net/special-addresses.ts';

describe('specialAddress', () => {
  it.each([
    // IPv4 special-purpose registry
    ['0.0.0.0', 'unspecified', 'RFC 791'],
    ['0.1.2.3', 'unspecified', 'RFC 791'],
    ['10.1.2.3', 'private', 'RFC 1918'],
    ['172.16.0.1', 'private', 'RFC 1918'],
    ['172.31.255.255', 'private', 'RFC 1918'],
    ['192.168.0.1', 'private', 'RFC 1918'],
    ['100.64.0.1', 'shared', 'RFC 6598'],
    ['100.127.255.254', 'shared', 'RFC 6598'],
    ['127.0.0.1', 'loopback', 'RFC 1122'],
    ['127.255.0.9', 'loopback', 'RFC 1122'],
    ['169.254.169.254', 'link-local', 'RFC 3927'],
    ['192.0.0.8', 'reserved', 'RFC 6890'],
    ['192.0.2.1', 'documentation', 'RFC 5737'],
    ['198.51.100.7', 'documentation', 'RFC 5737'],
    ['203.0.113.200', 'documentation', 'RFC 5737'],
    ['192.88.99.1', 'reserved', 'RFC 7526'],
    ['198.18.0.1', 'benchmarking', 'RFC 2544'],
    ['198.19.255.255', 'benchmarking', 'RFC 2544'],
    ['224.0.0.251', 'multicast', 'RFC 5771'],
    ['239.255.255.250', 'multicast', 'RFC 5771'],
    ['240.0.0.1', 'reserved', 'RFC 1112'],
    ['255.255.255.255', 'broadcast', 'RFC 919'],
    // IPv6 special-purpose registry
    ['::', 'unspecified', 'RFC 4291'],
    ['::1', 'loopback', 'RFC 4291'],
    ['[::1]', 'loopback', 'RFC 4291'],
    ['fe80::1%eth0', 'link-local', 'RFC 4291'],
    ['fd12:3456:789a::1', 'unique-local', 'RFC 4193'],
    ['fc00::1', 'unique-local', 'RFC 4193'],
    ['fec0::1', 'reserved', 'RFC 3879'],
    ['ff02::1', 'multicast', 'RFC 4291'],
    ['2001:db8::1', 'documentation', 'RFC 3849'],
    ['3fff::1', 'documentation', 'RFC 9637'],
    ['2001:2::1', 'benchmarking', 'RFC 5180'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved', 'RFC 2928'], // Teredo
    ['100::1', 'reserved', 'RFC 6666'],
    ['64:ff9b:1::a', 'private', 'RFC 8215'],
    ['5f00::1', 'reserved', 'RFC 9602'],
    ['4000::1', 'reserved', 'RFC 4291'], // outside 2000::/3
    // IPv4 embedded in IPv6: judged as the IPv4 address
    ['::ffff:127.0.0.1', 'loopback', 'RFC 1122'],
    ['::ffff:7f00:1', 'loopback', 'RFC 1122'],
    ['::ffff:10.0.0.1', 'private', 'RFC 1918'],
    ['::10.0.0.1', 'private', 'RFC 1918'],
    ['::8.8.8.8', 'reserved', 'RFC 4291'], // IPv4-compatible, deprecated
    ['64:ff9b::192.168.1.1', 'private', 'RFC 1918'],
    ['64:ff9b::a9fe:a9fe', 'link-local', 'RFC 3927'],
    ['2002:c0a8:0101::1', 'private', 'RFC 1918'], // 6to4 of 192.168.1.1
    ['2002:7f00:1::', 'loopback', 'RFC 1122'],
  ] as const)('%s is %s (%s)', (address, kind, rfc) => {
    const special = specialAddress(address);
    expect(special?.kind).toBe(kind);
    expect(special?.description).toContain(rfc);
  });

  it.each([
    '8.8.8.8', '1.1.1.1', '100.63.255.255', '100.128.0.0', '172.15.255.255', '172.32.0.0', '192.0.1.255', '192.31.196.1',
    '198.17.255.255', '198.20.0.0', '223.255.255.255', '2606:4700::1111', '2a00:1450:4001::200e', '::ffff:8.8.8.8',
    '64:ff9b::808:808', '2002:808:808::1', '2620:4f:8000::1',
  ])('%s is an ordinary public address', (address) => {
    expect(specialAddress(address)).toBeNull();
  });
});

describe('allow lists', () => {
  it('parses names and prefixes, and says what is wrong with the rest', () => {
    const parsed = parseAllowList(['loopback', 'Private', '127.0.0.0/8', '::1/128', 'intranet', '10.0.0.1/8', '10.0.0.0/33', '::/129']);
    expect(parsed.value.kinds).toEqual(['loopback', 'private']);
    expect(parsed.value.prefixes.map((p) => p.text)).toEqual(['127.0.0.0/8', '::1/128']);
    expect(parsed.problems).toEqual([
      { index: 4, problem: '"intranet" is neither a network name (loopback, private, link-local, unique-local) nor a prefix like 10.0.0.0/8' },
      { index: 5, problem: '"10.0.0.1/8" has address bits set after the /8 prefix (did you mean 10.0.0.0/8?)' },
      { index: 6, problem: '"10.0.0.0/33": an IPv4 prefix has at most 32 bits' },
      { index: 7, problem: '"::/129": an IPv6 prefix has at most 128 bits' },
    ]);
  });

  it('refuses special addresses unless their kind or a prefix allows them', () => {
    const { value } = parseAllowList(['loopback', '192.0.2.0/24']);
    expect(refusedAddress('10.1.2.3', ALLOW_NOTHING)?.kind).toBe('private');
    expect(refusedAddress('8.8.8.8', ALLOW_NOTHING)).toBeNull();
    expect(refusedAddress('127.0.0.2', value)).toBeNull();
    expect(refusedAddress('::1', value)).toBeNull();
    expect(refusedAddress('::ffff:127.0.0.1', value)).toBeNull();
    expect(refusedAddress('192.0.2.1', value)).toBeNull();
    expect(refusedAddress('::ffff:192.0.2.1', value)).toBeNull();
    expect(refusedAddress('198.51.100.1', value)?.kind).toBe('documentation');
    expect(refusedAddress('169.254.169.254', value)?.kind).toBe('link-local');
  });
});

describe('ip bytes', () => {
  it.each([
    ['::', '::'], ['::1', '::1'], ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['fe80::1%lo', 'fe80::1'], ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'], ['10.0.0.1', '10.0.0.1'],
  ])('%s reads back as %s', (text, formatted) => {
    expect(formatIp(ipBytes(text)!)).toBe(formatted);
  });

  it('rejects what is not an address or a prefix', () => {
    expect([ipBytes('example.nl'), ipBytes('1.2.3'), ipBytes('01.2.3.4'), ipBytes(':::')]).toEqual([null, null, null, null]);
    expect(parseCidr('10.0.0.0').ok).toBe(false);
    expect(parseCidr('10.0.0.0/8')).toMatchObject({ ok: true, value: { bits: 8 } });
  });
});
