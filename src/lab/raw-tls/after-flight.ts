import { constants, privateDecrypt, randomBytes, type KeyObject } from 'node:crypto';
import { ALERT, CONTENT, fatalAlert, record, u16, u8, type ClientRecord } from './wire.ts';

/**
 * What the raw lab server does with the client's records after its flight (RFC 5246 7.3: the client's
 * ClientKeyExchange, ChangeCipherSpec and Finished come next), with switches for three known flaws:
 * - Heartbleed (CVE-2014-0160, RFC 6520): a HeartbeatRequest whose payload_length exceeds what was sent MUST be
 *   discarded silently (RFC 6520 4); the flawed server answers with payload_length bytes anyway, read past the
 *   payload into (fake) memory.
 * - Early ChangeCipherSpec (CVE-2014-0224): a ChangeCipherSpec before the ClientKeyExchange is an unexpected_message
 *   (RFC 5246 7.4, handshake order); the flawed server accepts it silently.
 * - ROBOT (Bleichenbacher 1998, RFC 5246 7.4.7.1): the server must treat a badly padded premaster secret exactly like
 *   a good one; the flawed server answers differently, an oracle on PKCS#1 v1.5 conformance (`paddingOracle`: a
 *   different alert at once; `oracleWithoutCcs`: the same alert, but a good block waits for ChangeCipherSpec and
 *   Finished first, the kind robot-detect and sslyze find only by sending neither).
 * - `heartbeatIgnoresPadding`: not a flaw of memory safety, a laxity: heartbeats are bounds-checked against the
 *   record, but the 16 bytes of padding RFC 6520 4 requires are not.
 */

export type AfterFlightConfig = {
  readonly version: number;
  readonly heartbeatOffered: boolean;
  readonly heartbleed: boolean;
  readonly acceptEarlyCcs: boolean;
  readonly paddingOracle: boolean;
  readonly oracleWithoutCcs: boolean;
  readonly heartbeatIgnoresPadding: boolean;
  readonly privateKey: KeyObject;
  readonly memory: Buffer;
};

/** What to do after a record: write bytes (maybe none), then keep going, close, or go deaf (stay open, answer nothing). */
export type Reaction = { readonly write: Buffer; readonly next: 'continue' | 'close' | 'deaf' };

/** The alert every ClientKeyExchange gets from a correct server, and a flawed one for a well-formed padding. */
export const CKE_ALERT = ALERT.handshakeFailure;
/** The flawed server's different answer to a badly padded premaster secret. */
export const CKE_BAD_PADDING_ALERT = ALERT.decryptError;

/** RFC 6520 4: at least 16 bytes of padding follow the payload. */
const HEARTBEAT_PADDING = 16;
/** RFC 5246 6.2.1: plaintext records carry at most 2^14 bytes; a long heartbeat answer spans records, as OpenSSL's did. */
const MAX_FRAGMENT = 2 ** 14;

export function createAfterFlight(config: AfterFlightConfig): (rec: ClientRecord) => Reaction {
  let handshake = Buffer.alloc(0);
  const fatal = (description: number): Reaction => ({ write: fatalAlert(config.version, description), next: 'close' });
  let earlyCcsAccepted = false;
  /** `oracleWithoutCcs` after a well-formed block: waiting for ChangeCipherSpec, then for the (encrypted) Finished. */
  let awaiting: 'ccs' | 'finished' | null = null;
  return (rec) => {
    if (awaiting === 'ccs') {
      if (rec.type !== CONTENT.changeCipherSpec) return fatal(ALERT.unexpectedMessage);
      awaiting = 'finished';
      return { write: Buffer.alloc(0), next: 'continue' };
    }
    // The Finished cannot be right (the client has no keys): refused as the malformed blocks are.
    if (awaiting === 'finished') return fatal(CKE_ALERT);
    // After an accepted early ChangeCipherSpec the flawed server decrypts with keys from an empty master secret, so
    // the next record fails its MAC, as OpenSSL before 1.0.1h did (how sslyze and testssl.sh tell acceptance).
    if (earlyCcsAccepted) return fatal(ALERT.badRecordMac);
    switch (rec.type) {
      case CONTENT.heartbeat: return heartbeat(rec.body, config);
      case CONTENT.changeCipherSpec:
        // Only reached before a ClientKeyExchange: every ClientKeyExchange below ends the connection.
        if (!config.acceptEarlyCcs) return fatal(ALERT.unexpectedMessage);
        earlyCcsAccepted = true;
        return { write: Buffer.alloc(0), next: 'continue' };
      case CONTENT.handshake: {
        handshake = Buffer.concat([handshake, rec.body]);
        if (handshake.length < 4 || handshake.length < 4 + handshake.readUIntBE(1, 3)) return { write: Buffer.alloc(0), next: 'continue' };
        if (handshake[0] !== 16) return fatal(ALERT.unexpectedMessage);
        const body = handshake.subarray(4, 4 + handshake.readUIntBE(1, 3));
        if (config.oracleWithoutCcs) {
          if (!wellFormedKeyExchange(body, config)) return fatal(CKE_ALERT);
          awaiting = 'ccs';
          return { write: Buffer.alloc(0), next: 'continue' };
        }
        return clientKeyExchange(body, config);
      }
      case CONTENT.alert: return { write: Buffer.alloc(0), next: 'close' };
      default: return fatal(ALERT.unexpectedMessage);
    }
  };
}

function heartbeat(body: Buffer, config: AfterFlightConfig): Reaction {
  if (!config.heartbeatOffered && !config.heartbleed) {
    return { write: fatalAlert(config.version, ALERT.unexpectedMessage), next: 'close' };
  }
  const silent: Reaction = { write: Buffer.alloc(0), next: 'continue' };
  if (body.length < 3 || body[0] !== 1) return silent; // only a heartbeat_request (1) is answered
  const payloadLength = body.readUInt16BE(1);
  let payload: Buffer;
  const padding = config.heartbeatIgnoresPadding ? 0 : HEARTBEAT_PADDING;
  if (3 + payloadLength + padding <= body.length) {
    payload = body.subarray(3, 3 + payloadLength);
  } else if (config.heartbleed) {
    // The flaw: copy payload_length bytes from where the payload starts, running past the record into "memory".
    payload = Buffer.concat([body.subarray(3), config.memory]).subarray(0, payloadLength);
  } else {
    return silent;
  }
  const message = Buffer.concat([u8(2), u16(payloadLength), payload, randomBytes(HEARTBEAT_PADDING)]);
  const records: Buffer[] = [];
  for (let at = 0; at < message.length; at += MAX_FRAGMENT) {
    records.push(record(CONTENT.heartbeat, config.version, message.subarray(at, at + MAX_FRAGMENT)));
  }
  return { write: Buffer.concat(records), next: 'continue' };
}

/**
 * RFC 8017 7.2.2 (EME-PKCS1-v1_5 decoding): 0x00 0x02, at least eight non-zero padding bytes, a 0x00 separator.
 * The premaster's length and version (RFC 5246 7.4.7.1) are not looked at: the oracle this models is the common
 * "padding only" one.
 */
export function pkcs1v15WellFormed(block: Buffer): boolean {
  if (block.length < 11 || block[0] !== 0 || block[1] !== 2) return false;
  const separator = block.indexOf(0, 2);
  return separator >= 10;
}

function clientKeyExchange(body: Buffer, config: AfterFlightConfig): Reaction {
  const end = (description: number): Reaction => ({ write: fatalAlert(config.version, description), next: 'close' });
  if (!config.paddingOracle) return end(CKE_ALERT);
  return end(wellFormedKeyExchange(body, config) ? CKE_ALERT : CKE_BAD_PADDING_ALERT);
}

/** Whether a ClientKeyExchange body decrypts to a well-formed PKCS#1 v1.5 block. */
function wellFormedKeyExchange(body: Buffer, config: AfterFlightConfig): boolean {
  // RFC 5246 7.4.7.1: EncryptedPreMasterSecret is opaque<0..2^16-1> from TLS 1.0 on.
  if (body.length < 2 || body.readUInt16BE(0) !== body.length - 2) return false;
  try {
    return pkcs1v15WellFormed(privateDecrypt({ key: config.privateKey, padding: constants.RSA_NO_PADDING }, body.subarray(2)));
  } catch {
    return false; // wrong length or a value not below the modulus
  }
}
