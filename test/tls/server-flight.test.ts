import { describe, expect, it } from 'vitest';
import { WELL_KNOWN_PRIMES } from '../../src/tls/dh-primes.ts';
import { HRR_RANDOM, createFlightReader } from '../../src/tls/server-flight.ts';
import type { FlightOptions, FlightResult, KeyExchangeHint } from '../../src/tls/server-flight.ts';
import { seededRandom as prng } from '../support/prng.ts';

// ---- hand-built byte vectors (RFC 5246 4 presentation language: big-endian, length-prefixed vectors) ----
const u8 = (n: number) => Buffer.of(n);
const u16 = (n: number) => Buffer.of(n >> 8, n & 0xff);
const u24 = (n: number) => Buffer.of(n >> 16, (n >> 8) & 0xff, n & 0xff);
const vec8 = (b: Buffer) => Buffer.concat([u8(b.length), b]);
const vec16 = (b: Buffer) => Buffer.concat([u16(b.length), b]);
const vec24 = (b: Buffer) => Buffer.concat([u24(b.length), b]);
const cat = (...parts: Buffer[]) => Buffer.concat(parts);
const fill = (n: number, byte: number) => Buffer.alloc(n, byte);
/** RFC 5246 6.2.1 TLSPlaintext. */
const record = (type: number, body: Buffer, version = 0x0303) => cat(u8(type), u16(version), u16(body.length), body);
/** RFC 5246 7.4 Handshake { msg_type; uint24 length; body }. */
const handshake = (type: number, body: Buffer) => cat(u8(type), u24(body.length), body);
const ext = (type: number, body: Buffer) => cat(u16(type), vec16(body));

const RANDOM = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
/** RFC 5246 7.4.1.3 / RFC 8446 4.1.3 ServerHello body. */
function serverHello(o: { version?: number; random?: Buffer; sessionId?: Buffer; suite?: number; compression?: number; extensions?: Buffer[] | null }) {
  const exts = o.extensions === null ? Buffer.alloc(0) : vec16(cat(...(o.extensions ?? [])));
  return handshake(2, cat(u16(o.version ?? 0x0303), o.random ?? RANDOM, vec8(o.sessionId ?? Buffer.alloc(0)), u16(o.suite ?? 0xc02f), u8(o.compression ?? 0), exts));
}
const CERT_A = cat(Buffer.of(0x30, 0x82, 0x01, 0x00), fill(256, 0xaa)); // stand-ins for DER certificates
const CERT_B = cat(Buffer.of(0x30, 0x81, 0x80), fill(128, 0xbb));
/** RFC 5246 7.4.2 Certificate. */
const certificate = (...certs: Buffer[]) => handshake(11, vec24(cat(...certs.map(vec24))));
const helloDone = handshake(14, Buffer.alloc(0));
const SCT_LIST = vec16(cat(vec16(fill(40, 1)), vec16(fill(50, 2))));

const tls12Extensions = [
  ext(0xff01, vec8(Buffer.alloc(0))), // RFC 5746 3.6 renegotiation_info, empty on an initial handshake
  ext(23, Buffer.alloc(0)), // RFC 7627 extended_master_secret
  ext(16, vec16(vec8(Buffer.from('h2')))), // RFC 7301 ALPN
  ext(11, vec8(Buffer.of(0))), // RFC 8422 5.2 ec_point_formats: uncompressed
  ext(35, Buffer.alloc(0)), // RFC 5077 session_ticket
  ext(5, Buffer.alloc(0)), // RFC 6066 8 status_request
  ext(15, u8(1)), // RFC 6520 heartbeat: peer_allowed_to_send
  ext(18, SCT_LIST), // RFC 6962 3.3
  ext(1, u8(2)), // RFC 6066 4 max_fragment_length 2^10
  ext(22, Buffer.alloc(0)), // RFC 7366 encrypt_then_mac
  ext(0, Buffer.alloc(0)), // RFC 6066 3 server_name acknowledged
  ext(0x1234, Buffer.of(9, 9)), // unknown
];

const OCSP = cat(Buffer.of(0x30, 0x03, 0x0a, 0x01, 0x00));
const P1024 = Buffer.from(WELL_KNOWN_PRIMES.find((p) => p.name === 'modp1024')!.pHex, 'hex');
/** RFC 5246 7.4.3 ServerDHParams + TLS 1.2 digitally-signed (rsa_pkcs1_sha256 0x0401). */
const dheSke = handshake(12, cat(vec16(P1024), vec16(u8(2)), vec16(fill(128, 0x55)), u16(0x0401), vec16(fill(256, 0x77))));
/** RFC 8422 5.4 ServerECDHParams (named_curve secp256r1, uncompressed 65-byte point) + rsa_pss_rsae_sha256 (0x0804). */
const ecPoint = cat(u8(4), fill(64, 0x42));
const ecdheSke = handshake(12, cat(u8(3), u16(0x0017), vec8(ecPoint), u16(0x0804), vec16(fill(256, 0x66))));
/** TLS 1.0 (RFC 2246 7.4.3): the signature without an algorithm field. */
const ecdheSkeTls10 = handshake(12, cat(u8(3), u16(0x0017), vec8(ecPoint), vec16(fill(256, 0x66))));

const SUITES: Record<number, KeyExchangeHint> = {
  0xc02f: { kx: 'ECDHE', auth: 'RSA' }, 0xc013: { kx: 'ECDHE', auth: 'RSA' }, 0x009e: { kx: 'DHE', auth: 'RSA' },
  0x0033: { kx: 'DHE', auth: 'RSA' }, 0xc009: { kx: 'ECDHE', auth: 'ECDSA' }, 0x0034: { kx: 'DH', auth: 'anon' },
};
const keyExchangeOf = (code: number) => SUITES[code];

/** SSLv2 SERVER-HELLO in a two-byte-header record (draft-hickman-netscape-ssl-00). */
const sslv2Body = cat(u8(4), u8(0), u8(1), u16(0x0002), u16(CERT_A.length), u16(6), u16(16), CERT_A, Buffer.from('0100800700c0', 'hex'), fill(16, 0xcd));
const sslv2 = cat(Buffer.of(0x80 | (sslv2Body.length >> 8), sslv2Body.length & 0xff), sslv2Body);

type Vector = { name: string; bytes: Buffer; options?: FlightOptions; check: (r: FlightResult) => void };
const flight12 = cat(serverHello({ extensions: tls12Extensions }), certificate(CERT_A, CERT_B), helloDone);

const vectors: Vector[] = [
  {
    name: 'TLS 1.2 ServerHello with extensions, Certificate, ServerHelloDone in one record (RFC 5246 7.3, 7.4.1.4)',
    bytes: record(22, flight12),
    check: (r) => {
      expect(r).toMatchObject({ kind: 'flight', version: 0x0303, recordVersion: 0x0303, helloDone: true, encrypted: false, abbreviated: false });
      if (r.kind !== 'flight') return;
      expect(r.serverHello).toMatchObject({ legacyVersion: 0x0303, cipherSuite: 0xc02f, compressionMethod: 0, downgradeSentinel: null, sessionIdHex: '' });
      expect(r.serverHello.extensions).toEqual({
        types: [0xff01, 23, 16, 11, 35, 5, 15, 18, 1, 22, 0, 0x1234], selectedVersion: null, keyShare: null,
        renegotiationInfo: { hex: '' }, extendedMasterSecret: true, encryptThenMac: true, alpn: { protocol: 'h2', hex: '6832' },
        ecPointFormats: [0], sessionTicket: true, statusRequest: true, serverName: true, heartbeat: 1,
        sct: { count: 2, hex: SCT_LIST.subarray(2).toString('hex') }, maxFragmentLength: 2, recordSizeLimit: null,
        preSharedKey: null, unknown: [0x1234],
      });
      expect(r.certificates).toEqual({ count: 2, der: [CERT_A, CERT_B], capped: false });
      expect(r.bytes).toBe(5 + flight12.length);
    },
  },
  {
    name: 'certificate cap: counted, kept up to maxCertificates, and said so',
    bytes: record(22, flight12),
    options: { maxCertificates: 1 },
    check: (r) => expect(r).toMatchObject({ kind: 'flight', certificates: { count: 2, der: [CERT_A], capped: true } }),
  },
  {
    name: 'ServerHello split over three records, then Certificate and ServerHelloDone (RFC 5246 6.2.1 fragmentation)',
    bytes: cat(record(22, flight12.subarray(0, 7)), record(22, flight12.subarray(7, 300)), record(22, flight12.subarray(300))),
    check: (r) => expect(r).toMatchObject({ kind: 'flight', helloDone: true, certificates: { count: 2 } }),
  },
  {
    name: 'HelloRetryRequest (RFC 8446 4.1.4): special random, supported_versions, key_share selected_group, cookie',
    bytes: record(22, serverHello({ random: HRR_RANDOM, sessionId: fill(32, 7), suite: 0x1301, extensions: [ext(43, u16(0x0304)), ext(51, u16(0x0017)), ext(44, vec16(Buffer.of(1, 2, 3)))] })),
    check: (r) => expect(r).toEqual({
      kind: 'hello-retry', legacyVersion: 0x0303, selectedVersion: 0x0304, cipherSuite: 0x1301, requestedGroup: 0x0017,
      cookieHex: '010203', sessionIdHex: '07'.repeat(32), extensions: [43, 51, 44], bytes: 5 + 4 + 70 + 2 + 21,
    }),
  },
  {
    name: 'TLS 1.3 ServerHello with key_share x25519 (RFC 8446 4.2.8), compatibility CCS (D.4), then encrypted records',
    bytes: cat(
      record(22, serverHello({ sessionId: fill(32, 7), suite: 0x1302, extensions: [ext(43, u16(0x0304)), ext(51, cat(u16(0x001d), vec16(fill(32, 9))))] })),
      record(20, u8(1)), record(23, fill(40, 0xee))),
    check: (r) => {
      expect(r).toMatchObject({ kind: 'flight', version: 0x0304, encrypted: true, compatibilityCcs: true, helloDone: false, certificates: null });
      if (r.kind === 'flight') expect(r.serverHello.extensions.keyShare).toEqual({ group: 0x001d, keyExchangeLength: 32 });
    },
  },
  {
    name: 'TLS 1.3 without the compatibility CCS: stops at the first application_data header',
    bytes: cat(record(22, serverHello({ suite: 0x1301, extensions: [ext(43, u16(0x0304)), ext(51, cat(u16(0x001d), vec16(fill(32, 9))))] })), record(23, fill(40, 0xee)).subarray(0, 5)),
    check: (r) => expect(r).toMatchObject({ kind: 'flight', encrypted: true, compatibilityCcs: false }),
  },
  {
    name: 'fatal alert handshake_failure (RFC 5246 7.2.2)',
    bytes: record(21, Buffer.of(2, 40), 0x0301),
    check: (r) => expect(r).toEqual({ kind: 'alert', level: 2, description: 40, name: 'handshake_failure', after: 'nothing', serverHello: null, bytes: 7 }),
  },
  {
    name: 'alert protocol_version fragmented over two records (RFC 5246 6.2.1)',
    bytes: cat(record(21, u8(2)), record(21, u8(70))),
    check: (r) => expect(r).toMatchObject({ kind: 'alert', level: 2, description: 70, name: 'protocol_version' }),
  },
  {
    name: 'warning unrecognized_name before the ServerHello is noted and reading goes on (RFC 6066 3)',
    bytes: cat(record(21, Buffer.of(1, 112)), record(22, flight12)),
    check: (r) => expect(r).toMatchObject({ kind: 'flight', helloDone: true, warnings: [{ level: 1, description: 112, name: 'unrecognized_name' }] }),
  },
  {
    name: 'alert after the Certificate keeps the ServerHello',
    bytes: cat(record(22, cat(serverHello({}), certificate(CERT_A))), record(21, Buffer.of(2, 80))),
    check: (r) => expect(r).toMatchObject({ kind: 'alert', name: 'internal_error', after: 'Certificate', serverHello: { cipherSuite: 0xc02f } }),
  },
  {
    name: 'DHE ServerKeyExchange with the RFC 2409 group 2 prime, TLS 1.2 rsa_pkcs1_sha256 (RFC 5246 7.4.3)',
    bytes: record(22, cat(serverHello({ suite: 0x009e }), certificate(CERT_A), dheSke, helloDone)),
    options: { keyExchangeOf },
    check: (r) => expect(r).toMatchObject({
      kind: 'flight', helloDone: true,
      serverKeyExchange: {
        kind: 'dhe', kxSource: 'suite', pHex: P1024.toString('hex'), gHex: '02', primeBits: 1024, ysLength: 128,
        prime: { bits: 1024, wellKnown: { name: 'modp1024' }, rfc7919: false }, signature: { scheme: 0x0401, impliedHash: null, length: 256 },
      },
    }),
  },
  {
    name: 'ECDHE ServerKeyExchange, secp256r1, rsa_pss_rsae_sha256 (RFC 8422 5.4, RFC 8446 4.2.3)',
    bytes: record(22, cat(serverHello({}), certificate(CERT_A), ecdheSke, helloDone)),
    options: { keyExchangeOf },
    check: (r) => expect(r).toMatchObject({
      kind: 'flight',
      serverKeyExchange: { kind: 'ecdhe', kxSource: 'suite', curveType: 3, namedCurve: 0x0017, pointLength: 65, pointFormat: 4, signature: { scheme: 0x0804, impliedHash: null, length: 256 } },
    }),
  },
  {
    name: 'TLS 1.0 ECDHE-RSA ServerKeyExchange: no algorithm field, MD5+SHA-1 implied (RFC 2246 7.4.3, RFC 4492 5.4)',
    bytes: record(22, cat(serverHello({ version: 0x0301, suite: 0xc013 }), certificate(CERT_A), ecdheSkeTls10, helloDone), 0x0301),
    options: { keyExchangeOf },
    check: (r) => expect(r).toMatchObject({ kind: 'flight', version: 0x0301, serverKeyExchange: { kind: 'ecdhe', namedCurve: 0x0017, signature: { scheme: null, impliedHash: 'md5-sha1', length: 256 } } }),
  },
  {
    name: 'TLS 1.0 ECDHE-ECDSA: SHA-1 implied (RFC 4492 5.4)',
    bytes: record(22, cat(serverHello({ version: 0x0301, suite: 0xc009 }), certificate(CERT_A), ecdheSkeTls10, helloDone), 0x0301),
    options: { keyExchangeOf },
    check: (r) => expect(r).toMatchObject({ kind: 'flight', serverKeyExchange: { signature: { scheme: null, impliedHash: 'sha1' } } }),
  },
  {
    name: 'unknown key exchange: ECDHE guessed from curve_type 3',
    bytes: record(22, cat(serverHello({ suite: 0xfefe }), certificate(CERT_A), ecdheSke, helloDone)),
    check: (r) => expect(r).toMatchObject({ kind: 'flight', serverKeyExchange: { kind: 'ecdhe', kxSource: 'guessed', namedCurve: 0x0017, signature: { scheme: 0x0804 } } }),
  },
  {
    name: 'unknown key exchange: DHE guessed',
    bytes: record(22, cat(serverHello({ suite: 0xfefe }), certificate(CERT_A), dheSke, helloDone)),
    check: (r) => expect(r).toMatchObject({ kind: 'flight', serverKeyExchange: { kind: 'dhe', kxSource: 'guessed', primeBits: 1024 } }),
  },
  {
    name: 'anonymous DH: unsigned ServerDHParams (RFC 5246 7.4.3, DH_anon)',
    bytes: record(22, cat(serverHello({ suite: 0x0034 }), handshake(12, cat(vec16(P1024), vec16(u8(2)), vec16(fill(128, 1)))), helloDone)),
    options: { keyExchangeOf },
    check: (r) => expect(r).toMatchObject({ kind: 'flight', certificates: null, serverKeyExchange: { kind: 'dhe', signature: null } }),
  },
  {
    name: 'CertificateStatus with an OCSP response (RFC 6066 8) and CertificateRequest (RFC 5246 7.4.4)',
    bytes: record(22, cat(
      serverHello({ extensions: [ext(5, Buffer.alloc(0))] }), certificate(CERT_A), handshake(22, cat(u8(1), vec24(OCSP))), ecdheSke,
      handshake(13, cat(vec8(Buffer.of(1, 64)), vec16(cat(u16(0x0401), u16(0x0804))), vec16(cat(vec16(fill(10, 3)), vec16(fill(12, 4)))))), helloDone)),
    options: { keyExchangeOf },
    check: (r) => expect(r).toMatchObject({
      kind: 'flight', helloDone: true, certificateStatus: { statusType: 1, responses: [OCSP] },
      certificateRequest: { certificateTypes: [1, 64], signatureAlgorithms: [0x0401, 0x0804], authorities: 2 },
    }),
  },
  {
    name: 'RFC 8446 4.1.3 downgrade sentinel DOWNGRD 01 in a TLS 1.2 ServerHello',
    bytes: record(22, cat(serverHello({ random: cat(fill(24, 0), Buffer.from('DOWNGRD\x01', 'latin1')) }), certificate(CERT_A), helloDone)),
    check: (r) => expect(r).toMatchObject({ kind: 'flight', serverHello: { downgradeSentinel: 1 } }),
  },
  {
    name: 'SSLv3 ServerHello without extensions, then ChangeCipherSpec: abbreviated handshake (RFC 5246 7.3)',
    bytes: cat(record(22, serverHello({ version: 0x0300, suite: 0x000a, sessionId: fill(32, 1), extensions: null }), 0x0300), record(20, u8(1), 0x0300)),
    check: (r) => expect(r).toMatchObject({ kind: 'flight', version: 0x0300, abbreviated: true, encrypted: true, helloDone: false }),
  },
  {
    name: 'stopAfter server-hello ends at the ServerHello',
    bytes: record(22, flight12),
    options: { stopAfter: 'server-hello' },
    check: (r) => expect(r).toMatchObject({ kind: 'flight', helloDone: false, certificates: null }),
  },
  {
    name: 'SSLv2 SERVER-HELLO (two-byte record header with the high bit)',
    bytes: sslv2,
    check: (r) => expect(r).toEqual({
      kind: 'sslv2-server-hello', sessionIdHit: false, certificateType: 1, version: 2, certificate: CERT_A,
      cipherSpecs: [0x010080, 0x0700c0], connectionIdHex: 'cd'.repeat(16), bytes: sslv2.length,
    }),
  },
  {
    name: 'SSLv2 ERROR NO-CIPHER-ERROR',
    bytes: Buffer.of(0x80, 3, 0, 0, 1),
    check: (r) => expect(r).toEqual({ kind: 'sslv2-error', code: 1, name: 'NO-CIPHER-ERROR', bytes: 5 }),
  },
  // ---- typed problems ----
  ...([
    ['Certificate before the ServerHello', record(22, certificate(CERT_A)), /Certificate before the ServerHello/, 5],
    ['unknown record type after a valid one', cat(record(22, serverHello({})), record(25, u8(1))), /unexpected record type 25/, 49],
    ['not a TLS first byte', record(25, u8(1)), /not a TLS reply: starts with 1903030001/, 0],
    ['empty handshake record (RFC 5246 6.2.1)', record(22, Buffer.alloc(0)), /empty handshake record/, 3],
    ['record over 2^14 + 2048', cat(u8(22), u16(0x0303), u16(18433)), /record length 18433/, 3],
    ['an HTTP answer', Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'), /not a TLS reply: starts with 485454502f "HTTP\/"/, 0],
    ['trailing garbage in the ServerHello', record(22, handshake(2, cat(serverHello({}).subarray(4), u8(0)))), /ServerHello: 1 trailing byte/, 5 + 4 + 40],
    ['session_id longer than 32 (RFC 5246 7.4.1.3)', record(22, handshake(2, cat(u16(0x0303), RANDOM, vec8(fill(33, 0)), u16(0xc02f), u8(0)))), /session_id length 33/, 9 + 34],
    ['extension length beyond its block', record(22, handshake(2, cat(serverHello({ extensions: null }).subarray(4), u16(4), u16(23), u16(9)))), /extension 23 length 9 exceeds/, 9 + 40 + 2],
    ['duplicate extension (RFC 5246 7.4.1.4)', record(22, serverHello({ extensions: [ext(23, Buffer.alloc(0)), ext(23, Buffer.alloc(0))] })), /duplicate extension 23/, 9 + 40 + 4],
    ['non-empty extended_master_secret', record(22, serverHello({ extensions: [ext(23, u8(0))] })), /must be empty/, 9 + 40 + 4],
    ['change_cipher_spec before the ServerHello', record(20, u8(1)), /change_cipher_spec before the ServerHello/, 0],
    ['application_data before the handshake completed', cat(record(22, serverHello({})), record(23, u8(1))), /application_data before/, 5 + 4 + 40],
    ['a second ServerHello', record(22, cat(serverHello({}), serverHello({}))), /a second ServerHello/, 5 + 44],
    ['ServerKeyExchange before Certificate? no: Certificate after ServerKeyExchange', record(22, cat(serverHello({}), ecdheSke, certificate(CERT_A))), /Certificate after ServerKeyExchange/, 5 + 44 + ecdheSke.length],
    ['Finished in the first flight', record(22, cat(serverHello({}), handshake(20, fill(12, 0)))), /unexpected Finished/, 5 + 44],
    ['non-empty ServerHelloDone', record(22, cat(serverHello({}), handshake(14, u8(0)))), /ServerHelloDone: must be empty/, 5 + 44 + 4],
    ['certificate length overrunning the list', record(22, cat(serverHello({}), handshake(11, vec24(cat(u24(500), fill(10, 0)))))), /certificate 0 length 500/, 5 + 44 + 4 + 3],
    ['plaintext handshake after a TLS 1.3 ServerHello (RFC 8446 5)', cat(record(22, serverHello({ extensions: [ext(43, u16(0x0304))] })), record(22, handshake(8, Buffer.alloc(2)))), /plaintext handshake record/, 5 + 4 + 40 + 6],
    ['TLS 1.3 ServerHello not ending its record (RFC 8446 5.1)', record(22, cat(serverHello({ extensions: [ext(43, u16(0x0304))] }), handshake(8, Buffer.alloc(2)))), /RFC 8446 5.1/, 5 + 4 + 40 + 6],
    ['HelloRetryRequest without supported_versions (RFC 8446 4.1.4)', record(22, serverHello({ random: HRR_RANDOM, extensions: [ext(51, u16(0x17))] })), /without supported_versions/, 9 + 2],
    ['explicit SSLv2 garbage message type', Buffer.of(0x80, 2, 9, 9), /message type 9/, 2],
    ['CCS with a wrong value', cat(record(22, serverHello({})), record(20, u8(2))), /single byte 1/, 5 + 44 + 5],
    ['ServerKeyExchange with trailing bytes', record(22, cat(serverHello({}), handshake(12, cat(ecdheSke.subarray(4), u8(0))))), /ServerKeyExchange: 1 trailing byte/, 5 + 44 + ecdheSke.length],
  ] as const).map(([name, bytes, problem, offset]): Vector => ({
    name: `malformed: ${name}`, bytes, options: { keyExchangeOf },
    check: (r) => {
      expect(r.kind).toBe('malformed');
      if (r.kind === 'malformed') { expect(r.problem).toMatch(problem); expect(r.offset).toBe(offset); }
    },
  })),
  {
    name: 'too-large: a Certificate message beyond maxBytes is refused as soon as its header is in',
    bytes: record(22, cat(serverHello({}), handshake(11, vec24(vec24(fill(3000, 1)))))).subarray(0, 5 + 44 + 4),
    options: { maxBytes: 2000 },
    check: (r) => expect(r).toEqual({ kind: 'too-large', bytes: 5 + 44 + 4 + 3006, limit: 2000 }),
  },
  {
    name: 'too-large: a record beyond maxBytes',
    bytes: cat(record(22, serverHello({})), u8(22), u16(0x0303), u16(4000)),
    options: { maxBytes: 2000 },
    check: (r) => expect(r).toEqual({ kind: 'too-large', bytes: 49 + 5 + 4000, limit: 2000 }),
  },
];

/** A chain of 100 certificates (about 150 KB) fits when the cap is raised, in records of at most 2^14 bytes. */
function chain100(): Buffer {
  const certs = Array.from({ length: 100 }, (_, i) => cat(Buffer.of(0x30, 0x82, 0x05, 0xdc), fill(1500, i)));
  const messages = cat(serverHello({}), certificate(...certs), helloDone);
  const records: Buffer[] = [];
  for (let at = 0; at < messages.length; at += 16384) records.push(record(22, messages.subarray(at, at + 16384)));
  return cat(...records);
}

function feed(bytes: Buffer, options: FlightOptions | undefined, split: (n: number) => number[]): FlightResult {
  const reader = createFlightReader(options);
  let at = 0;
  for (const size of split(bytes.length)) {
    const state = reader.push(bytes.subarray(at, at + size));
    at += size;
    if (state.done) return state.result;
  }
  return reader.end().result;
}
const whole = (n: number) => [n];
const single = (n: number) => Array.from({ length: n }, () => 1);

const randomSplit = (random: () => number) => (n: number) => {
  const sizes: number[] = [];
  for (let left = n; left > 0;) { const s = Math.min(left, 1 + Math.floor(random() * 40)); sizes.push(s); left -= s; }
  return sizes;
};

describe('server-flight vectors', () => {
  it.each(vectors)('$name', ({ bytes, options, check }) => check(feed(bytes, options, whole)));

  it.each(vectors)('byte by byte and in random splits, the same result: $name', ({ bytes, options }) => {
    const once = feed(bytes, options, whole);
    expect(feed(bytes, options, single)).toEqual(once);
    expect(feed(bytes, options, randomSplit(prng(bytes.length)))).toEqual(once);
  });

  it('reads a chain of 100 certificates with maxBytes raised, and calls it too-large at the default cap', () => {
    const bytes = chain100();
    const r = feed(bytes, { maxBytes: 256 * 1024, maxCertificates: 100 }, whole);
    expect(r).toMatchObject({ kind: 'flight', helloDone: true, certificates: { count: 100, capped: false } });
    if (r.kind === 'flight') expect(r.certificates!.der[99]!.subarray(4)).toEqual(fill(1500, 99));
    expect(feed(bytes, { maxBytes: 256 * 1024, maxCertificates: 100 }, randomSplit(prng(7)))).toEqual(r);
    expect(feed(bytes, {}, whole)).toMatchObject({ kind: 'too-large', limit: 64 * 1024 });
  });

  it('reports truncated when the peer closes mid-flight, with what it had', () => {
    const bytes = record(22, flight12);
    expect(feed(bytes.subarray(0, 3), undefined, whole)).toEqual({ kind: 'truncated', after: 'nothing', bytes: 3, serverHello: null, warnings: [] });
    expect(feed(bytes.subarray(0, 60), undefined, whole)).toMatchObject({ kind: 'truncated', after: 'nothing', bytes: 60, serverHello: null });
    const both = cat(record(22, serverHello({})), record(22, certificate(CERT_A)), record(22, helloDone).subarray(0, 7));
    expect(feed(both, undefined, whole)).toMatchObject({ kind: 'truncated', after: 'Certificate', serverHello: { cipherSuite: 0xc02f } });
    expect(feed(Buffer.alloc(0), undefined, whole)).toMatchObject({ kind: 'truncated', after: 'nothing', bytes: 0 });
  });

  it('ends a TLS 1.3 flight when the peer closes right after the ServerHello', () => {
    const bytes = record(22, serverHello({ extensions: [ext(43, u16(0x0304))] }));
    expect(feed(bytes, undefined, whole)).toMatchObject({ kind: 'flight', encrypted: true, compatibilityCcs: null });
  });

  it('keeps its decision: later pushes and end() return the same result', () => {
    const reader = createFlightReader();
    const first = reader.push(record(21, Buffer.of(2, 40)));
    expect(first.done).toBe(true);
    expect(reader.push(Buffer.from('more'))).toEqual(first);
    expect(reader.end()).toEqual(first);
  });

  it('results are JSON-serialisable', () => {
    const r = feed(record(22, cat(serverHello({ suite: 0x009e }), certificate(CERT_A), dheSke, helloDone)), { keyExchangeOf }, whole);
    expect(JSON.parse(JSON.stringify(r))).toMatchObject({ kind: 'flight', serverKeyExchange: { prime: { wellKnown: { name: 'modp1024' } } } });
  });
});

describe('server-flight fuzz (seeded): every input gives a typed result, never an exception', () => {
  const KINDS = new Set(['flight', 'hello-retry', 'alert', 'sslv2-server-hello', 'sslv2-error', 'malformed', 'too-large', 'truncated']);
  const typed = (bytes: Buffer, options?: FlightOptions) => {
    let r: FlightResult | undefined;
    expect(() => { r = feed(bytes, options, whole); }).not.toThrow();
    expect(KINDS.has(r!.kind)).toBe(true);
    return r!;
  };

  it('every truncation of every vector', () => {
    for (const { bytes, options } of vectors) {
      for (let n = 0; n <= bytes.length; n++) typed(bytes.subarray(0, n), options);
    }
  });

  it('random byte flips, split-invariant too', () => {
    const random = prng(20240509);
    for (let i = 0; i < 400; i++) {
      const { bytes, options } = vectors[Math.floor(random() * vectors.length)]!;
      const copy = Buffer.from(bytes);
      const flips = 1 + Math.floor(random() * 4);
      for (let f = 0; f < flips; f++) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
      const r = typed(copy, options);
      expect(feed(copy, options, randomSplit(random))).toEqual(r);
    }
  });

  it('random strings, raw and behind a plausible record header', () => {
    const random = prng(42);
    for (let i = 0; i < 400; i++) {
      const body = Buffer.from(Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256)));
      typed(body);
      typed(record(22, body));
      typed(record(22, handshake(2 + Math.floor(random() * 3) * 9, body)), { keyExchangeOf });
      typed(cat(record(22, serverHello({})), record(22, handshake([11, 12, 13, 22, 14][i % 5]!, body))), { keyExchangeOf });
    }
  });
});
