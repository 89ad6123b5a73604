import { describe, expect, it } from 'vitest';
import { rpkiCheck } from '../../checks/net/rpki.ts';
import { buildConfig } from '../../src/config/load.ts';
import { originQueryName, parseOriginTxt } from '../../src/rpki/cymru.ts';
import { parseAsn, parseVrpExport, VrpIndex, type Vrp } from '../../src/rpki/origin-validation.ts';
import { covers, parsePrefix } from '../../src/rpki/prefix.ts';
import { parseValidityResponse, validityUrl } from '../../src/rpki/routinator.ts';
import { contextFor, fakeProbes } from '../support/fake-probes.ts';

describe('parsePrefix', () => {
  it.each([
    ['1.1.1.0/24', '1.1.1.0/24'], ['0.0.0.0/0', '0.0.0.0/0'], ['2001:DB8::/32', '2001:db8::/32'], ['::ffff:192.0.2.0/120', '::ffff:192.0.2.0/120'],
    ['1.1.1.1/24', null], ['1.1.1.0/33', null], ['2001:db8::/129', null], ['1.1.1.0', null], ['x/8', null], ['', null], ['1.1.1.0/24/1', null],
  ])('%s -> %s', (text, expected) => {
    expect(parsePrefix(text)?.text ?? null).toBe(expected);
  });

  it('covers: same family, shorter or equal, same leading bits', () => {
    const p = (t: string) => parsePrefix(t)!;
    expect(covers(p('10.0.0.0/8'), p('10.1.0.0/16'))).toBe(true);
    expect(covers(p('10.0.0.0/8'), p('10.0.0.0/8'))).toBe(true);
    expect(covers(p('10.1.0.0/16'), p('10.0.0.0/8'))).toBe(false);
    expect(covers(p('11.0.0.0/8'), p('10.1.0.0/16'))).toBe(false);
    expect(covers(p('::/0'), p('10.0.0.0/8'))).toBe(false);
    expect(covers(p('2001:db8::/32'), p('2001:db8:1::/48'))).toBe(true);
  });
});

describe('Team Cymru origin records', () => {
  it('names reversed octets and nibbles under the configured zones', () => {
    expect(originQueryName('192.0.2.10', 'origin.asn.cymru.com', 'origin6.asn.cymru.com')).toBe('10.2.0.192.origin.asn.cymru.com');
    expect(originQueryName('2001:db8::1', 'o4', 'origin6.asn.cymru.com'))
      .toBe(`1.${'0.'.repeat(23)}8.b.d.0.1.0.0.2.origin6.asn.cymru.com`);
    expect(originQueryName('not-an-ip', 'a', 'b')).toBeNull();
  });

  it.each([
    ['13335 | 1.1.1.0/24 | AU | apnic | 2011-08-11', { asns: [13335], prefix: '1.1.1.0/24', country: 'AU', registry: 'apnic', allocated: '2011-08-11' }],
    ['64500 64501 | 2001:DB8::/32 | NL | ripencc |', { asns: [64500, 64501], prefix: '2001:db8::/32', country: 'NL', registry: 'ripencc', allocated: '' }],
    ['13335|1.1.1.0/24', { asns: [13335], prefix: '1.1.1.0/24', country: '', registry: '', allocated: '' }],
  ])('%s', (text, origin) => {
    expect(parseOriginTxt(text)).toEqual({ ok: true, origin });
  });

  it.each(['', 'hello', 'AS13335 | 1.1.1.0/24', '13335 | nowhere', ' | 1.1.1.0/24', '99999999999 | 1.1.1.0/24'])('rejects %j', (text) => {
    expect(parseOriginTxt(text).ok).toBe(false);
  });
});

describe('RFC 6811 origin validation over a VRP index', () => {
  const vrp = (asn: number, prefix: string, maxLength: number): Vrp => ({ asn, prefix: parsePrefix(prefix)!, maxLength });
  const index = new VrpIndex([vrp(13335, '1.1.1.0/24', 24), vrp(64500, '10.0.0.0/8', 16), vrp(0, '192.0.2.0/24', 24), vrp(64501, '2001:db8::/32', 48)]);
  it.each([
    [13335, '1.1.1.0/24', 'valid'], [64501, '1.1.1.0/24', 'invalid'], [13335, '1.1.0.0/16', 'not-found'],
    [64500, '10.1.0.0/16', 'valid'], [64500, '10.1.1.0/24', 'invalid'], [64500, '11.0.0.0/8', 'not-found'],
    [0, '192.0.2.0/24', 'invalid'], [64501, '2001:db8:1::/48', 'valid'], [64501, '2001:db8:1:1::/64', 'invalid'],
  ])('AS%i %s is %s', (asn, prefix, state) => {
    expect(index.validate(asn, parsePrefix(prefix)!).state).toBe(state);
  });

  it('says which VRPs matched and why the others did not', () => {
    expect(index.validate(64500, parsePrefix('10.1.1.0/24')!)).toEqual({
      state: 'invalid', matched: [], unmatchedAs: [], unmatchedLength: [{ asn: 'AS64500', prefix: '10.0.0.0/8', maxLength: 16 }],
    });
  });
});

describe('VRP exports and the validity API', () => {
  it('reads a VRP export and counts what is not a VRP', () => {
    const parsed = parseVrpExport({ roas: [{ asn: 'AS13335', prefix: '1.1.1.0/24', maxLength: 24, ta: 'apnic' }, { asn: 64500, prefix: '10.0.0.0/8', max_length: '16' },
      { asn: 'ASX', prefix: '1.0.0.0/8', maxLength: 8 }, { asn: 'AS1', prefix: '1.0.0.0/8', maxLength: 7 }, null] });
    expect('vrps' in parsed && parsed.vrps.map((v) => [v.asn, v.prefix.text, v.maxLength])).toEqual([[13335, '1.1.1.0/24', 24], [64500, '10.0.0.0/8', 16]]);
    expect('rejected' in parsed && parsed.rejected).toBe(3);
    expect(parseVrpExport({ vrps: [] })).toEqual({ problem: 'not a VRP export: no "roas" list' });
    expect(parseVrpExport(null)).toHaveProperty('problem');
  });

  it.each([['AS13335', 13335], ['as1', 1], [4200000000, 4200000000], ['AS4294967296', null], ['13.5', null], [null, null]])('parseAsn(%j) = %j', (v, n) => {
    expect(parseAsn(v)).toBe(n);
  });

  it('builds the request URL under the base path and reads the answer', () => {
    expect(validityUrl('http://127.0.0.1:8323', 13335, '1.1.1.0/24')).toBe('http://127.0.0.1:8323/api/v1/validity/AS13335/1.1.1.0/24');
    expect(validityUrl('https://rpki.example/routinator/', 1, '2001:db8::/32')).toBe('https://rpki.example/routinator/api/v1/validity/AS1/2001:db8::/32');
    expect(parseValidityResponse({ validated_route: { validity: { state: 'invalid', VRPs: { matched: [], unmatched_as: [{ asn: 'AS2', prefix: '1.1.1.0/24', max_length: '24' }] } } } }))
      .toEqual({ ok: true, validity: { state: 'invalid', matched: [], unmatchedAs: [{ asn: 'AS2', prefix: '1.1.1.0/24', maxLength: 24 }], unmatchedLength: [] } });
    expect(parseValidityResponse({ validated_route: { validity: { state: 'unknown' } } }).ok).toBe(false);
    expect(parseValidityResponse('garbage').ok).toBe(false);
  });
});

describe('rpki configuration and net.rpki without it', () => {
  it('reads the sources: a validator URL, or a VRP file resolved against the configuration', async () => {
    const ok = await buildConfig({ domains: ['example.nl'], rpki: { originZone: 'Origin.ASN.Cymru.com.', validator: 'vrps.json' } }, { source: null, baseDir: '/etc/vouch' });
    expect(ok.ok && ok.config.rpki).toEqual({ originZone: 'origin.asn.cymru.com', originZone6: null, validator: { kind: 'vrp-file', path: '/etc/vouch/vrps.json' } });
    const api = await buildConfig({ domains: ['example.nl'], rpki: { validator: 'HTTP://127.0.0.1:8323/base' } }, { source: null, baseDir: '/' });
    expect(api.ok && api.config.rpki.validator).toEqual({ kind: 'http', url: 'http://127.0.0.1:8323/base' });
    const bad = await buildConfig({ domains: ['example.nl'], rpki: { validator: 'http://[x' } }, { source: null, baseDir: '/' });
    expect(!bad.ok && bad.problems).toEqual(['rpki.validator: not a valid URL: "http://[x"']);
  });

  it('skips, naming what is missing, without asking anything', async () => {
    const outcome = await rpkiCheck.run(contextFor(fakeProbes({})));
    expect(outcome).toMatchObject({ status: 'skip', reason: 'not-configured', summary: expect.stringContaining('rpki.originZone') });
  });
});
