import type { KeyTable } from './types.ts';

/** The key of Vouch's own DNSSEC validation (issue 13): where its chains of trust start. */
export const DNSSEC_KEYS: KeyTable = {
  dnssec: {
    type: 'mapping', example: { trustAnchors: 'lab-anchors.txt' },
    description: 'Vouch validates DNSSEC itself, from a trust anchor down to each name (`dns.dnssec`, `mail.dnssec-mx`, DANE); '
      + 'the resolver only has to pass DNSSEC records along.',
    keys: {
      trustAnchors: {
        type: 'string', format: 'path', example: 'lab-anchors.txt', defaultText: 'the IANA root zone KSKs, built in',
        description: 'A file of trust anchors in zone-file form (`. IN DS 20326 8 2 E06D...`, or DNSKEY records), replacing the '
          + 'built-in root anchors: for a private root or a lab. Relative to the configuration file.',
      },
    },
  },
};
