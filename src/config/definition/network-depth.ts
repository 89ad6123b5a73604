import type { KeyTable } from './types.ts';

/** The keys of issue 13's network checks: where route origins and their RPKI validity come from (`net.rpki`). */
export const NETWORK_DEPTH_KEYS: KeyTable = {
  rpki: {
    type: 'mapping', example: { originZone: 'origin.asn.cymru.com', originZone6: 'origin6.asn.cymru.com', validator: 'http://127.0.0.1:8323' },
    description: 'Route origin validation of every web, name-server and MX address (`net.rpki`): without an origin zone and a validator the check is skipped.',
    keys: {
      originZone: {
        type: 'string', format: 'domain', example: 'origin.asn.cymru.com',
        description: 'A DNS zone answering TXT "AS | prefix | CC | registry | date" for reversed IPv4 octets (the Team Cymru format), asked through `resolvers`.',
      },
      originZone6: {
        type: 'string', format: 'domain', example: 'origin6.asn.cymru.com',
        description: 'The same for reversed IPv6 nibbles; without it IPv6 addresses are not judged.',
      },
      validator: {
        type: 'string', example: 'http://127.0.0.1:8323',
        description: 'An `http://` or `https://` URL: a Routinator or rpki-client server, asked `GET /api/v1/validity/AS<asn>/<prefix>` (only there); '
          + 'anything else: the path of a VRP JSON export (`{"roas": [{"asn", "prefix", "maxLength"}]}`) that Vouch judges itself (RFC 6811).',
      },
    },
  },
};
