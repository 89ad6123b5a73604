import { describe, expect, it } from 'vitest';
import { stableOpenSslMessage } from '../../src/tls/openssl-error.ts';

describe('stableOpenSslMessage', () => {
  it.each([
    ['803CE340197F0000:error:0A000153:SSL routines:ssl3_read_bytes:no renegotiation:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1617:',
      '0A000153:SSL routines:no renegotiation'],
    ['C0B6FB17197F0000:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:ssl/record/rec_layer_s3.c:1605:SSL alert number 40',
      '0A000410:SSL routines:sslv3 alert handshake failure (SSL alert number 40)'],
    ['socket hang up', 'socket hang up'],
    ['', ''],
  ])('%s', (raw, stable) => {
    expect(stableOpenSslMessage(raw)).toBe(stable);
  });
});
