import { getDiffieHellman } from 'node:crypto';
import type { TlsVersion } from '../probes/types.ts';
import { createCa, issueLeaf, type LabCa, type LabCert } from './pki.ts';
import { startSmtpServer } from './smtp-server.ts';
import { startTlsServer } from './tls-server.ts';
import { withoutDhWarning } from './quiet-dh.ts';
import { WELL_KNOWN_PRIMES } from '../tls/dh-primes.ts';

/**
 * Named lab TLS servers on 127.0.0.1 with known cipher suites, server order and key exchange groups: the ground truth
 * that Vouch's cipher-suite enumeration (issue 9) and the peers (testssl.sh, sslscan) are held against.
 *
 * Every variant carries `expected`: what it was CONFIGURED to do, written out by hand here (never measured). Suites
 * are IANA names (RFC 8446 B.4, RFC 5246 A.5 and the IANA TLS Cipher Suites registry), listed in the server's order
 * of preference when `serverOrder` is true, and in the configured order otherwise. Groups are IANA TLS Supported
 * Groups names (`x25519`, `secp256r1`, `secp384r1`, ...).
 *
 * What this machine's OpenSSL (3.0, in Node 20) can serve, and therefore what no variant contains:
 * - 3DES (TLS_RSA_WITH_3DES_EDE_CBC_SHA): not built into OpenSSL here, not even at SECLEVEL=0
 *   (`openssl ciphers -V '3DES:@SECLEVEL=0'` says "no cipher match", and `tls.getCiphers()` has no DES suite).
 * - SSLv2/SSLv3, RC4, EXPORT, NULL-auth suites: out of scope for these servers (Node cannot serve SSLv3 at all).
 *
 * Node quirks that shape the configuration (node/lib/internal/tls/secure-context.js):
 * - TLS 1.3 suites are given in the same `ciphers` string as the TLS 1.2 ones (names starting `TLS_`); Node splits
 *   them into SSL_CTX_set_ciphersuites. A `ciphers` string without any `TLS_` name disables TLS 1.3, and one with only
 *   `TLS_` names disables TLS 1.2 and below.
 * - Without `dhparam`, Node silently drops every DHE suite.
 * - `honorCipherOrder` (SSL_OP_CIPHER_SERVER_PREFERENCE) applies to TLS 1.3 as well as 1.2 and below.
 */

export type TlsVariantName =
  | 'modern' | 'legacy' | 'tls13-only' | 'order-on' | 'order-off' | 'chacha-preferred'
  | 'dhe-1024' | 'dhe-ffdhe2048' | 'groups-limited' | 'x25519-only' | 'smtp-starttls';

export const TLS_VARIANT_NAMES: readonly TlsVariantName[] = [
  'modern', 'legacy', 'tls13-only', 'order-on', 'order-off', 'chacha-preferred',
  'dhe-1024', 'dhe-ffdhe2048', 'groups-limited', 'x25519-only', 'smtp-starttls',
];

export type TlsVariantExpectation = {
  /** Protocol versions the server accepts, oldest first. */
  readonly versions: readonly TlsVersion[];
  /** Accepted suites per accepted version (IANA names): in server order when `serverOrder` is true. */
  readonly suitesByVersion: Readonly<Partial<Record<TlsVersion, readonly string[]>>>;
  /** The server enforces its own order (true), follows the client's (false); null when there is no choice to make. */
  readonly serverOrder: boolean | null;
  /**
   * Elliptic-curve (and TLS 1.3 named) groups accepted for the key exchange, IANA names; empty with DHE/RSA only.
   * With an ECDSA certificate (`modern`), TLS 1.2 also needs the certificate's curve (secp256r1) among the client's
   * groups (RFC 8422 5.1), so a one-group-at-a-time probe in TLS 1.2 sees only secp256r1 there; TLS 1.3 sees all.
   */
  readonly groups: readonly string[];
  /** The DHE prime, when DHE suites are served. */
  readonly dh: { readonly bits: number; readonly prime: 'modp1024' | 'ffdhe2048' } | null;
  /** The certificate's key. */
  readonly certificate: 'ecdsa-p256' | 'rsa-2048';
};

export type TlsVariant = {
  readonly name: TlsVariantName;
  readonly host: string;
  readonly port: number;
  /** `smtp` for a STARTTLS server (RFC 3207); null when TLS starts at once. */
  readonly starttls: 'smtp' | null;
  /** The lab root the leaf was issued by (PEM), for clients that verify. The leaf names `localhost` and `127.0.0.1`. */
  readonly caPem: string;
  readonly expected: TlsVariantExpectation;
  /** TLS handshakes completed so far. */
  handshakes(): number;
  close(): Promise<void>;
};

// ---------------------------------------------------------------------------------------------------------------
// Suites: OpenSSL name -> IANA name, for the suites the variants use (`openssl ciphers -V -stdname` agrees; the
// variant test compares this table with it).

export const OPENSSL_TO_IANA: Readonly<Record<string, string>> = {
  'ECDHE-ECDSA-AES256-GCM-SHA384': 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'ECDHE-ECDSA-AES128-GCM-SHA256': 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-CHACHA20-POLY1305': 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384': 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'ECDHE-RSA-AES128-GCM-SHA256': 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'ECDHE-RSA-CHACHA20-POLY1305': 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'ECDHE-RSA-AES128-SHA': 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  'ECDHE-RSA-AES256-SHA': 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  'DHE-RSA-AES256-GCM-SHA384': 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384',
  'DHE-RSA-AES128-GCM-SHA256': 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256',
  'DHE-RSA-AES128-SHA': 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA',
  'DHE-RSA-AES256-SHA': 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA',
  'DHE-RSA-CAMELLIA128-SHA': 'TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA',
  'AES128-GCM-SHA256': 'TLS_RSA_WITH_AES_128_GCM_SHA256',
  'AES128-SHA': 'TLS_RSA_WITH_AES_128_CBC_SHA',
  'AES256-SHA': 'TLS_RSA_WITH_AES_256_CBC_SHA',
  'CAMELLIA128-SHA': 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA',
  'CAMELLIA256-SHA': 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA',
};

const iana = (names: readonly string[]): string[] =>
  names.map((n) => (n.startsWith('TLS_') ? n : (OPENSSL_TO_IANA[n] ?? fail(`no IANA name for ${n}`))));

function fail(message: string): never {
  throw new Error(message);
}

/** The three suites Node 20 enables for TLS 1.3 by default, in its default order. */
const TLS13_DEFAULT = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'] as const;

// ---------------------------------------------------------------------------------------------------------------
// DH parameters.

/**
 * PKCS #3 DHParameter (`SEQUENCE { prime INTEGER, base INTEGER }`) as PEM `BEGIN DH PARAMETERS`, DER-encoded here
 * (X.690 8.9 SEQUENCE, 8.3 INTEGER: big-endian two's complement, so a leading 0x00 when the top bit is set).
 */
export function dhParamsPem(prime: Buffer, generator: number): string {
  const der = tlv(0x30, Buffer.concat([integer(prime), integer(Buffer.of(generator))]));
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN DH PARAMETERS-----\n${b64}-----END DH PARAMETERS-----\n`;
}

function integer(magnitude: Buffer): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  return tlv(0x02, (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.of(0), trimmed]) : trimmed);
}

function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const length = n < 0x80 ? Buffer.of(n) : n < 0x100 ? Buffer.of(0x81, n) : Buffer.of(0x82, n >> 8, n & 0xff);
  return Buffer.concat([Buffer.of(tag), length, body]);
}

/**
 * RFC 2409 6.2 "Second Oakley Group" (MODP 1024, generator 2), the 1024-bit prime most often found on weak-DH
 * servers; taken from OpenSSL's copy through Node (`crypto.getDiffieHellman('modp2')`), never retyped.
 */
export const MODP1024_PEM = dhParamsPem(getDiffieHellman('modp2').getPrime(), 2);

/**
 * RFC 7919 appendix A.1 ffdhe2048 (generator 2). Node's `getDiffieHellman` knows no ffdhe group: the prime comes
 * from the table the flight reader identifies primes with (src/tls/dh-primes.ts); the variant test compares it with
 * `openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048`.
 */
export const FFDHE2048_PEM = dhParamsPem(Buffer.from(WELL_KNOWN_PRIMES.find((p) => p.name === 'ffdhe2048')!.pHex, 'hex'), 2);

// ---------------------------------------------------------------------------------------------------------------
// The variants.

type Profile = {
  readonly minVersion: TlsVersion;
  readonly maxVersion: TlsVersion;
  readonly certificate: 'ecdsa-p256' | 'rsa-2048';
  /** TLS 1.2-and-below suites (OpenSSL names), in server order. */
  readonly tls12: readonly string[];
  /** TLS 1.3 suites, in server order. */
  readonly tls13: readonly string[];
  readonly honorCipherOrder: boolean;
  readonly ecdhCurve: string | null;
  readonly groups: readonly string[];
  readonly dh: TlsVariantExpectation['dh'];
  /** Append `:@SECLEVEL=0` (TLS 1.0/1.1 signatures, 1024-bit DH). */
  readonly seclevel0: boolean;
  readonly serverOrder: boolean | null;
};

/**
 * Suites that TLS 1.0 and 1.1 can use too: the CBC suites with HMAC-SHA1 (OpenSSL names ending `-SHA`). The GCM,
 * ChaCha20 and SHA-256/384 suites are TLS 1.2 only (RFC 5246 1.2, RFC 5288 4, RFC 7905 2).
 */
const isPre12Suite = (openssl: string): boolean => openssl.endsWith('-SHA');

const RSA_AEAD_ORDERED = ['ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-CHACHA20-POLY1305'];
const TLS13_ORDERED = ['TLS_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256'];

/**
 * | variant          | versions      | cert     | suites                                                  | order | groups                    |
 * |------------------|---------------|----------|---------------------------------------------------------|-------|---------------------------|
 * | modern           | 1.2, 1.3      | EC P-256 | ECDHE-ECDSA AES-GCM + CHACHA20; 1.3 defaults            | on    | x25519 secp256r1 secp384r1|
 * | legacy           | 1.0-1.3       | RSA 2048 | ECDHE/DHE/static RSA, AES-CBC-SHA1, AES-GCM, CAMELLIA   | off   | x25519 secp256r1 (+ffdhe2048 DH) |
 * | tls13-only       | 1.3           | EC P-256 | AES-128-GCM, AES-256-GCM, CHACHA20                      | on    | x25519 secp256r1          |
 * | order-on         | 1.2, 1.3      | RSA 2048 | ECDHE-RSA AES256-GCM, AES128-GCM, CHACHA20; 1.3 same    | on    | x25519 secp256r1          |
 * | order-off        | as order-on                                                                 | off   | x25519 secp256r1          |
 * | chacha-preferred | 1.2, 1.3      | RSA 2048 | CHACHA20 first in 1.2 and 1.3                           | on    | x25519 secp256r1          |
 * | dhe-1024         | 1.2           | RSA 2048 | DHE-RSA AES-GCM/CBC only, RFC 2409 group 2 (1024 bits)  | on    | none (DH 1024)            |
 * | dhe-ffdhe2048    | 1.2           | RSA 2048 | as dhe-1024 with RFC 7919 ffdhe2048                     | on    | none (DH 2048)            |
 * | groups-limited   | 1.2, 1.3      | RSA 2048 | as order-on                                             | on    | secp384r1 only            |
 * | x25519-only      | 1.2, 1.3      | RSA 2048 | as order-on                                             | on    | x25519 only               |
 * | smtp-starttls    | SMTP STARTTLS on port N, TLS as order-on                                                          |
 */
const PROFILES: Readonly<Record<Exclude<TlsVariantName, 'smtp-starttls'>, Profile>> = {
  modern: {
    minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', certificate: 'ecdsa-p256',
    tls12: ['ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
    tls13: TLS13_DEFAULT, honorCipherOrder: true, serverOrder: true,
    ecdhCurve: 'X25519:P-256:P-384', groups: ['x25519', 'secp256r1', 'secp384r1'], dh: null, seclevel0: false,
  },
  legacy: {
    minVersion: 'TLSv1', maxVersion: 'TLSv1.3', certificate: 'rsa-2048',
    tls12: [
      'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA',
      'DHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-AES128-SHA', 'DHE-RSA-AES256-SHA', 'DHE-RSA-CAMELLIA128-SHA',
      'AES128-GCM-SHA256', 'AES128-SHA', 'AES256-SHA', 'CAMELLIA128-SHA', 'CAMELLIA256-SHA',
    ],
    tls13: TLS13_DEFAULT, honorCipherOrder: false, serverOrder: false,
    ecdhCurve: 'X25519:P-256', groups: ['x25519', 'secp256r1'], dh: { bits: 2048, prime: 'ffdhe2048' }, seclevel0: true,
  },
  'tls13-only': {
    minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', certificate: 'ecdsa-p256',
    tls12: [], tls13: ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'],
    honorCipherOrder: true, serverOrder: true, ecdhCurve: 'X25519:P-256', groups: ['x25519', 'secp256r1'], dh: null, seclevel0: false,
  },
  'order-on': {
    minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', certificate: 'rsa-2048', tls12: RSA_AEAD_ORDERED, tls13: TLS13_ORDERED,
    honorCipherOrder: true, serverOrder: true, ecdhCurve: 'X25519:P-256', groups: ['x25519', 'secp256r1'], dh: null, seclevel0: false,
  },
  'order-off': {
    minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', certificate: 'rsa-2048', tls12: RSA_AEAD_ORDERED, tls13: TLS13_ORDERED,
    honorCipherOrder: false, serverOrder: false, ecdhCurve: 'X25519:P-256', groups: ['x25519', 'secp256r1'], dh: null, seclevel0: false,
  },
  'chacha-preferred': {
    minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', certificate: 'rsa-2048',
    tls12: ['ECDHE-RSA-CHACHA20-POLY1305', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES128-GCM-SHA256'],
    tls13: ['TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256'],
    honorCipherOrder: true, serverOrder: true, ecdhCurve: 'X25519:P-256', groups: ['x25519', 'secp256r1'], dh: null, seclevel0: false,
  },
  'dhe-1024': {
    minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', certificate: 'rsa-2048',
    tls12: ['DHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-AES256-SHA', 'DHE-RSA-AES128-SHA'],
    tls13: [], honorCipherOrder: true, serverOrder: true, ecdhCurve: null, groups: [], dh: { bits: 1024, prime: 'modp1024' }, seclevel0: true,
  },
  'dhe-ffdhe2048': {
    minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', certificate: 'rsa-2048',
    tls12: ['DHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-AES256-SHA', 'DHE-RSA-AES128-SHA'],
    tls13: [], honorCipherOrder: true, serverOrder: true, ecdhCurve: null, groups: [], dh: { bits: 2048, prime: 'ffdhe2048' }, seclevel0: false,
  },
  'groups-limited': {
    minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', certificate: 'rsa-2048', tls12: RSA_AEAD_ORDERED, tls13: TLS13_ORDERED,
    honorCipherOrder: true, serverOrder: true, ecdhCurve: 'P-384', groups: ['secp384r1'], dh: null, seclevel0: false,
  },
  'x25519-only': {
    minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', certificate: 'rsa-2048', tls12: RSA_AEAD_ORDERED, tls13: TLS13_ORDERED,
    honorCipherOrder: true, serverOrder: true, ecdhCurve: 'X25519', groups: ['x25519'], dh: null, seclevel0: false,
  },
};

/** The TLS profile the STARTTLS SMTP variant serves. */
export const SMTP_PROFILE: keyof typeof PROFILES = 'order-on';

const VERSION_ORDER: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

function expectationOf(profile: Profile): TlsVariantExpectation {
  const versions = VERSION_ORDER.slice(VERSION_ORDER.indexOf(profile.minVersion), VERSION_ORDER.indexOf(profile.maxVersion) + 1);
  const suitesByVersion: Partial<Record<TlsVersion, readonly string[]>> = {};
  for (const version of versions) {
    if (version === 'TLSv1.3') suitesByVersion[version] = iana(profile.tls13);
    else if (version === 'TLSv1.2') suitesByVersion[version] = iana(profile.tls12);
    else suitesByVersion[version] = iana(profile.tls12.filter(isPre12Suite));
  }
  return { versions, suitesByVersion, serverOrder: profile.serverOrder, groups: profile.groups, dh: profile.dh, certificate: profile.certificate };
}

/** What a variant was configured to accept, without starting it. */
export function expectedOf(name: TlsVariantName): TlsVariantExpectation {
  return expectationOf(PROFILES[name === 'smtp-starttls' ? SMTP_PROFILE : name]);
}

type LabPki = { readonly ca: LabCa; readonly ec: LabCert; readonly rsa: LabCert };
let pki: LabPki | undefined;

/** One CA and two leaves per process: an RSA-2048 key takes tens of milliseconds to generate. */
function labPki(): LabPki {
  pki ??= (() => {
    const ca = createCa({ name: 'Vouch Lab TLS Variants CA' });
    const hosts = ['localhost', '127.0.0.1'];
    return { ca, ec: issueLeaf(ca, { hosts }), rsa: issueLeaf(ca, { hosts, keyType: 'rsa', rsaBits: 2048 }) };
  })();
  return pki;
}

function serverSettings(profile: Profile) {
  const { ec, rsa } = labPki();
  const leaf = profile.certificate === 'rsa-2048' ? rsa : ec;
  const ciphers = [...profile.tls12, ...profile.tls13].join(':') + (profile.seclevel0 ? ':@SECLEVEL=0' : '');
  const dhparam = profile.dh === null ? undefined : profile.dh.prime === 'modp1024' ? MODP1024_PEM : FFDHE2048_PEM;
  return {
    key: leaf.keyPem, cert: leaf.chainPem, minVersion: profile.minVersion, maxVersion: profile.maxVersion, ciphers,
    honorCipherOrder: profile.honorCipherOrder,
    ...(profile.ecdhCurve === null ? {} : { ecdhCurve: profile.ecdhCurve }),
    ...(dhparam === undefined ? {} : { dhparam }),
  };
}

/** Starts one variant on 127.0.0.1 (a free port). Close it with `close()`. */
export async function startTlsVariant(name: TlsVariantName): Promise<TlsVariant> {
  const caPem = labPki().ca.certPem;
  if (name === 'smtp-starttls') {
    const settings = serverSettings(PROFILES[SMTP_PROFILE]);
    const server = await startSmtpServer({ ...settings, variant: 'good' });
    return {
      name, host: server.host, port: server.port, starttls: 'smtp', caPem, expected: expectedOf(name),
      handshakes: () => server.handshakes(), close: () => server.close(),
    };
  }
  const server = await withoutDhWarning(() => startTlsServer(serverSettings(PROFILES[name])));
  return {
    name, host: server.host, port: server.port, starttls: null, caPem, expected: expectedOf(name),
    handshakes: () => server.handshakes(), close: () => server.close(),
  };
}
