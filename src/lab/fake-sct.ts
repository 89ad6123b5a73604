import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { encodeSctList } from '../tls/sct.ts';

let ctLogKey: KeyObject | undefined;

/**
 * An RFC 6962 3.3 SignedCertificateTimestampList of `count` v1 SCTs from made-up logs ("Vouch Lab CT log n": the log
 * id is the SHA-256 of that name), signed with a throw-away EC key over the leaf's key and timestamp. Well-formed,
 * never verifiable: no real log issued them.
 */
export function fakeSctList(count: number, publicKey: KeyObject, issued: Date): Buffer {
  ctLogKey ??= generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return encodeSctList(Array.from({ length: count }, (_, i) => {
    const timestampMs = issued.getTime() + i;
    return {
      logId: createHash('sha256').update(`Vouch Lab CT log ${i + 1}`).digest(), timestampMs,
      signature: sign('sha256', Buffer.concat([spki, Buffer.from(String(timestampMs))]), ctLogKey!),
    };
  }));
}
