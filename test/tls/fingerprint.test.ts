import { describe, expect, it } from 'vitest';
import type { Answer } from '../../src/tls/enumerate-context.ts';
import { fingerprintLine, fingerprintTls } from '../../src/tls/fingerprint.ts';
import type { ExchangeRequest, ExchangeResult } from '../../src/tls/exchange.ts';
import type { FlightResult, ServerHelloFacts } from '../../src/tls/server-flight.ts';

// The fingerprint's canonical lines (src/tls/fingerprint.ts): what decides whether two names share one measurement.

const EXT = {
  types: [0xff01, 0x0017], selectedVersion: null, keyShare: null, renegotiationInfo: { hex: '' }, extendedMasterSecret: true,
  encryptThenMac: false, alpn: null, ecPointFormats: null, sessionTicket: false, statusRequest: false, serverName: false,
  heartbeat: null, sct: null, maxFragmentLength: null, recordSizeLimit: null, preSharedKey: null, unknown: [],
};
const hello = (version: number, suite: number, extra: Partial<ServerHelloFacts['extensions']> = {}, compression = 0): ServerHelloFacts => ({
  legacyVersion: Math.min(version, 0x0303), version, randomHex: '00'.repeat(32), sessionIdHex: '', cipherSuite: suite,
  compressionMethod: compression, downgradeSentinel: null, extensions: { ...EXT, ...extra },
});
const flight = (version: number, sh: ServerHelloFacts, ske: Extract<FlightResult, { kind: 'flight' }>['serverKeyExchange'] = null): ExchangeResult => ({
  kind: 'flight', version, recordVersion: 0x0301, serverHello: sh, certificates: null, certificateStatus: null,
  serverKeyExchange: ske, certificateRequest: null, helloDone: true, encrypted: version === 0x0304, abbreviated: false,
  compatibilityCcs: null, warnings: [], bytes: 100,
} as ExchangeResult);
const answer = (result: ExchangeResult): Answer => ({ kind: 'answer', result });
const ecdhe = (curve: number, scheme: number) => ({
  kind: 'ecdhe' as const, kxSource: 'suite' as const, curveType: 3, namedCurve: curve, explicitFieldBits: null, pointLength: 65,
  pointFormat: 4, pskIdentityHintHex: null, signature: { scheme, impliedHash: null, length: 256 },
});

describe('fingerprintLine', () => {
  it.each([
    ['a TLS 1.2 choice with its curve, signature, compression and sorted extensions',
      'TLSv1.2', answer(flight(0x0303, hello(0x0303, 0xc02f), ecdhe(0x001d, 0x0804))),
      'TLSv1.2 chose 0xc02f group 0x001d signature 0x0804 compression 0 extensions 0x0017,0xff01'],
    ['a TLS 1.3 choice with its key share',
      'TLSv1.3', answer(flight(0x0304, hello(0x0304, 0x1302, { types: [0x002b, 0x0033], keyShare: { group: 0x001d, keyExchangeLength: 32 } }))),
      'TLSv1.3 chose 0x1302 group 0x001d signature - compression 0 extensions 0x002b,0x0033'],
    ['compression chosen (a different configuration than null compression)',
      'TLSv1', answer(flight(0x0301, hello(0x0301, 0x002f, {}, 1))),
      'TLSv1 chose 0x002f group - signature - compression 1 extensions 0x0017,0xff01'],
    ['a refusal by alert', 'TLSv1.1',
      answer({ kind: 'alert', level: 2, description: 70, name: 'protocol_version', after: 'nothing', serverHello: null, bytes: 7 }),
      'TLSv1.1 refused: alert protocol_version (70)'],
    ['a refusal by a lower version', 'TLSv1.3', answer(flight(0x0303, hello(0x0303, 0xc02f), ecdhe(0x001d, 0x0804))),
      'TLSv1.3 refused: negotiated TLSv1.2 instead'],
  ] as const)('%s', (_what, version, given, line) => {
    expect(fingerprintLine(version, given)).toBe(line);
  });

  it.each([
    ['no reply', answer({ kind: 'no-reply', how: 'reset' })],
    ['garbage', answer({ kind: 'malformed', problem: 'not TLS', offset: 0 })],
    ['a version not offered', answer(flight(0x0304, hello(0x0304, 0x1301)))],
    ['a failed exchange', { kind: 'failed', problem: 'exchange failed (timeout): no answer' } as Answer],
    ['an alert that may mean "too long"', answer({ kind: 'alert', level: 2, description: 50, name: 'decode_error', after: 'nothing', serverHello: null, bytes: 7 })],
  ] as const)('is not clear on %s', (_what, given) => {
    expect(fingerprintLine('TLSv1.2', given)).toBeNull();
  });
});

describe('fingerprintTls', () => {
  it('asks the five versions once each, and an unclear answer makes the whole fingerprint unclear', async () => {
    const asked: string[] = [];
    const exchange = async (request: ExchangeRequest): Promise<ExchangeResult> => {
      if (request.kind !== 'tls') throw new Error('no SSLv2');
      asked.push(request.hello.version);
      if (request.hello.version === 'TLSv1.2') return flight(0x0303, hello(0x0303, 0xc02f), ecdhe(0x001d, 0x0804));
      if (request.hello.version === 'SSLv3') return { kind: 'no-reply', how: 'closed' };
      return { kind: 'alert', level: 2, description: 70, name: 'protocol_version', after: 'nothing', serverHello: null, bytes: 7 };
    };
    const print = await fingerprintTls({ exchange, serverName: 'a.test', concurrency: 3 });
    expect(asked.sort()).toEqual(['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
    expect(print.connections).toBe(5);
    expect(print.clear).toBe(false);
    expect(print.answers[4]).toBe('SSLv3 unclear');
    expect(print.answers[1]).toMatch(/^TLSv1.2 chose 0xc02f/);
  });

  it('keeps the SCT list of the newest TLS <= 1.2 ServerHello, with its length prefix (RFC 6962 3.3.1)', async () => {
    const list = '0003aabbcc'; // one SerializedSCT of 3 bytes, as server-hello.ts keeps the list's contents
    const exchange = async (request: ExchangeRequest): Promise<ExchangeResult> => {
      if (request.kind !== 'tls') throw new Error('no SSLv2');
      const v = request.hello.version;
      if (v === 'TLSv1.2') return flight(0x0303, hello(0x0303, 0xc02f, { types: [0x0012], sct: { count: 1, hex: list } }), ecdhe(0x001d, 0x0804));
      if (v === 'TLSv1.1') return flight(0x0302, hello(0x0302, 0xc013), ecdhe(0x001d, 0x0201));
      return { kind: 'alert', level: 2, description: 70, name: 'protocol_version', after: 'nothing', serverHello: null, bytes: 7 };
    };
    const print = await fingerprintTls({ exchange, serverName: 'a.test' });
    expect(print.sctExtension).toEqual({ version: 'TLSv1.2', listHex: `0005${list}` });
    expect(print.answers[1]).toMatch(/extensions 0x0012$/);
    const tls13Only = async (): Promise<ExchangeResult> => ({ kind: 'alert', level: 2, description: 70, name: 'protocol_version', after: 'nothing', serverHello: null, bytes: 7 });
    expect((await fingerprintTls({ exchange: tls13Only, serverName: 'a.test' })).sctExtension).toBeNull();
    const withoutSct = async (request: ExchangeRequest): Promise<ExchangeResult> => (request.kind === 'tls' && request.hello.version === 'TLSv1.1'
      ? flight(0x0302, hello(0x0302, 0xc013), ecdhe(0x001d, 0x0201)) : tls13Only());
    expect((await fingerprintTls({ exchange: withoutSct, serverName: 'a.test' })).sctExtension).toEqual({ version: 'TLSv1.1', listHex: null });
  });
});
