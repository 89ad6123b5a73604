import { describe, expect, it } from 'vitest';
import { ProbeError } from '../../src/core/errors.ts';
import type { Verdict } from '../../src/core/endpoints.ts';
import type { TlsEnumeration, VersionFacts } from '../../src/tls/enumerate.ts';
import type { Exchange, ExchangeRequest, ExchangeResult } from '../../src/tls/exchange.ts';
import { WIRE_VERSIONS, type HelloVersion } from '../../src/tls/hello.ts';
import { FALLBACK_SCSV, probeHygiene, type TlsHygiene } from '../../src/tls/hygiene/probe.ts';
import { judgeCompression, judgeExtendedMasterSecret, judgeFallbackScsv, judgeSecureRenegotiation } from '../../src/tls/judge/hygiene.ts';
import { builtinPolicy } from '../../src/tls/policy.ts';
import { PROTOCOL_VERSIONS, type ProtocolVersion } from '../../src/tls/types.ts';

// The hygiene probe over a scripted server model, and its four judges: facts in, one endpoint's verdict out.

const NCSC = builtinPolicy('ncsc-2025-05');
const MOZ = builtinPolicy('mozilla-intermediate');
const SUITE = 0xc02f;

const REFUSED: VersionFacts = { accepted: false, suites: [], serverOrder: null, order: null, chachaFirst: null, splitOffer: false, refusal: 'alert protocol_version (70)', problems: [] };
const ACCEPTED: VersionFacts = { ...REFUSED, accepted: true, suites: [{ code: SUITE, name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' }], refusal: null };
const UNKNOWN: VersionFacts = { ...REFUSED, accepted: null, refusal: null, problems: ['TLSv1.1: exchange failed (timeout): no reply'] };

function enumeration(versions: Partial<Record<ProtocolVersion, VersionFacts>>): TlsEnumeration {
  return {
    endpoint: '127.0.0.1:443', transport: 'tls',
    versions: Object.fromEntries(PROTOCOL_VERSIONS.map((v) => [v, versions[v] ?? REFUSED])) as unknown as TlsEnumeration['versions'],
    groups: null, ecdheCurves: null, dh: null, keyExchangeSignature: null, problems: [], connections: 20, observedAt: '2026-01-01T00:00:00.000Z',
  };
}

type Hello = { version: number; suites: readonly number[]; methods: readonly number[] };
/** The server's answer to one hello; the ServerHello echoes nothing unless told. */
type Model = (hello: Hello) => ExchangeResult | 'throw';

/** `reneg`: renegotiation_info with an empty renegotiated_connection (true) or these bytes (hex). */
function serverHello(version: number, o: { reneg?: boolean | string; ems?: boolean; compression?: number; suite?: number } = {}): ExchangeResult {
  const extensions = {
    types: [], selectedVersion: null, keyShare: null, renegotiationInfo: o.reneg === undefined || o.reneg === false ? null : { hex: o.reneg === true ? '' : o.reneg }, extendedMasterSecret: o.ems ?? false,
    encryptThenMac: false, alpn: null, ecPointFormats: null, sessionTicket: false, statusRequest: false, serverName: false,
    heartbeat: null, sct: null, maxFragmentLength: null, recordSizeLimit: null, preSharedKey: null, unknown: [],
  };
  return {
    kind: 'flight', version, recordVersion: version, certificates: null, certificateStatus: null, serverKeyExchange: null,
    certificateRequest: null, helloDone: false, encrypted: false, abbreviated: false, compatibilityCcs: null, warnings: [], bytes: 100,
    serverHello: {
      legacyVersion: version, version, randomHex: '', sessionIdHex: '', cipherSuite: o.suite ?? SUITE, compressionMethod: o.compression ?? 0,
      downgradeSentinel: null, extensions,
    },
  };
}
const alert = (description: number): ExchangeResult => ({ kind: 'alert', level: 2, description, name: null, after: 'nothing', serverHello: null, bytes: 7 });

function exchangeFor(model: Model): { exchange: Exchange; asked: Hello[] } {
  const asked: Hello[] = [];
  const exchange: Exchange = async (request: ExchangeRequest) => {
    if (request.kind !== 'tls') throw new Error('unexpected SSLv2 hello');
    const hello = { version: WIRE_VERSIONS[request.hello.version as HelloVersion], suites: request.hello.suites, methods: request.hello.compressionMethods ?? [0] };
    asked.push(hello);
    const answer = model(hello);
    if (answer === 'throw') throw new ProbeError('timeout', '127.0.0.1:443', 'no reply');
    return answer;
  };
  return { exchange, asked };
}

/** A correct OpenSSL-like server for the accepted versions, with switches for each flaw. */
const server = (o: { reneg?: boolean | string; ems?: boolean; deflate?: boolean; honourScsv?: boolean; highest?: number } = {}): Model => (hello) => {
  if (hello.suites.includes(FALLBACK_SCSV) && hello.version < (o.highest ?? 0x0303) && o.honourScsv !== false) return alert(86);
  return serverHello(hello.version, { reneg: o.reneg ?? true, ems: o.ems ?? true, compression: o.deflate && hello.methods.includes(1) ? 1 : 0 });
};

const probe = (versions: Partial<Record<ProtocolVersion, VersionFacts>>, model: Model) => {
  const { exchange, asked } = exchangeFor(model);
  return probeHygiene({ enumeration: enumeration(versions), exchange, serverName: 'example.nl' }).then((facts) => ({ facts, asked }));
};
const statusOf = (v: Verdict) => (v.status === 'error' ? `error/${v.reason}` : v.status);
const all = (h: TlsHygiene, policy = NCSC) =>
  [judgeSecureRenegotiation(h, policy), judgeCompression(h, policy), judgeExtendedMasterSecret(h, policy), judgeFallbackScsv(h, policy)].map(statusOf);

const TLS10_12 = { TLSv1: ACCEPTED, 'TLSv1.1': ACCEPTED, 'TLSv1.2': ACCEPTED };

describe('probeHygiene and its judges', () => {
  it('a correct TLS 1.0-1.2 server: one hello at TLS 1.2 offering DEFLATE, one fallback hello at 1.1 with the SCSV', async () => {
    const { facts, asked } = await probe(TLS10_12, server());
    expect(asked.map((h) => [h.version, h.methods, h.suites.includes(FALLBACK_SCSV)])).toEqual([[0x0303, [1, 0], false], [0x0302, [0], true]]);
    expect(facts.fallback).toMatchObject({ kind: 'tested', highest: 'TLSv1.2', offered: 'TLSv1.1', outcome: 'refused' });
    expect(all(facts)).toEqual(['pass', 'pass', 'pass', 'pass']);
  });

  it('each flaw fails its own check only', async () => {
    expect(all((await probe(TLS10_12, server({ reneg: false }))).facts)).toEqual(['fail', 'pass', 'pass', 'pass']);
    expect(all((await probe(TLS10_12, server({ deflate: true }))).facts)).toEqual(['pass', 'fail', 'pass', 'pass']);
    expect(all((await probe(TLS10_12, server({ ems: false }))).facts)).toEqual(['pass', 'pass', 'fail', 'pass']);
    expect(all((await probe(TLS10_12, server({ honourScsv: false }))).facts)).toEqual(['pass', 'pass', 'pass', 'fail']);
  });

  it('a missing EMS warns where the policy has no rule on it (Mozilla)', async () => {
    const v = judgeExtendedMasterSecret((await probe(TLS10_12, server({ ems: false }))).facts, MOZ);
    expect(v).toMatchObject({ status: 'warn', summary: expect.stringContaining('not required by Mozilla') });
  });

  it('a server that refuses a hello offering DEFLATE is asked again without it', async () => {
    const model: Model = (h) => (h.methods.includes(1) ? alert(50) : server()(h));
    const { facts, asked } = await probe({ 'TLSv1.2': ACCEPTED }, model);
    expect(asked.map((h) => h.methods)).toEqual([[1, 0], [0]]);
    expect(facts.hello).toMatchObject({ deflateOffered: false, refusedWithDeflate: expect.stringContaining('(50)') });
    expect(judgeCompression(facts, NCSC)).toMatchObject({ status: 'pass', summary: expect.stringContaining('refused the hello offering DEFLATE') });
  });

  it('TLS 1.3 only: not applicable, stated; one legacy version: fallback not applicable; no hello sent', async () => {
    const only13 = await probe({ 'TLSv1.3': ACCEPTED }, () => { throw new Error('no hello expected'); });
    expect(only13.asked).toEqual([]);
    expect(all(only13.facts)).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(judgeCompression(only13.facts, NCSC).summary).toMatch(/^not applicable: only TLS 1\.3/);
    const one = await probe({ 'TLSv1.2': ACCEPTED, 'TLSv1.3': ACCEPTED }, server());
    expect(one.asked).toHaveLength(1);
    expect(judgeFallbackScsv(one.facts, NCSC).summary).toMatch(/^not applicable: of SSLv3 to TLS 1\.2 only TLSv1\.2/);
  });

  it('no TLS at all, or only SSLv3: skip naming the protocol-version check', async () => {
    for (const versions of [{}, { SSLv3: ACCEPTED }]) {
      const { facts } = await probe(versions, server());
      expect(all(facts)).toEqual(['skip', 'skip', 'skip', 'skip']);
    }
  });

  it('could not test is error, never pass: a failed hello, an unknown version, a protocol violation', async () => {
    expect(all((await probe(TLS10_12, () => 'throw')).facts)).toEqual(['error/timeout', 'error/timeout', 'error/timeout', 'error/timeout']);
    const unknown = await probe({ 'TLSv1.2': ACCEPTED, 'TLSv1.1': UNKNOWN }, server());
    expect(all(unknown.facts)).toEqual(['pass', 'pass', 'pass', 'error/timeout']);
    const notOffered = await probe(TLS10_12, (h) => (h.suites.includes(FALLBACK_SCSV) ? alert(86) : serverHello(h.version, { suite: 0x002f, reneg: true, ems: true })));
    expect(all(notOffered.facts)).toEqual(['error/protocol', 'error/protocol', 'error/protocol', 'pass']);
    // ... but an accepted fallback is a fail whatever else is unknown.
    const accepted = await probe({ 'TLSv1.2': ACCEPTED, 'TLSv1.1': ACCEPTED, TLSv1: UNKNOWN }, server({ honourScsv: false }));
    expect(judgeFallbackScsv(accepted.facts, NCSC).status).toBe('fail');
  });

  it('a fallback refused with another alert warns', async () => {
    const model: Model = (h) => (h.suites.includes(FALLBACK_SCSV) ? alert(40) : server()(h));
    expect(judgeFallbackScsv((await probe(TLS10_12, model)).facts, NCSC)).toMatchObject({ status: 'warn', summary: expect.stringContaining('rather than inappropriate_fallback') });
  });

  it('falls back to SSLv3 when it is the next lower version accepted (RFC 7507, POODLE)', async () => {
    const versions = { 'TLSv1.2': ACCEPTED, SSLv3: ACCEPTED };
    const honoured = await probe(versions, server());
    expect(honoured.asked.map((h) => [h.version, h.suites.includes(FALLBACK_SCSV)])).toEqual([[0x0303, false], [0x0300, true]]);
    expect(honoured.facts.fallback).toMatchObject({ kind: 'tested', highest: 'TLSv1.2', offered: 'SSLv3', outcome: 'refused' });
    expect(all(honoured.facts)).toEqual(['pass', 'pass', 'pass', 'pass']);
    const ignored = judgeFallbackScsv((await probe(versions, server({ honourScsv: false }))).facts, NCSC);
    expect(ignored).toMatchObject({ status: 'fail', summary: expect.stringMatching(/^an SSLv3 hello with TLS_FALLBACK_SCSV is accepted .* supports TLSv1\.2/) });
    // With TLS 1.0-1.2 as well, the next lower version is TLS 1.1 (as testssl.sh picks it).
    const all3 = await probe({ ...TLS10_12, SSLv3: ACCEPTED }, server());
    expect(all3.facts.fallback).toMatchObject({ offered: 'TLSv1.1', outcome: 'refused' });
  });

  it('an SSLv3 of unknown acceptance leaves a lone TLS version untested, but not a tested TLS fallback', async () => {
    const lone = await probe({ 'TLSv1.2': ACCEPTED, SSLv3: UNKNOWN }, server());
    expect(judgeFallbackScsv(lone.facts, NCSC)).toMatchObject({ status: 'error', summary: expect.stringContaining('SSLv3: whether it is accepted is unknown') });
    expect(judgeFallbackScsv((await probe({ ...TLS10_12, SSLv3: UNKNOWN }, server())).facts, NCSC).status).toBe('pass');
    expect(all((await probe({ SSLv3: ACCEPTED }, server())).facts)).toEqual(['skip', 'skip', 'skip', 'skip']);
  });

  it('a non-empty renegotiated_connection on an initial handshake fails (RFC 5746 3.4, 3.6)', async () => {
    const { facts } = await probe(TLS10_12, server({ reneg: 'c0ffee' }));
    expect(facts.hello).toMatchObject({ renegotiationInfo: true, renegotiatedConnectionHex: 'c0ffee' });
    const v = judgeSecureRenegotiation(facts, NCSC);
    expect(v).toMatchObject({ status: 'fail', summary: expect.stringContaining('non-empty renegotiated_connection (3 bytes)') });
    expect(v.evidence).toMatchObject({ hello: { renegotiatedConnection: 'c0ffee' } });
    expect(all(facts).slice(1)).toEqual(['pass', 'pass', 'pass']);
  });
});
