import { describe, expect, it } from 'vitest';
import { ProbeError } from '../../src/core/errors.ts';
import { dhPrimeInfo } from '../../src/tls/dh-primes.ts';
import { enumerateTls, type TlsEnumeration } from '../../src/tls/enumerate.ts';
import type { Exchange, ExchangeRequest, ExchangeResult } from '../../src/tls/exchange.ts';
import { WIRE_VERSIONS, fullOffer, type HelloVersion } from '../../src/tls/hello.ts';
import { describeSuite, suiteByName } from '../../src/tls/registry.ts';
import type { FlightResult, ServerHelloFacts, ServerKeyExchangeFact } from '../../src/tls/server-flight.ts';
import { WELL_KNOWN_PRIMES } from '../../src/tls/dh-primes.ts';

// ---- a fake server model: answers HelloSpecs the way a TLS stack decides, as FlightResult objects (no bytes) ----

const code = (name: string): number => suiteByName(name)!.code;
const X25519 = 0x001d, P256 = 0x0017, P384 = 0x0018, MLKEM = 0x11ec, FFDHE2048 = 0x0100;

type Model = {
  /** Accepted suites per version, in the server's preference order (OpenSSL names or IANA names). */
  readonly versions: Partial<Record<HelloVersion, readonly string[]>>;
  /** Enforce the server's order (else the client's). */
  readonly serverOrder?: boolean;
  /** TLS 1.3 groups in the server's preference. */
  readonly groups?: readonly number[];
  /** TLS <= 1.2 ECDHE curves in the server's preference. */
  readonly curves?: readonly number[];
  readonly dhPrime?: string;
  readonly sslv2?: readonly number[];
  /** How an unsupported version or no common suite is refused. */
  readonly refuse?: 'alert' | 'close';
  /** Hellos with more suites than this are reset without reply (old appliances). */
  readonly maxSuites?: number;
  readonly misbehave?: 'unoffered-suite' | 'garbage' | 'endless-hrr' | 'unoffered-group' | 'higher-version' | 'timeout' | 'refused';
};

const EXT = {
  types: [], selectedVersion: null, keyShare: null, renegotiationInfo: null, extendedMasterSecret: false, encryptThenMac: false,
  alpn: null, ecPointFormats: null, sessionTicket: false, statusRequest: false, serverName: false, heartbeat: null, sct: null,
  maxFragmentLength: null, recordSizeLimit: null, preSharedKey: null, unknown: [],
};

function serverHello(version: number, suite: number, keyShare: number | null): ServerHelloFacts {
  return {
    legacyVersion: Math.min(version, 0x0303), version, randomHex: '00'.repeat(32), sessionIdHex: '', cipherSuite: suite,
    compressionMethod: 0, downgradeSentinel: null,
    extensions: { ...EXT, selectedVersion: version === 0x0304 ? 0x0304 : null, keyShare: keyShare === null ? null : { group: keyShare, keyExchangeLength: 32 } },
  };
}

function flight(version: number, suite: number, keyShare: number | null, ske: ServerKeyExchangeFact | null = null): FlightResult {
  return {
    kind: 'flight', version, recordVersion: 0x0301, serverHello: serverHello(version, suite, keyShare), certificates: null,
    certificateStatus: null, serverKeyExchange: ske, certificateRequest: null, helloDone: version < 0x0304,
    encrypted: version === 0x0304, abbreviated: false, compatibilityCcs: null, warnings: [], bytes: 100,
  };
}
const alert = (description: number, name: string): FlightResult => ({ kind: 'alert', level: 2, description, name, after: 'nothing', serverHello: null, bytes: 7 });
const hrr = (suite: number, group: number | null): FlightResult => ({
  kind: 'hello-retry', legacyVersion: 0x0303, selectedVersion: 0x0304, cipherSuite: suite, requestedGroup: group, cookieHex: null,
  sessionIdHex: '', extensions: [43, 51], bytes: 88,
});

function fakeServer(model: Model): Exchange & { calls: ExchangeRequest[] } {
  const calls: ExchangeRequest[] = [];
  const refusal = (): ExchangeResult => (model.refuse === 'close' ? { kind: 'no-reply', how: 'closed' } : alert(40, 'handshake_failure'));
  const exchange = async (request: ExchangeRequest): Promise<ExchangeResult> => {
    calls.push(request);
    if (model.misbehave === 'refused') throw new ProbeError('refused', 'fake:443 (192.0.2.1)', 'connect ECONNREFUSED', { stage: 'connect' });
    if (model.misbehave === 'timeout') throw new ProbeError('timeout', 'fake:443 (192.0.2.1)', 'no answer within 1000 ms');
    if (request.kind === 'sslv2') {
      if (!model.sslv2) return model.refuse === 'close' ? { kind: 'no-reply', how: 'closed' } : alert(70, 'protocol_version');
      const specs = model.sslv2.filter((c) => (request.cipherSpecs ?? [model.sslv2!].flat()).includes(c));
      return { kind: 'sslv2-server-hello', sessionIdHit: false, certificateType: 1, version: 2, certificate: null, cipherSpecs: specs, connectionIdHex: '00'.repeat(16), bytes: 50 };
    }
    const hello = request.hello;
    const version = hello.version;
    const wire = WIRE_VERSIONS[version];
    if (model.maxSuites !== undefined && hello.suites.length > model.maxSuites) return { kind: 'no-reply', how: 'reset' };
    if (model.misbehave === 'garbage' && version === 'TLSv1.2') return { kind: 'malformed', problem: 'not a TLS reply: starts with "HTTP/1.1 400"', offset: 0 };
    const names = model.versions[version];
    if (!names) return model.refuse === 'close' ? { kind: 'no-reply', how: 'closed' } : alert(70, 'protocol_version');
    if (model.misbehave === 'higher-version' && version === 'TLSv1.1') return flight(0x0303, code('ECDHE-RSA-AES128-GCM-SHA256'), null);
    if (model.misbehave === 'unoffered-suite' && version === 'TLSv1.2') return flight(wire, code(names[0]!), null);
    if (model.misbehave === 'endless-hrr' && version === 'TLSv1.3') return hrr(0x1301, P256);
    const offeredGroups = hello.groups ?? [];
    const tls13 = version === 'TLSv1.3';
    const curves = (model.curves ?? [X25519, P256]).filter((g) => offeredGroups.includes(g));
    const usable = names.map(code).filter((c) => hello.suites.includes(c) && (describeSuite(c).kx !== 'ECDHE' || curves.length > 0));
    const prefer = model.serverOrder ? usable : hello.suites.filter((c) => usable.includes(c));
    const suite = prefer[0];
    if (suite === undefined) return refusal();
    if (tls13) {
      if (model.misbehave === 'unoffered-group' && hello.extensions?.keyShares) return hrr(suite, 0x0042);
      const shares = hello.extensions?.keyShares ?? (offeredGroups.includes(X25519) ? [X25519] : []);
      const group = (model.groups ?? [X25519]).find((g) => offeredGroups.includes(g));
      if (group === undefined) return refusal();
      return shares.includes(group) ? flight(0x0304, suite, group) : hrr(suite, group);
    }
    const info = describeSuite(suite);
    let ske: ServerKeyExchangeFact | null = null;
    if (info.kx === 'ECDHE') {
      const signature = { scheme: wire === 0x0303 ? 0x0804 : null, impliedHash: wire === 0x0303 ? null : ('md5-sha1' as const), length: 256 };
      ske = { kind: 'ecdhe', kxSource: 'suite', curveType: 3, namedCurve: curves[0]!, explicitFieldBits: null, pointLength: 65, pointFormat: 4, pskIdentityHintHex: null, signature };
    } else if (info.kx === 'DHE') {
      const pHex = model.dhPrime ?? WELL_KNOWN_PRIMES.find((p) => p.name === 'ffdhe2048')!.pHex;
      const prime = dhPrimeInfo(pHex);
      ske = { kind: 'dhe', kxSource: 'suite', pHex, gHex: '02', primeBits: prime.bits, prime, ysLength: prime.bits / 8, pskIdentityHintHex: null, signature: { scheme: 0x0401, impliedHash: null, length: 256 } };
    }
    return flight(wire, suite, null, request.stopAfter === 'server-hello-done' ? ske : null);
  };
  return Object.assign(exchange, { calls });
}

const enumerate = (model: Model, extra: Partial<Parameters<typeof enumerateTls>[0]> = {}) => {
  const server = fakeServer(model);
  const result = enumerateTls({ endpoint: 'fake:443 (192.0.2.1)', serverName: 'fake.example', exchange: server, now: () => new Date(0), ...extra });
  return { server, result };
};
const names = (list: readonly { name: string }[] | null) => list?.map((s) => s.name) ?? null;
const iana = (openssl: readonly string[]) => openssl.map((n) => suiteByName(n)!.name);

const MODERN: Model = {
  versions: {
    'TLSv1.2': ['ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305', 'ECDHE-RSA-AES128-GCM-SHA256'],
    'TLSv1.3': ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'],
  },
  serverOrder: true, groups: [MLKEM, X25519, P256], curves: [X25519, P256],
};

describe('enumerateTls against a fake server model', () => {
  it('finds every accepted suite per version, the server order, groups (hybrid PQ included) and curves', async () => {
    const { server, result } = enumerate(MODERN);
    const facts = await result;
    expect(facts.versions['TLSv1.2']).toMatchObject({ accepted: true, serverOrder: 'server', chachaFirst: false, splitOffer: false, problems: [] });
    expect(names(facts.versions['TLSv1.2'].suites)).toEqual(iana(MODERN.versions['TLSv1.2']!));
    expect(names(facts.versions['TLSv1.2'].order)).toEqual(iana(MODERN.versions['TLSv1.2']!));
    expect(names(facts.versions['TLSv1.3'].order)).toEqual(MODERN.versions['TLSv1.3']);
    for (const v of ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1'] as const) {
      expect(facts.versions[v]).toMatchObject({ accepted: false, suites: [], problems: [] });
    }
    expect(facts.versions.SSLv3.refusal).toBe('alert protocol_version (70)');
    expect(names(facts.groups)).toEqual(['X25519MLKEM768', 'x25519', 'secp256r1']);
    expect(facts.groups![0]!.kind).toBe('hybrid-pq');
    expect(names(facts.ecdheCurves!.curves)).toEqual(['x25519', 'secp256r1']);
    expect(facts.keyExchangeSignature).toMatchObject({ version: 'TLSv1.2', scheme: { code: 0x0804, name: 'rsa_pss_rsae_sha256' }, hash: 'sha256' });
    expect(facts.dh).toBeNull();
    // SSLv2 1 + SSLv3 1 + TLS 1.0 1 + TLS 1.1 1 + TLS 1.2 (3+1) + TLS 1.3 (3+1) + order 2 + groups (3+1) + curves (2+1) = 21
    expect(facts.connections).toBe(21);
    expect(server.calls).toHaveLength(21);
    // The group hellos carry no key share at all: the server names its pick in a HelloRetryRequest.
    const groupHellos = server.calls.filter((c) => c.kind === 'tls' && c.hello.extensions?.keyShares !== undefined);
    expect(groupHellos).toHaveLength(4);
    for (const c of groupHellos) expect(c.kind === 'tls' && c.hello.extensions?.keyShares).toEqual([]);
    expect(JSON.parse(JSON.stringify(facts))).toEqual(facts);
  });

  it('client order: the reverse offer gets the reverse pick, no order is reported', async () => {
    const facts = await enumerate({ ...MODERN, serverOrder: false }).result;
    expect(facts.versions['TLSv1.2']).toMatchObject({ serverOrder: 'client', order: null, chachaFirst: null });
    expect(facts.versions['TLSv1.3']).toMatchObject({ serverOrder: 'client', order: null });
    // In client order the sequence is the registry's order, and still the complete accepted set.
    expect(new Set(names(facts.versions['TLSv1.2'].suites))).toEqual(new Set(iana(MODERN.versions['TLSv1.2']!)));
  });

  it('notes ChaCha20 at the head of the server order; one suite has no order to tell', async () => {
    const facts = await enumerate({
      versions: { 'TLSv1.2': ['ECDHE-RSA-CHACHA20-POLY1305', 'ECDHE-RSA-AES128-GCM-SHA256'], 'TLSv1.3': ['TLS_AES_128_GCM_SHA256'] },
      serverOrder: true,
    }).result;
    expect(facts.versions['TLSv1.2'].chachaFirst).toBe(true);
    expect(facts.versions['TLSv1.3']).toMatchObject({ accepted: true, serverOrder: null, order: null });
  });

  it('legacy: SSLv2 specs, SSLv3 to TLS 1.2 with CBC, static RSA and DHE, the DHE prime named', async () => {
    const cbc = ['ECDHE-RSA-AES128-SHA', 'DHE-RSA-AES128-SHA', 'AES128-SHA', 'DES-CBC3-SHA', 'RC4-SHA'];
    const facts = await enumerate({
      versions: { SSLv3: ['AES128-SHA', 'RC4-SHA'], TLSv1: cbc, 'TLSv1.1': cbc, 'TLSv1.2': ['ECDHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-AES128-GCM-SHA256', ...cbc] },
      serverOrder: true, sslv2: [0x010080, 0x0700c0], dhPrime: WELL_KNOWN_PRIMES.find((p) => p.name === 'modp1024')!.pHex,
    }).result;
    expect(facts.versions.SSLv2).toMatchObject({ accepted: true });
    expect(names(facts.versions.SSLv2.suites)).toEqual(['SSL_CK_RC4_128_WITH_MD5', 'SSL_CK_DES_192_EDE3_CBC_WITH_MD5']);
    expect(names(facts.versions.SSLv3.suites)).toEqual(iana(['AES128-SHA', 'RC4-SHA']));
    expect(names(facts.versions.TLSv1.order)).toEqual(iana(cbc));
    expect(facts.dh).toMatchObject({ version: 'TLSv1.2', bits: 1024, wellKnown: 'modp1024', rfc7919: false, suite: { name: 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256' } });
    expect(facts.groups).toBeNull();
    // 1 + (2+1) + (5+1) + (5+1) + (7+1) + 1 (TLS 1.3) + orders 4 + curves 3 + DHE 1
    expect(facts.connections).toBe(33);
  });

  it('a server that resets long hellos gets split offers, and the union counts', async () => {
    const accepted = ['ECDHE-RSA-AES128-GCM-SHA256', 'CAMELLIA256-SHA', 'PSK-AES128-CBC-SHA'];
    const { result } = enumerate({ versions: { 'TLSv1.2': accepted }, serverOrder: true, maxSuites: 100 });
    const facts = await result;
    expect(facts.versions['TLSv1.2']).toMatchObject({ accepted: true, splitOffer: true, problems: [] });
    expect(new Set(names(facts.versions['TLSv1.2'].suites))).toEqual(new Set(iana(accepted)));
    // Split sequences are per part: the order is read again by elimination.
    expect(names(facts.versions['TLSv1.2'].order)).toEqual(iana(accepted));
    // Versions it does not speak: the long hello is reset, the short ones refused with protocol_version.
    expect(facts.versions.TLSv1).toMatchObject({ accepted: false, splitOffer: true, problems: [] });
    expect(facts.versions.TLSv1.refusal).toBe('alert protocol_version (70)');
  });

  it('a server that closes on unsupported versions: refused, with one short retry per version', async () => {
    const facts = await enumerate({ ...MODERN, refuse: 'close' }).result;
    expect(facts.versions.TLSv1).toMatchObject({ accepted: false, refusal: expect.stringContaining('closed without reply') });
    expect(names(facts.versions['TLSv1.2'].suites)).toEqual(iana(MODERN.versions['TLSv1.2']!));
    expect(facts.connections).toBe(21 + 3); // SSLv3, TLS 1.0, TLS 1.1 get one short retry each (SSLv2 has one hello)
  });

  it('a suite that was not offered is a problem that stops the version, never an accepted suite', async () => {
    const { server, result } = enumerate({ ...MODERN, misbehave: 'unoffered-suite' });
    const facts = await result;
    const v12 = facts.versions['TLSv1.2'];
    expect(v12.accepted).toBe(true);
    expect(names(v12.suites)).toEqual(iana(['ECDHE-RSA-AES256-GCM-SHA384']));
    expect(v12.problems).toEqual([expect.stringContaining('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (0xc030), which was not offered, chosen before')]);
    expect(server.calls.filter((c) => c.kind === 'tls' && c.hello.version === 'TLSv1.2').length).toBeLessThan(10);
  });

  it('a version the server was not offered is a problem, not an acceptance', async () => {
    const facts = await enumerate({ ...MODERN, versions: { ...MODERN.versions, 'TLSv1.1': ['AES128-SHA'] }, misbehave: 'higher-version' }).result;
    expect(facts.versions['TLSv1.1']).toMatchObject({ accepted: null, suites: [] });
    expect(facts.versions['TLSv1.1'].problems).toEqual(['TLSv1.1: ServerHello for TLSv1.2, which was not offered']);
  });

  it('garbage is a problem with accepted null', async () => {
    const facts = await enumerate({ ...MODERN, misbehave: 'garbage' }).result;
    expect(facts.versions['TLSv1.2']).toMatchObject({ accepted: null, suites: [] });
    expect(facts.versions['TLSv1.2'].problems[0]).toMatch(/malformed reply at byte 0/);
    expect(facts.versions['TLSv1.3'].accepted).toBe(true);
  });

  it('an endless HelloRetryRequest (the same suite again and again) ends the loop as a problem', async () => {
    const { server, result } = enumerate({ ...MODERN, misbehave: 'endless-hrr' });
    const facts = await result;
    expect(names(facts.versions['TLSv1.3'].suites)).toEqual(['TLS_AES_128_GCM_SHA256']);
    expect(facts.versions['TLSv1.3'].problems).toEqual([expect.stringContaining('which was not offered, chosen before')]);
    expect(names(facts.groups)).toEqual(['secp256r1']);
    expect(facts.problems).toEqual([expect.stringContaining('TLSv1.3 groups: the server asked for secp256r1 (0x0017), which was not offered any more')]);
    expect(server.calls.length).toBeLessThan(30);
  });

  it('a group that was not offered is a problem, never an accepted group', async () => {
    const facts = await enumerate({ ...MODERN, misbehave: 'unoffered-group' }).result;
    expect(facts.groups).toEqual([]);
    expect(facts.problems).toEqual([expect.stringContaining('(0x0042), which was not offered')]);
  });

  it('TLS 1.3 groups without a shareable one (FFDHE only) are still found through HelloRetryRequest', async () => {
    const facts = await enumerate({ versions: { 'TLSv1.3': ['TLS_AES_128_GCM_SHA256'] }, groups: [FFDHE2048, P384] }).result;
    expect(names(facts.groups)).toEqual(['ffdhe2048', 'secp384r1']);
    expect(facts.versions['TLSv1.3'].accepted).toBe(true);
  });

  it('refused at connect: the enumeration throws the connect-stage error', async () => {
    await expect(enumerate({ ...MODERN, misbehave: 'refused' }).result).rejects.toMatchObject({ reason: 'refused', stage: 'connect' });
  });

  it('timeouts before any answer: the first error is thrown; the rest are not tried', async () => {
    const { server, result } = enumerate({ ...MODERN, misbehave: 'timeout' });
    await expect(result).rejects.toMatchObject({ reason: 'timeout' });
    expect(server.calls).toHaveLength(1);
  });

  it('timeouts after answers are problems on the versions, and stop after three', async () => {
    let n = 0;
    const inner = fakeServer(MODERN);
    const exchange: Exchange = async (request) => {
      if (++n > 3) throw new ProbeError('timeout', 'fake', 'no answer within 1000 ms');
      return inner(request);
    };
    const facts: TlsEnumeration = await enumerateTls({ endpoint: 'fake', serverName: null, exchange });
    expect(n).toBe(3 + 3); // three answers, three timeouts, nothing more
    expect(facts.versions['TLSv1.3']).toMatchObject({ accepted: true });
    expect(facts.versions['TLSv1.2'].problems[0]).toMatch(/exchange failed \(timeout\)/);
    expect(facts.versions.SSLv3.problems[0]).toMatch(/not tried: 3 exchanges had failed before/);
  });

  it('the connection budget is a hard stop', async () => {
    const facts = await enumerate(MODERN, { maxConnections: 5 }).result;
    expect(facts.connections).toBe(5);
    expect(facts.versions.SSLv3.problems[0]).toMatch(/connection budget of 5 spent/);
  });

  it('a server that accepts everything still ends: (offered + 1) hellos at most per version', async () => {
    const all = fullOffer('TLSv1.2').suites.map((c) => describeSuite(c).name);
    const facts = await enumerate({ versions: { 'TLSv1.2': all }, serverOrder: false, curves: [X25519] }, { versions: ['TLSv1.2'] }).result;
    expect(facts.versions['TLSv1.2'].suites).toHaveLength(all.length);
    expect(facts.versions['TLSv1.2'].problems).toEqual([]);
    expect(facts.versions.SSLv3).toMatchObject({ accepted: null, problems: ['not tested'] });
  });

  it('the same facts whatever the concurrency', async () => {
    const one = await enumerate(MODERN).result;
    const four = await enumerate(MODERN, { concurrency: 4 }).result;
    expect(four).toEqual(one);
  });
});
