import { describe, expect, it } from 'vitest';
import { organizationalDomain, sameOrganization } from '../../src/dns/organizational-domain.ts';

describe('organizationalDomain (RFC 7489 3.2)', () => {
  it.each([
    { name: 'example.nl', org: 'example.nl' },
    { name: 'mail.Example.NL.', org: 'example.nl' },
    { name: 'a.b.example.co.uk', org: 'example.co.uk' },      // multi-label public suffix
    { name: 'foo.city.kawasaki.jp', org: 'city.kawasaki.jp' }, // PSL exception rule (!city.kawasaki.jp)
    { name: 'tenant.github.io', org: 'github.io' },            // ICANN section only: private suffixes ignored
    { name: 'host.example.test', org: 'example.test' },        // unlisted TLD: the implicit "*" rule
    { name: 'co.uk', org: null },                              // a public suffix has no Organizational Domain
    { name: '192.0.2.1', org: null },
  ])('$name -> $org', ({ name, org }) => {
    expect(organizationalDomain(name)).toBe(org);
  });

  it('tells whether two names belong to one organisation', () => {
    expect(sameOrganization('example.nl', 'reports.example.nl')).toBe(true);
    expect(sameOrganization('example.nl', 'dmarc.example')).toBe(false);
    expect(sameOrganization('co.uk', 'co.uk')).toBe(false);
  });
});
