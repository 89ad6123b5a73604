import { Cursor, ParseError, hex } from './bytes.ts';
import type { KeyShareFact, ServerHelloExtensions, ServerHelloFacts } from './types.ts';

/** Parsing the ServerHello (RFC 5246 7.4.1.3, RFC 8446 4.1.3) and its extensions (RFC 8446 4.2, RFC 5246 7.4.1.4). */

/** RFC 8446 4.1.3: SHA-256 of "HelloRetryRequest" in the random marks a HelloRetryRequest. */
export const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');
/** RFC 8446 4.1.3: the last 8 bytes of a TLS 1.3 server's random when it negotiates TLS 1.2 (01) or older (00). */
const DOWNGRADE = Buffer.from('444f574e475244', 'hex'); // "DOWNGRD"

/** True for TLS 1.3 and its drafts (0x7f00 + draft number, draft-ietf-tls-tls13 4.2.1). */
export const isTls13 = (version: number): boolean => version === 0x0304 || (version >> 8) === 0x7f;

export type ParsedHello =
  | { readonly retry: false; readonly hello: ServerHelloFacts }
  | {
      readonly retry: true; readonly legacyVersion: number; readonly selectedVersion: number; readonly cipherSuite: number;
      readonly requestedGroup: number | null; readonly cookieHex: string | null; readonly sessionIdHex: string;
      readonly extensions: readonly number[];
    };

type MutableExtensions = { -readonly [K in keyof ServerHelloExtensions]: ServerHelloExtensions[K] };

export function parseServerHello(body: Buffer): ParsedHello {
  const c = new Cursor(body, 'ServerHello');
  const legacyVersion = c.u16('legacy_version');
  const random = c.bytes(32, 'random');
  const sessionId = c.vector(1, 'session_id', 0, 32);
  const cipherSuite = c.u16('cipher_suite');
  const compressionMethod = c.u8('compression_method');
  const retry = random.equals(HRR_RANDOM);
  const ext: MutableExtensions = {
    types: [], selectedVersion: null, keyShare: null, renegotiationInfo: null, extendedMasterSecret: false,
    encryptThenMac: false, alpn: null, ecPointFormats: null, sessionTicket: false, statusRequest: false,
    serverName: false, heartbeat: null, sct: null, maxFragmentLength: null, recordSizeLimit: null, preSharedKey: null,
    unknown: [],
  };
  const types: number[] = [];
  const unknown: number[] = [];
  let requestedGroup: number | null = null;
  let cookieHex: string | null = null;
  // RFC 5246 7.4.1.3: the extensions block is optional before TLS 1.3 ("the presence of extensions can be detected
  // by determining whether there are bytes following the compression_method").
  if (c.left > 0) {
    const block = new Cursor(c.vector(2, 'extensions'), 'ServerHello extensions');
    const base = c.at - block.buf.length;
    c.end();
    while (block.left > 0) {
      const start = block.at;
      let type: number;
      let data: Buffer;
      try {
        type = block.u16('extension type');
        data = block.vector(2, `extension ${type}`);
      } catch (error) {
        throw error instanceof ParseError ? at(base + error.at, error.problem) : error;
      }
      // RFC 5246 7.4.1.4 / RFC 8446 4.2: no two extensions of the same type.
      if (types.includes(type)) throw at(base + start, `duplicate extension ${type}`);
      types.push(type);
      const e = new Cursor(data, `ServerHello extension ${type}`);
      try {
        switch (type) {
          case 0: ext.serverName = true; break; // RFC 6066 3: server_name, empty
          case 1: ext.maxFragmentLength = e.u8('max_fragment_length'); break;
          case 5: ext.statusRequest = true; break; // RFC 6066 8: empty
          case 11: ext.ecPointFormats = [...e.vector(1, 'ec_point_format_list', 1)]; break;
          case 15: ext.heartbeat = e.u8('HeartbeatMode'); break;
          case 16: { // RFC 7301 3.1: exactly one ProtocolName
            const list = new Cursor(e.vector(2, 'protocol_name_list', 2), 'ALPN');
            const name = list.vector(1, 'ProtocolName', 1);
            list.end();
            ext.alpn = { protocol: name.toString('latin1'), hex: hex(name) };
            break;
          }
          case 18: { // RFC 6962 3.3: SignedCertificateTimestampList
            const list = e.vector(2, 'SignedCertificateTimestampList', 1);
            const scts = new Cursor(list, 'SCT list');
            let count = 0;
            while (scts.left > 0) { scts.vector(2, 'SerializedSCT', 1); count++; }
            ext.sct = { count, hex: hex(list) };
            break;
          }
          case 22: ext.encryptThenMac = true; break; // RFC 7366 2: empty
          case 23: ext.extendedMasterSecret = true; break; // RFC 7627 5.1: empty
          case 28: ext.recordSizeLimit = e.u16('RecordSizeLimit'); break;
          case 35: ext.sessionTicket = true; break; // RFC 5077 3.2: empty in the ServerHello
          case 41: ext.preSharedKey = e.u16('selected_identity'); break;
          case 43: ext.selectedVersion = e.u16('selected_version'); break; // RFC 8446 4.2.1
          case 44: { // RFC 8446 4.2.2: only in a HelloRetryRequest
            if (!retry) e.fail('cookie outside a HelloRetryRequest', 0);
            cookieHex = hex(e.vector(2, 'cookie', 1));
            break;
          }
          case 51: // RFC 8446 4.2.8: KeyShareHelloRetryRequest { selected_group } or KeyShareServerHello { server_share }
            if (retry) requestedGroup = e.u16('selected_group');
            else ext.keyShare = keyShareEntry(e);
            break;
          case 0xff01: ext.renegotiationInfo = { hex: hex(e.vector(1, 'renegotiated_connection')) }; break; // RFC 5746 3.2
          default: unknown.push(type); e.at = e.buf.length;
        }
        if (type === 0 || type === 5 || type === 22 || type === 23 || type === 35) {
          if (e.left > 0) e.fail('must be empty', 0);
        }
        e.end();
      } catch (error) {
        // Re-anchor the extension's relative offset to the ServerHello body.
        throw error instanceof ParseError ? at(base + start + 4 + error.at, error.problem) : error;
      }
    }
  }
  ext.types = types;
  ext.unknown = unknown;
  const sessionIdHex = hex(sessionId);
  if (retry) {
    // RFC 8446 4.1.4: a HelloRetryRequest MUST contain supported_versions.
    if (ext.selectedVersion === null) throw at(2, 'ServerHello: HelloRetryRequest without supported_versions');
    return {
      retry, legacyVersion, selectedVersion: ext.selectedVersion, cipherSuite, requestedGroup, cookieHex, sessionIdHex,
      extensions: types,
    };
  }
  const tail = random.subarray(24);
  const downgradeSentinel = tail.subarray(0, 7).equals(DOWNGRADE) && tail[7]! <= 1 ? (tail[7] as 0 | 1) : null;
  return {
    retry,
    hello: {
      legacyVersion, version: ext.selectedVersion ?? legacyVersion, randomHex: hex(random), sessionIdHex, cipherSuite,
      compressionMethod, downgradeSentinel, extensions: ext,
    },
  };
}

function keyShareEntry(e: Cursor): KeyShareFact {
  const group = e.u16('group');
  const keyExchange = e.vector(2, 'key_exchange', 1);
  return { group, keyExchangeLength: keyExchange.length };
}

const at = (offset: number, problem: string) => new ParseError(problem, offset);
