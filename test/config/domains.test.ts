import { describe, expect, it } from 'vitest';
import { readConfigDomainName } from '../../src/config/domains.ts';
import { buildConfig } from '../../src/config/load.ts';

describe('readConfigDomainName: a domain name as the configuration file gives it', () => {
  it.each([
    ['example.nl', 'example.nl'],
    ['  Shop.Example.NL. ', 'shop.example.nl'],
    ['xn--bcher-kva.nl', 'xn--bcher-kva.nl'],
    // U-labels become A-labels silently (UTS 46, as node:url applies it: mapped case, then Punycode).
    ['bücher.nl', 'xn--bcher-kva.nl'],
    ['BÜCHER.nl', 'xn--bcher-kva.nl'],
    ['münchen.de.', 'xn--mnchen-3ya.de'],
  ])('%j -> %s', (name, domain) => {
    expect(readConfigDomainName(name)).toEqual({ ok: true, domain });
  });

  it.each([
    ['https://example.nl/', '"https://example.nl/" is a URL: write the host name, e.g. example.nl'],
    ['https://user@Shop.Example.nl:8443/privacy?x', '"https://user@Shop.Example.nl:8443/privacy?x" is a URL: write the host name, e.g. shop.example.nl'],
    ['example.nl/privacy', '"example.nl/privacy" is a URL: write the host name, e.g. example.nl'],
    ['https://bücher.nl/', '"https://bücher.nl/" is a URL: write the host name, e.g. bücher.nl'],
    ['https:///', '"https:///" is a URL: write the host name, e.g. example.nl'],
    ['not a domain', '"not a domain" is not a domain name'],
    ['bücher', '"bücher" is not a domain name'],
    ['a\u00adb..nl', '"a\u00adb..nl" is not a domain name'],
    ['xn--zz\u00e9.nl', '"xn--zz\u00e9.nl" is not a valid internationalised domain name'],
  ])('%j is refused: %s', (name, problem) => {
    expect(readConfigDomainName(name)).toEqual({ ok: false, problem });
  });
});

describe('domains: in a configuration', () => {
  const build = (domains: unknown) => buildConfig({ domains }, { source: null, baseDir: '/tmp' });

  it('scans U-labels as their A-labels, without a problem', async () => {
    const built = await build(['bücher.nl', { name: 'münchen.de', mail: false }]);
    expect(built.ok && built.config.targets.map((t) => t.domain)).toEqual(['xn--bcher-kva.nl', 'xn--mnchen-3ya.de']);
  });

  it('refuses a URL with the host name to write, at its key path', async () => {
    const built = await build(['example.nl', { name: 'https://shop.example.nl/' }]);
    expect(built.ok ? [] : built.problems).toEqual(['domains[1].name: "https://shop.example.nl/" is a URL: write the host name, e.g. shop.example.nl']);
  });
});
