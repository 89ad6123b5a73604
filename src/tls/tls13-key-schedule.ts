import { createCipheriv, createDecipheriv, createHash, createHmac, type CipherGCM, type DecipherGCM } from 'node:crypto';

/**
 * The parts of the TLS 1.3 key schedule (RFC 8446 7.1) and record protection (RFC 8446 5.2, 5.3, 7.3) that the
 * 0-RTT proof needs (zero-rtt-proof.ts): early secret from a resumption PSK, the PSK binder (4.2.11.2), the client's
 * early traffic keys, the handshake secret and the server's handshake traffic keys. Pure, node:crypto only.
 * Checked against RFC 8448 3 (Simple 1-RTT) and 4 (Resumed 0-RTT) in test/tls/tls13-key-schedule.test.ts.
 */

export type HashName = 'sha256' | 'sha384';
export type AeadName = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';

/** A TLS 1.3 cipher suite as the key schedule sees it: its hash and AEAD (RFC 8446 B.4). */
export type Tls13Suite = {
  readonly code: number;
  readonly hash: HashName;
  readonly hashLength: number;
  readonly aead: AeadName;
  readonly keyLength: number;
};

/** RFC 8446 B.4, the suites node:crypto can protect records for (the CCM suites 0x1304/0x1305 are left out). */
export const TLS13_SUITES: ReadonlyMap<number, Tls13Suite> = new Map([
  [0x1301, { code: 0x1301, hash: 'sha256', hashLength: 32, aead: 'aes-128-gcm', keyLength: 16 }],
  [0x1302, { code: 0x1302, hash: 'sha384', hashLength: 48, aead: 'aes-256-gcm', keyLength: 32 }],
  [0x1303, { code: 0x1303, hash: 'sha256', hashLength: 32, aead: 'chacha20-poly1305', keyLength: 32 }],
]);

/** RFC 8446 5.3: every TLS 1.3 AEAD here has a 12-byte nonce and a 16-byte tag. */
const IV_LENGTH = 12;
const TAG_LENGTH = 16;

export const transcriptHash = (hash: HashName, ...messages: Buffer[]): Buffer => {
  const h = createHash(hash);
  for (const m of messages) h.update(m);
  return h.digest();
};

/** RFC 5869 2.2; RFC 8446 7.1: a missing salt is a string of Hash.length zeros (HMAC pads any key to the block). */
export const hkdfExtract = (hash: HashName, salt: Buffer, ikm: Buffer): Buffer => createHmac(hash, salt).update(ikm).digest();

/** RFC 5869 2.3. */
export function hkdfExpand(hash: HashName, prk: Buffer, info: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let i = 1, total = 0; total < length; i++) {
    previous = createHmac(hash, prk).update(Buffer.concat([previous, info, Buffer.of(i)])).digest();
    blocks.push(previous);
    total += previous.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** RFC 8446 7.1: HkdfLabel { uint16 length; opaque label<7..255> = "tls13 " + Label; opaque context<0..255> }. */
export function hkdfExpandLabel(hash: HashName, secret: Buffer, label: string, context: Buffer, length: number): Buffer {
  const fullLabel = Buffer.from(`tls13 ${label}`, 'ascii');
  const info = Buffer.concat([Buffer.of(length >> 8, length & 0xff, fullLabel.length), fullLabel, Buffer.of(context.length), context]);
  return hkdfExpand(hash, secret, info, length);
}

/** RFC 8446 7.1: Derive-Secret(Secret, Label, Messages), given Transcript-Hash(Messages). */
export const deriveSecret = (suite: Tls13Suite, secret: Buffer, label: string, messagesHash: Buffer): Buffer =>
  hkdfExpandLabel(suite.hash, secret, label, messagesHash, suite.hashLength);

const zeros = (suite: Tls13Suite) => Buffer.alloc(suite.hashLength);
const emptyHash = (suite: Tls13Suite) => transcriptHash(suite.hash);

/** RFC 8446 7.1: Early Secret = HKDF-Extract(0, PSK); without a PSK (a full handshake) the PSK is zeros. */
export const earlySecret = (suite: Tls13Suite, psk: Buffer | null): Buffer => hkdfExtract(suite.hash, zeros(suite), psk ?? zeros(suite));

/** RFC 8446 7.1: binder_key for a resumption PSK, Derive-Secret(Early Secret, "res binder", ""). */
export const resumptionBinderKey = (suite: Tls13Suite, early: Buffer): Buffer => deriveSecret(suite, early, 'res binder', emptyHash(suite));

/** RFC 8446 4.4.4: finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length). */
export const finishedKey = (suite: Tls13Suite, baseKey: Buffer): Buffer => hkdfExpandLabel(suite.hash, baseKey, 'finished', Buffer.alloc(0), suite.hashLength);

/** RFC 8446 4.2.11.2: the binder is HMAC(finished_key(binder_key), Transcript-Hash(truncated ClientHello)). */
export const pskBinder = (suite: Tls13Suite, binderKey: Buffer, truncatedHelloHash: Buffer): Buffer =>
  createHmac(suite.hash, finishedKey(suite, binderKey)).update(truncatedHelloHash).digest();

/** RFC 8446 7.1: client_early_traffic_secret = Derive-Secret(Early Secret, "c e traffic", ClientHello). */
export const clientEarlyTrafficSecret = (suite: Tls13Suite, early: Buffer, clientHelloHash: Buffer): Buffer =>
  deriveSecret(suite, early, 'c e traffic', clientHelloHash);

/** RFC 8446 7.1: Handshake Secret = HKDF-Extract(Derive-Secret(Early Secret, "derived", ""), (EC)DHE). */
export const handshakeSecret = (suite: Tls13Suite, early: Buffer, sharedSecret: Buffer): Buffer =>
  hkdfExtract(suite.hash, deriveSecret(suite, early, 'derived', emptyHash(suite)), sharedSecret);

/** RFC 8446 7.1: server_handshake_traffic_secret = Derive-Secret(Handshake Secret, "s hs traffic", ClientHello...ServerHello). */
export const serverHandshakeTrafficSecret = (suite: Tls13Suite, handshake: Buffer, helloHash: Buffer): Buffer =>
  deriveSecret(suite, handshake, 's hs traffic', helloHash);

export type TrafficKeys = { readonly suite: Tls13Suite; readonly key: Buffer; readonly iv: Buffer };

/** RFC 8446 7.3: write key and IV from a traffic secret. */
export const trafficKeys = (suite: Tls13Suite, secret: Buffer): TrafficKeys => ({
  suite,
  key: hkdfExpandLabel(suite.hash, secret, 'key', Buffer.alloc(0), suite.keyLength),
  iv: hkdfExpandLabel(suite.hash, secret, 'iv', Buffer.alloc(0), IV_LENGTH),
});

/** RFC 8446 5.3: the per-record nonce, the 64-bit sequence number left-padded to the IV length, XORed with the IV. */
function nonce(iv: Buffer, sequence: number): Buffer {
  const out = Buffer.from(iv);
  const seq = Buffer.alloc(IV_LENGTH);
  seq.writeBigUInt64BE(BigInt(sequence), IV_LENGTH - 8);
  for (let i = 0; i < IV_LENGTH; i++) out[i] = out[i]! ^ seq[i]!;
  return out;
}

/**
 * The AEAD for `keys`. node:crypto types GCM and ChaCha20-Poly1305 ciphers separately but both have setAAD,
 * getAuthTag and setAuthTag with the same meaning; the GCM type stands for both.
 */
const aeadCipher = (keys: TrafficKeys, sequence: number): CipherGCM =>
  createCipheriv(keys.suite.aead as 'aes-128-gcm', keys.key, nonce(keys.iv, sequence), { authTagLength: TAG_LENGTH });
const aeadDecipher = (keys: TrafficKeys, sequence: number): DecipherGCM =>
  createDecipheriv(keys.suite.aead as 'aes-128-gcm', keys.key, nonce(keys.iv, sequence), { authTagLength: TAG_LENGTH });

/**
 * RFC 8446 5.2: one TLSCiphertext record (opaque_type application_data, legacy_record_version 0x0303) protecting
 * TLSInnerPlaintext { content; ContentType type; zeros } with no padding; additional_data is the record header.
 */
export function sealRecord(keys: TrafficKeys, sequence: number, contentType: number, content: Buffer): Buffer {
  const inner = Buffer.concat([content, Buffer.of(contentType)]);
  const header = Buffer.of(23, 3, 3, (inner.length + TAG_LENGTH) >> 8, (inner.length + TAG_LENGTH) & 0xff);
  const cipher = aeadCipher(keys, sequence);
  cipher.setAAD(header, { plaintextLength: inner.length });
  const body = Buffer.concat([cipher.update(inner), cipher.final(), cipher.getAuthTag()]);
  return Buffer.concat([header, body]);
}

export type OpenedRecord =
  | { readonly ok: true; readonly contentType: number; readonly content: Buffer }
  | { readonly ok: false; readonly problem: string };

/**
 * RFC 8446 5.2: removes the protection of one record (`header`: its 5 bytes, the additional data) and strips the
 * zero padding to find the real content type. Total: a failed tag or an all-zero plaintext is `{ ok: false }`.
 */
export function openRecord(keys: TrafficKeys, sequence: number, header: Buffer, body: Buffer): OpenedRecord {
  if (body.length < TAG_LENGTH + 1) return { ok: false, problem: `a protected record of ${body.length} bytes is shorter than its tag` };
  const ciphertext = body.subarray(0, body.length - TAG_LENGTH);
  let inner: Buffer;
  try {
    const decipher = aeadDecipher(keys, sequence);
    decipher.setAAD(header, { plaintextLength: ciphertext.length });
    decipher.setAuthTag(body.subarray(body.length - TAG_LENGTH));
    inner = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return { ok: false, problem: 'the record does not decrypt with these keys (authentication tag mismatch)' };
  }
  let end = inner.length;
  while (end > 0 && inner[end - 1] === 0) end--;
  if (end === 0) return { ok: false, problem: 'the decrypted record has no content type (all zeros, RFC 8446 5.4)' };
  return { ok: true, contentType: inner[end - 1]!, content: inner.subarray(0, end - 1) };
}
