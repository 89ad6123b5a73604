import { THIRD_PARTIES } from './browser.ts';
import type { KeyTable, ValueDefinition } from './types.ts';

/** What can be set per domain, and under `defaults:` for every domain. */
export const DOMAIN_OPTIONS: KeyTable = {
  web: { type: 'boolean', default: true, example: true, description: 'Run the web checks (HTTPS, TLS on port 443, headers, cookies) for this domain.' },
  mail: { type: 'boolean', default: true, example: false, description: 'Run the mail checks (MX, STARTTLS, SPF, DKIM, DMARC, MTA-STS, DANE) for this domain.' },
  profile: {
    type: 'enum', values: ['standard', 'parked'], default: 'standard', example: 'standard',
    description: 'What the domain is for: `parked` sends and receives no mail and must say so (null MX, `v=spf1 -all`, DMARC reject).',
  },
  dkimSelectors: {
    type: 'list', items: { type: 'string', description: 'A DKIM selector: dot-separated labels of letters, digits, `-` and `_` (RFC 6376 3.1).' },
    default: [], example: ['selector1', 'selector2'],
    description: 'The DKIM selectors the domain signs with; DKIM cannot be checked without them, as DNS does not list selectors.',
  },
  sendingIps: {
    type: 'list', items: { type: 'string', format: 'address', description: 'An IPv4 or IPv6 address.' },
    default: [], example: ['192.0.2.25', '2001:db8::25'],
    description: 'Addresses that send mail for the domain, each checked against its SPF record (`mail.spf-senders`).',
  },
  urls: {
    type: 'list', items: { type: 'string', format: 'url', description: 'An https:// URL.' },
    default: [], example: ['https://www.example.nl/login'],
    description: 'HTTPS pages fetched besides the landing page, for their headers and cookies.',
  },
  cookies: {
    type: 'list', default: [], example: [{ name: 'PHPSESSID', category: 'functional' }, { name: '_pk_id.*', category: 'analytics' }],
    description: 'The cookies the site is known to set, each with its purpose; `http.cookie-inventory` warns about undeclared ones.',
    items: {
      type: 'mapping', required: ['name', 'category'], description: 'One declared cookie.',
      keys: {
        name: { type: 'string', format: 'glob', example: 'PHPSESSID', description: 'The cookie name, exact or with `*` globs (case-sensitive).' },
        category: { type: 'string', example: 'functional', description: 'Its purpose, one of `cookieCategories` to be allowed (e.g. `functional`, `analytics`, `marketing`).' },
        party: {
          type: 'enum', values: ['first', 'third'], example: 'first', defaultText: 'either',
          description: "Whose cookie it is in the browser's jar (`browser.cookies-before-consent`): the site's own domain or another's.",
        },
      },
    },
  },
  thirdParties: THIRD_PARTIES,
};

const DOMAIN_ENTRY: ValueDefinition = {
  type: 'either', description: 'A domain name, or a mapping with its `name` and its own settings.',
  options: [
    { type: 'string', format: 'domain', description: 'A domain name to scan with the `defaults:` settings; an internationalised name (`bücher.nl`) is scanned as its A-label form (`xn--bcher-kva.nl`); a URL is refused.' },
    {
      type: 'mapping', required: ['name'], description: 'A domain with settings of its own.',
      keys: {
        name: { type: 'string', format: 'domain', example: 'www.example.nl', description: 'The domain name; an internationalised name is scanned as its A-label (xn--) form; a URL is refused.' },
        ...DOMAIN_OPTIONS,
      },
    },
  ],
};

export const DOMAIN_KEYS: KeyTable = {
  domains: {
    type: 'list', items: DOMAIN_ENTRY, example: ['example.nl', { name: 'www.example.nl', mail: false }],
    description: 'The domains to scan, in report order; domains on the command line replace this list.',
  },
  domainsFile: {
    type: 'string', format: 'path', example: 'domains.txt',
    description: 'A file of more domains, one a line (`#` starts a comment), scanned after `domains:` with the `defaults:` settings.',
  },
  defaults: {
    type: 'mapping', keys: DOMAIN_OPTIONS, example: { mail: true, dkimSelectors: ['selector1'] },
    description: 'Settings every domain gets unless its own entry says otherwise.',
  },
};
