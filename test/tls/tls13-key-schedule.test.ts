import { describe, expect, it } from 'vitest';
import {
  clientEarlyTrafficSecret, earlySecret, finishedKey, handshakeSecret, openRecord, pskBinder, resumptionBinderKey,
  sealRecord, serverHandshakeTrafficSecret, TLS13_SUITES, trafficKeys,
} from '../../src/tls/tls13-key-schedule.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const AES128 = TLS13_SUITES.get(0x1301)!;

describe('TLS 1.3 key schedule, RFC 8448 3 "Simple 1-RTT Handshake" (TLS_AES_128_GCM_SHA256)', () => {
  // RFC 8448 3: {server} extract secret "early" (no PSK), extract secret "handshake" (IKM = the X25519 shared
  // secret), derive secret "tls13 s hs traffic" (hash of ClientHello..ServerHello), write keys for handshake data.
  const early = earlySecret(AES128, null);
  const handshake = handshakeSecret(AES128, early, hex('8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d'));
  const serverHs = serverHandshakeTrafficSecret(AES128, handshake, hex('860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8'));

  it('derives the early, handshake and server handshake traffic secrets', () => {
    expect(early.toString('hex')).toBe('33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a');
    expect(handshake.toString('hex')).toBe('1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac');
    expect(serverHs.toString('hex')).toBe('b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38');
  });

  it('derives the server handshake write key and IV and its finished_key', () => {
    const keys = trafficKeys(AES128, serverHs);
    expect(keys.key.toString('hex')).toBe('3fce516009c21727d0f2e4e86ee403bc');
    expect(keys.iv.toString('hex')).toBe('5d313eb2671276ee13000b30');
    expect(finishedKey(AES128, serverHs).toString('hex')).toBe('008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8');
  });
});

describe('TLS 1.3 key schedule, RFC 8448 4 "Resumed 0-RTT Handshake"', () => {
  // RFC 8448 4: the resumption PSK, {client} calculate PSK binder (hash of the truncated ClientHello), derive secret
  // "tls13 c e traffic" (hash of the whole ClientHello), derive write traffic keys for early application data, and
  // {client} send application_data record: "ABCDEF" as the first early-data record.
  const psk = hex('4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3');
  const early = earlySecret(AES128, psk);
  const binderKey = resumptionBinderKey(AES128, early);
  const earlyKeys = trafficKeys(AES128, clientEarlyTrafficSecret(AES128, early, hex('08ad0fa05d7c7233b1775ba2ff9f4c5b8b59276b7f227f13a976245f5d960913')));
  const earlyRecord = hex('17 03 03 00 17 ab 1d f4 20 e7 5c 45 7a 7c c5 d2 84 4f 76 d5 ae e4 b4 ed bf 04 9b e0');

  it('derives the early secret, binder key and binder', () => {
    expect(early.toString('hex')).toBe('9b2188e9b2fc6d64d71dc329900e20bb41915000f678aa839cbb797cb7d8332c');
    expect(binderKey.toString('hex')).toBe('69fe131a3bbad5d63c64eebcc30e395b9d8107726a13d074e389dbc8a4e47256');
    expect(finishedKey(AES128, binderKey).toString('hex')).toBe('5588673e72cb59c87d220caffe94f2dea9a3b1609f7d50e90a48227db9ed7eaa');
    const binder = pskBinder(AES128, binderKey, hex('63224b2e4573f2d3454ca84b9d009a04f6be9e05711a8396473aefa01e924a14'));
    expect(binder.toString('hex')).toBe('3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d');
  });

  it('derives the early traffic keys and protects the early-data record byte for byte', () => {
    expect(earlyKeys.key.toString('hex')).toBe('920205a5b7bf2115e6fc5c2942834f54');
    expect(earlyKeys.iv.toString('hex')).toBe('6d475f0993c8e564610db2b9');
    expect(sealRecord(earlyKeys, 0, 23, Buffer.from('ABCDEF')).equals(earlyRecord)).toBe(true);
    expect(openRecord(earlyKeys, 0, earlyRecord.subarray(0, 5), earlyRecord.subarray(5)))
      .toEqual({ ok: true, contentType: 23, content: Buffer.from('ABCDEF') });
  });

  it('refuses a record with the wrong sequence number, a flipped bit, or no room for a tag', () => {
    expect(openRecord(earlyKeys, 1, earlyRecord.subarray(0, 5), earlyRecord.subarray(5)).ok).toBe(false);
    const flipped = Buffer.from(earlyRecord);
    flipped[9] = flipped[9]! ^ 1;
    expect(openRecord(earlyKeys, 0, flipped.subarray(0, 5), flipped.subarray(5)).ok).toBe(false);
    expect(openRecord(earlyKeys, 0, earlyRecord.subarray(0, 5), Buffer.alloc(10)).ok).toBe(false);
  });
});

describe('record protection for every supported suite', () => {
  it.each([...TLS13_SUITES.values()].map((s) => [s.code.toString(16), s] as const))('round-trips with suite 0x%s, padding stripped', (_name, suite) => {
    const keys = trafficKeys(suite, Buffer.alloc(suite.hashLength, 7));
    expect(keys.key.length).toBe(suite.keyLength);
    const record = sealRecord(keys, 5, 22, Buffer.from('hello'));
    expect(openRecord(keys, 5, record.subarray(0, 5), record.subarray(5))).toEqual({ ok: true, contentType: 22, content: Buffer.from('hello') });
    // RFC 8446 5.4: zeros after the content type are padding (sealed here as content 'x', 22, 0, 0 with type 0);
    // a plaintext of zeros only has no content type.
    const padded = sealRecord(keys, 6, 0, Buffer.from([0x78, 22, 0, 0]));
    expect(openRecord(keys, 6, padded.subarray(0, 5), padded.subarray(5))).toEqual({ ok: true, contentType: 22, content: Buffer.from('x') });
    const empty = sealRecord(keys, 7, 0, Buffer.alloc(3));
    expect(openRecord(keys, 7, empty.subarray(0, 5), empty.subarray(5)).ok).toBe(false);
  });
});
